from django.db import connection
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dossier import STEP_LABELS
from core.errors import DomainError

from .lifecycle import CLOSED, State
from .models import Dossier


def control_slip(*, dossier, agency=None):
    """Form 06: one row per hand-over, derived from the events, each with the agency that performed
    the step (inter-agency hops: the other agency, recorded on the event; otherwise `agency`, by
    default the one the connection is on)."""
    if agency is None:
        agency = getattr(connection, "tenant", None)
    own = getattr(agency, "name", "")
    # a step the process names (an inter-agency step like "decide") is labelled as the process says
    named = (
        {s.code: s.name for s in dossier.procedure_version.steps.all()}
        if dossier.procedure_version_id
        else {}
    )
    rows = []
    for e in dossier.events.exclude(step="").order_by("seq"):
        rows.append(
            {
                "step": e.step,
                "step_label": str(STEP_LABELS.get(e.step) or named.get(e.step, e.step)),
                "agency": e.agency_name or own,
                "giver": e.giver_name,
                "receiver": e.receiver_name,
                "at": e.at,
                "due": e.step_due_at,
                "timeliness": e.step_timeliness,
                "note": e.note,
            }
        )
    return rows


# --- dossiers carried away (a move, a merger): the row stays here, read-only ----------------------
class DossierMoved(DomainError):
    code = "dossier_moved"
    status = 409


def _transfers_out(agency):
    from tenants.models import DossierTransfer

    return DossierTransfer.objects.filter(source_agency_id=agency.pk, source_dossier_id=OuterRef("pk"))


def moved_away(*, agency=None):
    """A filter expression: the dossier was carried to another agency (its pointer is in public)."""
    return Exists(_transfers_out(agency or connection.tenant))


def dossier_transfer_out(*, agency, dossier):
    """Where `dossier` of `agency` went (the `DossierTransfer` with its target agency), or None."""
    from tenants.models import DossierTransfer

    return (
        DossierTransfer.objects.select_related("target_agency")
        .filter(source_agency_id=agency.pk, source_dossier_id=dossier.pk)
        .first()
    )


def dossier_ensure_not_moved(*, agency, dossier):
    """Refuse any work on a dossier that now lives at another agency."""
    transfer = dossier_transfer_out(agency=agency, dossier=dossier)
    if transfer is not None:
        raise DossierMoved(
            _(
                "Hồ sơ %(code)s đã chuyển sang %(target)s; cơ quan này chỉ còn xem được hồ sơ. "
                "Mọi thao tác xử lý thực hiện tại %(target)s."
            )
            % {"code": dossier.code or dossier.reference, "target": transfer.target_agency.name}
        )


def dossier_queue(
    *,
    user=None,
    state=None,
    procedure=None,
    due_soon=False,
    overdue=False,
    query="",
    agency=None,
    include_moved=False,
):
    """The agency's queue (or one user's, with `user`): open dossiers first by appointment. Dossiers
    carried to another agency are not work here: left out, unless `include_moved` (a search by code
    still finds them, annotated with `moved_to`, the agency's name)."""
    qs = Dossier.objects.select_related("procedure", "holder")
    if include_moved:
        qs = qs.annotate(
            moved_to=Subquery(_transfers_out(agency or connection.tenant).values("target_agency__name")[:1])
        )
    else:
        qs = qs.filter(~moved_away(agency=agency))
    if user is not None:
        qs = qs.filter(holder=user)
    if state:
        qs = qs.filter(state=state)
    else:
        qs = qs.exclude(state__in=[s.value for s in CLOSED])
    if procedure:
        qs = qs.filter(procedure__national_code=procedure)
    now = timezone.now()
    if overdue:
        qs = qs.filter(due_at__lt=now, finished_at__isnull=True)
    if due_soon:
        qs = qs.filter(due_at__gte=now, due_at__lt=now + timezone.timedelta(days=1), finished_at__isnull=True)
    if query:
        qs = qs.filter(Q(code__icontains=query) | Q(applicant_name__icontains=query))
    return qs.order_by("due_at", "id")


def dossier_get(*, pk):
    return (
        Dossier.objects.select_related(
            "procedure", "procedure_version", "holder", "received_by", "origin_agency", "handed_to_agency"
        )
        .prefetch_related("components", "procedure_version__steps")
        .filter(pk=pk)
        .first()
    )


def handover_targets(*, agency, dossier):
    """The agencies this dossier can be handed over to: those that perform a step of its process
    (by kind or by name), other than `agency`. None when the state does not allow a hand-over."""
    from tenants.models import Agency, AgencyStatus

    from .lifecycle import PROCESSING

    if dossier.state not in PROCESSING or not dossier.procedure_version_id:
        return []
    performers = [s.agency for s in dossier.procedure_version.steps.all() if s.agency]
    if not performers:
        return []
    return list(
        Agency.objects.filter(
            Q(kind__in=performers) | Q(national_code__in=performers), status=AgencyStatus.ACTIVE
        )
        .exclude(pk=agency.pk)
        .order_by("name")
    )


def deciding_agencies(*, agency):
    """Agencies a desk may receive for (phi địa giới): the city's departments and the city itself."""
    from tenants.models import Agency, AgencyStatus

    from .services.permissions import ON_BEHALF_KINDS

    return list(
        Agency.objects.filter(kind__in=ON_BEHALF_KINDS, status=AgencyStatus.ACTIVE)
        .exclude(pk=agency.pk)
        .exclude(schema_name="public")
        .order_by("name")
    )


__all__ = [
    "DossierMoved",
    "State",
    "control_slip",
    "dossier_ensure_not_moved",
    "dossier_get",
    "dossier_queue",
    "dossier_transfer_out",
    "moved_away",
]
