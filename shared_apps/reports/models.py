"""Roll-ups of the public look-up index (tracking_dossierindex) for the city's statistics.

Maintained by PostgreSQL triggers on tracking_dossierindex (shared_apps/reports/sql.py), so every
writer of the index — `sync_index` in an agency's transaction, set-based SQL of a merger — feeds them
in the same transaction, with no Python coupling. `manage.py reports_rebuild` recomputes them from
the index set-based (after a bulk load, and as a consistency check).

A row of the index counts only once it was received (``received_at`` set). Its contribution:

* ``ReportFlow`` (agency, procedure, month): flows of the month (city local time) —
  received (by ``received_at``, online / other channels), settled (by ``finished_at``, by the
  desk's verdict early / on time / late / none), settled on time under Decision 766 (verdict early or
  on time AND at most one supplement request), left without a result (withdrawn, stopped, handed
  over: by the time the row left the open states, ``updated_at``), and the sum of processing seconds
  (``finished_at - received_at``) of the settled ones; by the received month: dossiers received with
  every component digitised (``received_digitised``: at least one component, all digitised), their
  components (``components_received``) and the components reused from digitised data
  (``components_reused``) — the inputs of the Decision 766 digitisation and reuse rates; dossiers
  with more than one supplement request by the received month (``multi_supplement_received``) and
  by the close month, settled or not (``multi_supplement_closed``): their difference summed over the
  months before a boundary = those open at the boundary (the Decision 766 on-time rate counts them
  late).
  Carried by a merger or a move (sql.py): ``received_transferred`` (arrived open from another agency
  that month) and ``transferred_out`` (left open for another agency that month).
* ``ReportFlowAgency`` (agency, month): the same summed over procedures (city-wide reads).
* ``ReportOpen`` (agency, procedure, due date): the dossiers open NOW (received, not settled, in a
  processing or paused state), by the local date of their appointment (``NO_DUE`` when none): how
  many (``n``), paused (``paused``: the clock is stopped, never overdue), with more than one
  supplement request (``multi_supplement``) and both (``multi_paused``).
  ``since_month``: the month the agency got the dossier by a merger or a move (``SINCE_ALWAYS`` when it
  received it itself) — at a month boundary before it, the dossier was held elsewhere. Same on
  ``ReportOpenMonth`` and ``ReportLate``.
* ``ReportOpenMonth`` (agency, due month): ``ReportOpen`` summed over procedures and the days of a
  month (``NO_DUE_MONTH`` when no appointment) — what the city-wide and per-agency figures read.
* ``ReportStepOpen`` (agency, step due date): the dossiers open now and not paused, at the agency
  that HOLDS them (``agency_id``, not the reporting agency: it is the holder that records the steps),
  by the local date of their current step's sub-deadline (``step_due_at``; the appointment when the
  step has none; ``NO_DUE`` when neither) — the update compliance.
* ``ReportLate`` (agency, procedure, due month, close month): closed dossiers that were still open
  after the month of their appointment (close month > due month) — what is needed to know how many
  were open and overdue at an earlier month boundary (``multi_supplement``: of which with more than
  one supplement request).
"""

from datetime import date

from django.db import models

NO_DUE = date(9999, 12, 31)  # due date of open dossiers without an appointment
NO_DUE_MONTH = date(9999, 12, 1)  # its month
SINCE_ALWAYS = date(1, 1, 1)  # ``since_month`` of a row held by its agency since it was received


class ReportFlow(models.Model):
    agency = models.ForeignKey(
        "tenants.Agency", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    procedure = models.ForeignKey(
        "catalogue.Procedure", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    month = models.DateField()  # first day of the month, city local time
    received_online = models.IntegerField(default=0)
    received_offline = models.IntegerField(default=0)
    settled_early = models.IntegerField(default=0)
    settled_on_time = models.IntegerField(default=0)
    settled_late = models.IntegerField(default=0)
    settled_unjudged = models.IntegerField(default=0)
    settled_on_time_766 = models.IntegerField(default=0)
    closed_other = models.IntegerField(default=0)
    settled_seconds = models.BigIntegerField(default=0)
    received_digitised = models.IntegerField(default=0)
    components_received = models.IntegerField(default=0)
    components_reused = models.IntegerField(default=0)
    multi_supplement_received = models.IntegerField(default=0)  # by received month, see below
    multi_supplement_closed = models.IntegerField(default=0)  # by close month (settled or closed otherwise)
    received_transferred = models.IntegerField(default=0)  # carried in by a merger or a move (that month)
    transferred_out = models.IntegerField(default=0)  # open when carried away by a merger or a move

    class Meta:
        db_table = "reports_flow"
        constraints = [
            models.UniqueConstraint(fields=["agency", "procedure", "month"], name="reports_flow_key")
        ]
        indexes = [models.Index(fields=["month", "agency"], name="reports_flow_month")]

    def __str__(self):
        return f"{self.agency_id}/{self.procedure_id}/{self.month}"


class ReportFlowAgency(models.Model):
    """``ReportFlow`` summed over procedures (agency, month): what the city-wide figures read."""

    agency = models.ForeignKey(
        "tenants.Agency", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    month = models.DateField()
    received_online = models.IntegerField(default=0)
    received_offline = models.IntegerField(default=0)
    settled_early = models.IntegerField(default=0)
    settled_on_time = models.IntegerField(default=0)
    settled_late = models.IntegerField(default=0)
    settled_unjudged = models.IntegerField(default=0)
    settled_on_time_766 = models.IntegerField(default=0)
    closed_other = models.IntegerField(default=0)
    settled_seconds = models.BigIntegerField(default=0)
    received_digitised = models.IntegerField(default=0)
    components_received = models.IntegerField(default=0)
    components_reused = models.IntegerField(default=0)
    multi_supplement_received = models.IntegerField(default=0)  # by received month, see below
    multi_supplement_closed = models.IntegerField(default=0)  # by close month (settled or closed otherwise)
    received_transferred = models.IntegerField(default=0)  # carried in by a merger or a move (that month)
    transferred_out = models.IntegerField(default=0)  # open when carried away by a merger or a move

    class Meta:
        db_table = "reports_flow_agency"
        constraints = [models.UniqueConstraint(fields=["agency", "month"], name="reports_flowagency_key")]

    def __str__(self):
        return f"{self.agency_id}/{self.month}"


class ReportOpen(models.Model):
    agency = models.ForeignKey(
        "tenants.Agency", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    procedure = models.ForeignKey(
        "catalogue.Procedure", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    due_date = models.DateField()
    since_month = models.DateField(default=SINCE_ALWAYS)  # held by the agency since (carried in: that month)
    n = models.IntegerField(default=0)
    paused = models.IntegerField(default=0)
    multi_supplement = models.IntegerField(default=0)
    multi_paused = models.IntegerField(default=0)  # more than one supplement request AND paused

    class Meta:
        db_table = "reports_open"
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "procedure", "due_date", "since_month"], name="reports_open_key"
            )
        ]
        indexes = [models.Index(fields=["due_date"], name="reports_open_due")]

    def __str__(self):
        return f"{self.agency_id}/{self.procedure_id}/{self.due_date}"


class ReportOpenMonth(models.Model):
    """``ReportOpen`` summed over procedures and over the days of the due month (agency, due month)."""

    agency = models.ForeignKey(
        "tenants.Agency", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    due_month = models.DateField()
    since_month = models.DateField(default=SINCE_ALWAYS)
    n = models.IntegerField(default=0)
    paused = models.IntegerField(default=0)
    multi_supplement = models.IntegerField(default=0)
    multi_paused = models.IntegerField(default=0)  # more than one supplement request AND paused

    class Meta:
        db_table = "reports_open_month"
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "due_month", "since_month"], name="reports_open_month_key"
            )
        ]

    def __str__(self):
        return f"{self.agency_id}/{self.due_month}"


class ReportStepOpen(models.Model):
    """Open, not paused dossiers by holding agency and the local date their current step is due."""

    agency = models.ForeignKey(
        "tenants.Agency", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    due_date = models.DateField()
    n = models.IntegerField(default=0)

    class Meta:
        db_table = "reports_step_open"
        constraints = [models.UniqueConstraint(fields=["agency", "due_date"], name="reports_step_open_key")]
        indexes = [models.Index(fields=["due_date"], name="reports_step_open_due")]

    def __str__(self):
        return f"{self.agency_id}/{self.due_date}"


class ReportLate(models.Model):
    agency = models.ForeignKey(
        "tenants.Agency", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    procedure = models.ForeignKey(
        "catalogue.Procedure", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    due_month = models.DateField()
    close_month = models.DateField()
    since_month = models.DateField(default=SINCE_ALWAYS)
    n = models.IntegerField(default=0)
    multi_supplement = models.IntegerField(default=0)  # of which with more than one supplement request

    class Meta:
        db_table = "reports_late"
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "procedure", "due_month", "close_month", "since_month"],
                name="reports_late_key",
            )
        ]
        indexes = [models.Index(fields=["close_month", "due_month"], name="reports_late_close")]

    def __str__(self):
        return f"{self.agency_id}/{self.procedure_id}/{self.due_month}-{self.close_month}"
