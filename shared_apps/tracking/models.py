"""City-wide read model in the public schema: one row per dossier of every agency, written in the
same transaction as the agency's own change. Citizens look dossiers up by code and the city reads
statistics from here, never by visiting agency schemas."""

from django.db import models


class LiveRows(models.Manager):
    """The rows that stand for a dossier now: without the history rows a merger or a move leaves
    behind (``transferred_out_at`` set)."""

    def get_queryset(self):
        return super().get_queryset().filter(transferred_out_at__isnull=True)


class DossierIndex(models.Model):
    """One LIVE row per dossier (``objects``): where it is now, looked up by code.

    A merger or a move of dossiers (tenants.copier) re-points the live row to the target
    (``transferred_in_at`` = the instant) and leaves at the source a HISTORY row (``all_rows`` only):
    a frozen copy of the row at that instant under the source's key (``agency``, ``dossier_id`` of the
    source's dossier), ``transferred_out_at`` set, no owner. History rows are what keeps the source's
    reports for its old periods reproducible (shared_apps/reports/sql.py); look-ups never see them.
    """

    agency = models.ForeignKey("tenants.Agency", on_delete=models.PROTECT, related_name="+")
    dossier_id = models.BigIntegerField()
    # NULL until issued (an online submission not yet accepted); unique among the live rows (Meta)
    code = models.CharField(max_length=40, null=True, blank=True)  # noqa: DJ001
    procedure = models.ForeignKey("catalogue.Procedure", on_delete=models.PROTECT, related_name="+")
    procedure_name = models.CharField(max_length=500)
    state = models.CharField(max_length=24)
    national_status = models.PositiveSmallIntegerField()
    channel = models.CharField(max_length=12)
    received_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    timeliness = models.CharField(max_length=10, blank=True)
    is_paused = models.BooleanField(default=False)
    apologised = models.BooleanField(default=False)
    supplement_count = models.PositiveSmallIntegerField(default=0)
    applicant_name = models.CharField(max_length=255, blank=True)
    # Only the last digits, to check a visitor who claims the dossier (the full numbers stay in the
    # agency's schema).
    applicant_phone_tail = models.CharField(max_length=4, blank=True)
    applicant_id_tail = models.CharField(max_length=4, blank=True)
    # What the look-up accepts as a proof: keyed digests of the FULL phone and ID numbers
    # (shared_apps.tracking.proofs), never the numbers themselves.
    applicant_phone_digest = models.CharField(max_length=64, blank=True, default="", db_default="")
    applicant_id_digest = models.CharField(max_length=64, blank=True, default="", db_default="")
    owner_user_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    current_step = models.CharField(max_length=40, blank=True)
    # The row follows the agency that holds the dossier (`agency`, `dossier_id`); during an
    # inter-agency hand-over the lead agency that received it and returns the result stays here.
    origin_agency = models.ForeignKey(
        "tenants.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The dossier's components (Decision 766 digitisation and reuse rates): how many, how many
    # digitised, how many reused from digitised data. Defaults in the database too, so that writers
    # with explicit column lists (bench seeding) keep working.
    components_total = models.PositiveIntegerField(default=0, db_default=0)
    components_digitised = models.PositiveIntegerField(default=0, db_default=0)
    components_reused = models.PositiveIntegerField(default=0, db_default=0)
    # Sub-deadline of the current step (the city's update compliance: no step left unrecorded past it).
    step_due_at = models.DateTimeField(null=True, blank=True)
    # Live row carried in by a merger or a move: when (it counts at the target from then on).
    transferred_in_at = models.DateTimeField(null=True, blank=True)
    # History row left at the source by a merger or a move: when the dossier left.
    transferred_out_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LiveRows()
    all_rows = models.Manager()  # noqa: DJ012 (a manager, not a field: the default stays `objects`)

    class Meta:
        base_manager_name = "all_rows"
        constraints = [
            models.UniqueConstraint(fields=["agency", "dossier_id"], name="index_agency_dossier_unique"),
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(transferred_out_at__isnull=True),
                name="index_live_code_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "national_status"]),
            models.Index(fields=["agency", "received_at"]),
        ]

    def __str__(self):
        return self.code or f"{self.agency_id}/{self.dossier_id}"


class IndexEvent(models.Model):
    """The public part of a dossier's timeline: hand-overs and status changes, without notes or
    personal data, for the city-wide look-up page."""

    entry = models.ForeignKey(DossierIndex, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    action = models.CharField(max_length=40)
    national_status = models.PositiveSmallIntegerField()
    step = models.CharField(max_length=40, blank=True)
    agency_name = models.CharField(max_length=255)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.entry_id} {self.action}"
