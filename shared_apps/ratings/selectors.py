"""Reading ratings: the rating page's dossier, and the city's roll-ups per agency or per procedure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q
from django.utils import timezone

from shared_apps.tracking.models import DossierIndex

from .models import Rating, Value
from .services import normalise_code


def rating_entry(*, code):
    """The index row of `code` with its agency and its rating (if any), in one query; or None."""
    code = normalise_code(code)
    if not code:
        return None
    return DossierIndex.objects.select_related("agency", "rating").filter(code=code).first()


def has_rating(entry):
    try:
        return entry.rating is not None
    except Rating.DoesNotExist:
        return False


@dataclass(frozen=True)
class RollupRow:
    key: int  # the agency's or the procedure's id
    code: str  # the agency's national code, or the procedure's national code
    name: str
    total: int
    satisfied: int
    acceptable: int
    not_satisfied: int

    @property
    def satisfaction_share(self):
        """Percentage of "satisfied" among all ratings, one decimal (None when there is none)."""
        if not self.total:
            return None
        return (Decimal(100 * self.satisfied) / self.total).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


_GROUPS = {
    "agency": ("agency_id", "agency__national_code", "agency__name"),
    "procedure": ("procedure_id", "procedure__national_code", "procedure__name"),
}


def _start_of(day):
    if isinstance(day, datetime):
        return day
    return timezone.make_aware(datetime.combine(day, time.min))


def rating_rollup(*, by="agency", agency=None, date_from=None, date_to=None):
    """Counts per value and the satisfaction share, one row per agency or per procedure, in one
    query (GROUP BY). `agency` narrows to one agency; `date_from`/`date_to` are inclusive days of
    the rating (in the city's time zone). Most rated first."""
    if by not in _GROUPS:
        raise ValueError(f"by must be one of {sorted(_GROUPS)}")
    key, code, name = _GROUPS[by]
    ratings = Rating.objects.all()
    if agency is not None:
        ratings = ratings.filter(agency_id=getattr(agency, "pk", agency))
    if date_from is not None:
        ratings = ratings.filter(created_at__gte=_start_of(date_from))
    if isinstance(date_to, datetime):
        ratings = ratings.filter(created_at__lte=date_to)
    elif date_to is not None:
        ratings = ratings.filter(created_at__lt=_start_of(date_to + timedelta(days=1)))
    rows = (
        ratings.order_by()
        .values(key, code, name)
        .annotate(
            total=Count("id"),
            satisfied=Count("id", filter=Q(value=Value.SATISFIED)),
            acceptable=Count("id", filter=Q(value=Value.ACCEPTABLE)),
            not_satisfied=Count("id", filter=Q(value=Value.NOT_SATISFIED)),
        )
        .order_by("-total", name, key)
    )
    return [
        RollupRow(
            key=r[key],
            code=r[code] or "",
            name=r[name],
            total=r["total"],
            satisfied=r["satisfied"],
            acceptable=r["acceptable"],
            not_satisfied=r["not_satisfied"],
        )
        for r in rows
    ]
