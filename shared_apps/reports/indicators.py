"""Decision 766/QĐ-TTg indicators (Bộ chỉ số chỉ đạo, điều hành và đánh giá chất lượng phục vụ người
dân, doanh nghiệp) for an agency, a group or the city over a period, and the update compliance.

Each indicator: its value (a percentage, or days), the points it can earn, the threshold from which
it earns them all, and its points: ``max_points`` when value ≥ threshold, else pro-rated
``max_points × value ÷ threshold`` (rounded to 2 decimals). An indicator whose inputs the platform does
not hold yet has ``value=None``, ``points=None`` and ``missing`` saying what is missing: nothing is
invented. The points and thresholds below are the platform's allocation of the decision's group
totals (progress 20, digitisation 22, online services 22, satisfaction 18; transparency 18 is not
computed here) and are constants to adjust when the annex is applied.

Every figure comes from the II.06a roll-ups (selectors.py), the catalogue and the ratings — all in
the public schema.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from core.dossier import level_for_kind
from shared_apps.catalogue.models import Level, OnlineMode, VersionStatus

from .periods import Period
from .selectors import ii06a

NO_DATA = "chưa có dữ liệu"


@dataclass
class Indicator:
    code: str
    name: str
    group: str
    max_points: float
    threshold: float | None  # percent; None: informative, no points
    value: float | None
    unit: str = "%"
    missing: str = ""
    numerator: int | None = None
    denominator: int | None = None

    @property
    def points(self) -> float | None:
        if self.value is None or self.threshold is None:
            return None
        if self.value >= self.threshold:
            return float(self.max_points)
        return round(self.max_points * self.value / self.threshold, 2)

    def as_dict(self):
        return {
            "code": self.code,
            "name": self.name,
            "group": self.group,
            "value": self.value,
            "unit": self.unit,
            "max_points": self.max_points,
            "threshold": self.threshold,
            "points": self.points,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "missing": self.missing or None,
        }


def _pct(num, den):
    return None if not den else round(num * 100 / den, 2)


def on_time_rate(fig) -> Indicator:
    """Tỷ lệ hồ sơ giải quyết đúng hạn = (settled in the period early or on time with at most one
    supplement request + in progress at the period's end within time with at most one supplement
    request) ÷ (settled in the period with a verdict + in progress at the end) × 100. 20 points from
    100 %, pro-rated below.

    More than one supplement request counts the dossier as late (one-stop rules), also while in
    progress: numerator = settled_on_time_766 + in_progress_within − in_progress_multi_supplement_within,
    the last = in progress with more than one supplement request − those of them already counted
    overdue (not paused, appointment passed; selectors.py) — so none is taken away twice. A paused
    dossier is within time (its clock is stopped) but still late here when it had more than one
    supplement request. Same for past period ends (the supplement count is the current one)."""
    num = fig.settled_on_time_766 + fig.in_progress_within - fig.in_progress_multi_supplement_within
    den = fig.settled_judged + fig.in_progress
    return Indicator(
        "on_time",
        "Tỷ lệ hồ sơ giải quyết đúng hạn",
        "Tiến độ, kết quả giải quyết",
        20,
        100,
        _pct(num, den),
        numerator=num,
        denominator=den,
        missing="" if den else NO_DATA,
    )


def online_submission_rate(fig) -> Indicator:
    """Tỷ lệ hồ sơ trực tuyến = received online in the period ÷ received in the period (online + in
    person + post) × 100. 10 points from 50 %, pro-rated below."""
    num, den = fig.received_online, fig.received_in_period
    return Indicator(
        "online_submission",
        "Tỷ lệ hồ sơ nộp trực tuyến",
        "Dịch vụ công trực tuyến",
        10,
        50,
        _pct(num, den),
        numerator=num,
        denominator=den,
        missing="" if den else NO_DATA,
    )


def online_offer_counts(*, levels) -> tuple[int, int]:
    """(online, total) procedures with a published version at `levels`. Cached in the city-wide cache
    under the catalogue's stamp (the number of published versions, the highest id, the latest
    publication and retirement instants): a publication or a retirement changes the key, so the
    value is never stale; the stamp costs one small query, the count runs only on a new stamp."""
    from django.core.cache import caches
    from django.db.models import Max

    from shared_apps.catalogue.models import ProcedureVersion

    stamp = ProcedureVersion.objects.aggregate(
        n=Count("id", filter=Q(status=VersionStatus.PUBLISHED)),
        top=Max("id", filter=Q(status=VersionStatus.PUBLISHED)),
        published=Max("published_at"),
        retired=Max("retired_at"),
    )
    # hashed: the stamp holds timestamps (spaces), which some cache backends refuse in keys
    key = (
        "reports:online-offer:"
        + hashlib.sha256("|".join(str(v) for v in (*levels, *stamp.values())).encode()).hexdigest()[:32]
    )
    cache = caches["shared"]
    found = cache.get(key)
    if found is not None:
        return tuple(found)
    agg = ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED, levels__overlap=levels).aggregate(
        total=Count("procedure", distinct=True),
        online=Count(
            "procedure", distinct=True, filter=Q(online_mode__in=[OnlineMode.PARTIAL, OnlineMode.FULL])
        ),
    )
    value = (agg["online"], agg["total"])
    cache.set(key, list(value), 24 * 3600)
    return value


def online_offer_share(*, kinds) -> Indicator:
    """Tỷ lệ thủ tục cung cấp dịch vụ công trực tuyến = procedures whose current published version is
    online (partial or full) ÷ procedures with a published version, among the levels of the agencies
    in scope (from the city catalogue; an agency's own choice to close online intake lives in its
    schema and is not read here). 6 points from 80 %, pro-rated below. Counts cached per catalogue
    stamp (online_offer_counts)."""
    levels = (
        sorted({level_for_kind(k, default=Level.COMMUNE) for k in kinds}) if kinds else sorted(Level.values)
    )
    online, total = online_offer_counts(levels=levels)
    agg = {"online": online, "total": total}
    return Indicator(
        "online_offer",
        "Tỷ lệ thủ tục cung cấp dịch vụ công trực tuyến",
        "Dịch vụ công trực tuyến",
        6,
        80,
        _pct(agg["online"], agg["total"]),
        numerator=agg["online"],
        denominator=agg["total"],
        missing="" if agg["total"] else NO_DATA,
    )


def online_payment_rate() -> Indicator:
    """Tỷ lệ thanh toán trực tuyến = dossiers with a fee paid online ÷ dossiers with a fee paid. The
    platform records no payment yet: no value."""
    return Indicator(
        "online_payment",
        "Tỷ lệ thanh toán trực tuyến",
        "Dịch vụ công trực tuyến",
        6,
        50,
        None,
        missing=NO_DATA + " (chưa kết nối nền tảng thanh toán)",
    )


def digitisation_rate(fig) -> Indicator:
    """Tỷ lệ số hóa hồ sơ = dossiers received in the period with every component digitised (at least
    one component, all of them digitised: ``components_digitised = components_total > 0`` on the
    index row) ÷ dossiers received in the period (online + in person + post) × 100. 11 points from
    100 %, pro-rated below. (The electronic result is not recorded separately yet: a dossier counts on
    its components.)"""
    num, den = fig.received_digitised, fig.received_in_period
    return Indicator(
        "digitisation",
        "Tỷ lệ số hóa hồ sơ, kết quả",
        "Số hóa hồ sơ",
        11,
        100,
        _pct(num, den),
        numerator=num,
        denominator=den,
        missing="" if den else NO_DATA,
    )


def reuse_rate(fig) -> Indicator:
    """Tỷ lệ khai thác, sử dụng lại dữ liệu số hóa = components reused from digitised data ÷ components
    of the dossiers received in the period × 100 (both counted on the dossiers received in the
    period). 11 points from 100 %, pro-rated below."""
    num, den = fig.components_reused, fig.components_received
    return Indicator(
        "reuse",
        "Tỷ lệ khai thác, sử dụng lại dữ liệu số hóa",
        "Số hóa hồ sơ",
        11,
        100,
        _pct(num, den),
        numerator=num,
        denominator=den,
        missing="" if den else NO_DATA,
    )


def satisfaction(fig, *, period, agency_ids) -> Indicator:
    """Mức độ hài lòng = 100 % − overdue rate − dislike rate, floored at 0, where
    overdue rate = (settled late in the period + in progress overdue at its end — paused ones are not
    overdue, their clock is stopped) ÷ (settled with a verdict + in progress) × 100 and
    dislike rate = ratings "không hài lòng" given in the period ÷ dossiers settled in the period × 100.
    18 points from 90 %, pro-rated below."""
    from shared_apps.ratings.models import Rating, Value

    from .scopes import period_bounds

    start, end = period_bounds(period)
    qs = Rating.objects.filter(created_at__gte=start, created_at__lt=end)
    if agency_ids is not None:
        qs = qs.filter(agency_id__in=list(agency_ids))
    dislikes = qs.filter(value=Value.NOT_SATISFIED).count()
    den = fig.settled_judged + fig.in_progress
    if not den:
        return Indicator("satisfaction", "Mức độ hài lòng", "Mức độ hài lòng", 18, 90, None, missing=NO_DATA)
    overdue = (fig.settled_late + fig.in_progress_overdue) * 100 / den
    dislike = dislikes * 100 / fig.settled if fig.settled else 0
    return Indicator(
        "satisfaction",
        "Mức độ hài lòng",
        "Mức độ hài lòng",
        18,
        90,
        round(max(0.0, 100 - overdue - dislike), 2),
        numerator=dislikes,
        denominator=fig.settled,
    )


def average_processing_days(*, period, agency_ids) -> list[dict]:
    """Thời gian giải quyết trung bình per procedure = Σ (finished_at − received_at) of the dossiers
    settled in the period ÷ their number, in calendar days (2 decimals). Informative (no points)."""
    report = ii06a(period=period, agency_ids=agency_ids, by="procedure")
    from shared_apps.catalogue.models import Procedure

    names = dict(Procedure.objects.filter(pk__in=list(report.rows)).values_list("pk", "name"))
    out = []
    for pk, fig in sorted(report.rows.items(), key=lambda kv: names.get(kv[0], "")):
        if fig.settled:
            out.append(
                {
                    "procedure_id": pk,
                    "procedure": names.get(pk, str(pk)),
                    "settled": fig.settled,
                    "average_days": round(fig.settled_seconds / fig.settled / 86400, 2),
                }
            )
    return out


def indicators_766(
    *, period: Period, agency_ids=None, kinds=None, now=None, totals=None, with_processing=True
) -> dict:
    """The indicators of `agency_ids` (None: the city) for `period`; `totals` the II.06a totals when
    the caller has them already; `with_processing` adds the average processing time per procedure."""
    now = now or timezone.now()
    fig = totals if totals is not None else ii06a(period=period, agency_ids=agency_ids, now=now).totals
    items = [
        on_time_rate(fig),
        online_offer_share(kinds=kinds),
        online_submission_rate(fig),
        online_payment_rate(),
        digitisation_rate(fig),
        reuse_rate(fig),
        satisfaction(fig, period=period, agency_ids=agency_ids),
    ]
    earned = [i.points for i in items if i.points is not None]
    return {
        "period": period,
        "indicators": items,
        "points": round(sum(earned), 2),
        "max_points": sum(i.max_points for i in items if i.points is not None),
        "average_processing": average_processing_days(period=period, agency_ids=agency_ids)
        if with_processing
        else None,
    }
