from django.db.models import Q
from django.utils import timezone

from .lifecycle import CLOSED, State
from .models import Dossier

STEP_LABELS = {"receive": "Tiếp nhận", "assign": "Phân công", "appraise": "Thẩm định", "approve": "Phê duyệt",
               "return": "Trả kết quả"}


def control_slip(*, dossier):
    """Form 06: one row per hand-over, derived from the events."""
    rows = []
    for e in dossier.events.exclude(step="").order_by("seq"):
        rows.append({
            "step": e.step, "step_label": STEP_LABELS.get(e.step, e.step), "giver": e.giver_name,
            "receiver": e.receiver_name, "at": e.at, "due": e.step_due_at, "timeliness": e.step_timeliness,
            "note": e.note,
        })
    return rows


def dossier_queue(*, user=None, state=None, procedure=None, due_soon=False, overdue=False, query=""):
    """The agency's queue (or one user's, with `user`): open dossiers first by appointment."""
    qs = Dossier.objects.select_related("procedure", "holder")
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
    return (Dossier.objects.select_related("procedure", "procedure_version", "holder", "received_by")
            .prefetch_related("components").filter(pk=pk).first())


__all__ = ["State", "control_slip", "dossier_get", "dossier_queue"]
