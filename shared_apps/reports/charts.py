"""The dashboards' charts, drawn by matplotlib on the server: SVG inline in the page (text kept as text,
no script, no external resource: nothing for the Content-Security-Policy to block) and PNG from the
same drawing for the xlsx export. Axes with their values, a legend, the value on each bar, months as
mm/yyyy, labels passed in already translated; the Noto Sans shipped with the documents app for the
PNG (Vietnamese diacritics), the same family first in the SVG.

Accessibility: the <svg> has role="img", an aria-label with the figures, and aria-describedby naming
the table that holds them on the page. It has no fixed size (viewBox only): the page's CSS makes it
as wide as the screen (a 360-px phone included).

matplotlib is imported on the first chart only (Agg/SVG canvases, no pyplot, no GUI), and each
drawing is cached per (kind, figures, labels, format): in the process, then in the shared Redis cache
(another web process finds it there), so the same figures are drawn once (a 12-month chart takes
60–100 ms to draw on the 2-core machine, a hit well under 1 ms)."""

from __future__ import annotations

import functools
import hashlib
import io
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.core.cache import caches
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

FONTS = Path(__file__).resolve().parents[2] / "tenant_apps" / "dossiers" / "documents" / "fonts"
FAMILY = "Noto Sans"
COLOURS = {
    "online": "#2e7d4f",
    "offline": "#1f5fa8",
    "early": "#2e7d4f",
    "on_time": "#1f5fa8",
    "late": "#b3261e",
}
INK, MUTED, GRID = "#1b1f24", "#5a6370", "#d8dde3"
WIDTH = 6.4  # inches at 72 pt: 460 pt wide, scaled to the screen by the page
CACHE_SECONDS = 7 * 24 * 3600
VERSION = 1  # bump when the drawing changes: cached drawings of the old look are then ignored


@dataclass(frozen=True)
class Series:
    label: str
    values: tuple
    colour: str  # a key of COLOURS


def number(value) -> str:
    """1234567 -> 1.234.567 (Vietnamese thousands separator)."""
    return f"{int(round(value)):,}".replace(",", ".")


def month_label(month) -> str:
    return f"{month.month:02d}/{month.year}"


@lru_cache(maxsize=1)
def _matplotlib():
    """Import matplotlib once, register the shipped fonts, set the house style."""
    import matplotlib

    matplotlib.use("Agg", force=False)  # no GUI backend, whatever the environment says
    from matplotlib import font_manager

    for name in ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"):
        font_manager.fontManager.addfont(str(FONTS / name))
    matplotlib.rcParams.update(
        {
            "font.family": "sans-serif",
            "font.sans-serif": [FAMILY, "DejaVu Sans"],
            "font.size": 11,
            "text.color": INK,
            "axes.labelcolor": INK,
            "axes.edgecolor": MUTED,
            "xtick.color": INK,
            "ytick.color": INK,
            "svg.fonttype": "none",  # text stays text: readable by assistive technology, selectable
            "svg.hashsalt": "egov-charts",  # stable ids: the same figures give the same bytes
            "svg.id": None,
        }
    )
    from matplotlib.figure import Figure

    return Figure


def _save(fig, fmt: str) -> bytes:
    buf = io.BytesIO()
    if fmt == "svg":
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    else:
        fig.savefig(buf, format="png", dpi=150, facecolor="white")
    return buf.getvalue()


def _legend(fig, ax, ncol):
    fig.legend(
        *ax.get_legend_handles_labels(),
        loc="upper center",
        ncol=ncol,
        frameon=False,
        bbox_to_anchor=(0.5, 1.0),
        handlelength=1.2,
        columnspacing=1.2,
    )


def _cached(draw):
    """Memoise a drawing in the process (LRU) and in the shared cache, keyed by its arguments."""

    @lru_cache(maxsize=256)
    @functools.wraps(draw)
    def memo(*args):
        key = f"chart:{VERSION}:{draw.__name__}:" + hashlib.sha256(repr(args).encode()).hexdigest()
        shared = caches["shared"]
        drawn = shared.get(key)
        if drawn is None:
            drawn = draw(*args)
            shared.set(key, drawn, CACHE_SECONDS)
        return drawn

    return memo


@_cached
def _draw_months(months: tuple, series: tuple, y_label: str, fmt: str) -> bytes:
    """Stacked bars, one per month; the total above each bar, each part inside when it fits."""
    Figure = _matplotlib()
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    fig = Figure(figsize=(WIDTH, 3.6))
    ax = fig.add_axes((0.12, 0.2 if len(months) > 6 else 0.14, 0.86, 0.64))
    xs = range(len(months))
    bottoms = [0] * len(months)
    totals = [sum(s.values[i] for s in series) for i in xs]
    peak = max(totals, default=0) or 1
    for s in series:
        bars = ax.bar(xs, s.values, 0.66, bottom=bottoms, color=COLOURS[s.colour], label=s.label)
        for bar, value, total in zip(bars, s.values, totals, strict=True):
            if value and value != total and len(months) <= 6 and value / peak >= 0.12:
                ax.annotate(
                    number(value),
                    (bar.get_x() + bar.get_width() / 2, bar.get_y() + bar.get_height() / 2),
                    ha="center",
                    va="center",
                    color="white",
                    fontsize=9,
                )
        bottoms = [b + v for b, v in zip(bottoms, s.values, strict=True)]
    for x, total in zip(xs, totals, strict=True):
        ax.annotate(
            number(total),
            (x, total),
            xytext=(0, 2),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=11 if len(months) <= 6 else 9,
        )
    ax.set_xticks(
        list(xs), months, rotation=45 if len(months) > 6 else 0, ha="right" if len(months) > 6 else "center"
    )
    ax.set_ylim(0, peak * 1.15)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: number(v)))
    ax.set_ylabel(y_label)
    ax.grid(axis="y", color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)
    _legend(fig, ax, len(series))
    return _save(fig, fmt)


@_cached
def _draw_shares(parts: tuple, x_label: str, fmt: str) -> bytes:
    """One horizontal bar split in shares (percent axis); count and share inside each part that fits."""
    Figure = _matplotlib()
    from matplotlib.ticker import PercentFormatter

    fig = Figure(figsize=(WIDTH, 1.9))
    ax = fig.add_axes((0.04, 0.36, 0.92, 0.3))
    total = sum(p.values[0] for p in parts)
    left = 0.0
    for p in parts:
        value = p.values[0]
        share = 100 * value / total if total else 0
        ax.barh([0], [share], 0.8, left=left, color=COLOURS[p.colour], label=f"{p.label}: {number(value)}")
        if share >= 14:
            ax.annotate(
                f"{number(value)} ({share:.0f}%)",
                (left + share / 2, 0),
                ha="center",
                va="center",
                color="white",
                fontsize=10,
            )
        left += share
    if not total:
        ax.barh([0], [100], 0.8, color=GRID)
    ax.set_xlim(0, 100)
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.xaxis.set_major_formatter(PercentFormatter(decimals=0))
    ax.set_xlabel(x_label)
    ax.set_yticks([])
    ax.spines[["top", "right", "left"]].set_visible(False)
    _legend(fig, ax, len(parts))
    return _save(fig, fmt)


_ROOT = re.compile(r'<svg (?:xmlns:xlink="[^"]*" )?width="[^"]*" height="[^"]*" viewBox="([^"]*)"[^>]*>')
_ID = re.compile(r' id="([^"]*)"')
_REF = re.compile(r'(href="#|url\(#)([^")]*)')


def _inline(svg: bytes, *, label: str, described_by: str, css_class: str, prefix: str):
    """The SVG document as an element for the page: no XML prologue or metadata, no fixed size, the
    text alternative and the reference to the table with the same figures; matplotlib's ids, the
    same in every chart, dropped, or prefixed where something refers to them (clip paths, markers)."""
    text = svg.decode()
    text = text[text.index("<svg") :]
    text = re.sub(r"\s*<metadata>.*?</metadata>", "", text, count=1, flags=re.S)
    attrs = (
        f'role="img" aria-label="{escape(label)}" class="{css_class}" '
        'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
    )
    if described_by:
        attrs += f' aria-describedby="{escape(described_by)}"'
    text, n = _ROOT.subn(lambda m: f'<svg viewBox="{m.group(1)}" {attrs}>', text, count=1)
    if n != 1:
        raise ValueError("unexpected SVG root from matplotlib")
    used = {m.group(2) for m in _REF.finditer(text)}
    text = _ID.sub(lambda m: f' id="{prefix}-{m.group(1)}"' if m.group(1) in used else "", text)
    text = _REF.sub(lambda m: f"{m.group(1)}{prefix}-{m.group(2)}", text)
    return mark_safe(text)


def months_chart(trend, *, title, online, offline, y_label, described_by="", prefix="bd1", fmt="svg"):
    """Documents received per month, split online / in person and by post, from `trend` rows
    (month, received, online, ...). SVG element for the page, or PNG bytes (fmt="png")."""
    months = tuple(month_label(r[0]) for r in trend)
    series = (
        Series(str(online), tuple(r[2] for r in trend), "online"),
        Series(str(offline), tuple(r[1] - r[2] for r in trend), "offline"),
    )
    drawn = _draw_months(months, series, str(y_label), fmt)
    if fmt != "svg":
        return drawn
    summary = "; ".join(
        f"{m}: {number(r[1])} ({online}: {number(r[2])})" for m, r in zip(months, trend, strict=True)
    )
    return _inline(
        drawn,
        label=f"{title}. {summary}",
        described_by=described_by,
        css_class="chart chart-months",
        prefix=prefix,
    )


def shares_chart(parts, *, title, x_label, described_by="", prefix="bd2", fmt="svg"):
    """One bar split in shares: parts = [(label, value, colour key)]. SVG element or PNG bytes."""
    series = tuple(Series(str(label), (value,), colour) for label, value, colour in parts)
    drawn = _draw_shares(series, str(x_label), fmt)
    if fmt != "svg":
        return drawn
    total = sum(v for _l, v, _c in parts)
    alt = ", ".join(
        f"{label}: {number(value)}" + (f" ({100 * value / total:.1f}%)" if total else "")
        for label, value, _c in parts
    )
    return _inline(
        drawn,
        label=f"{title}. {alt}",
        described_by=described_by,
        css_class="chart chart-shares",
        prefix=prefix,
    )


def dashboard_charts(*, trend, totals, fmt="svg"):
    """The dashboard's three charts, each with its caption and the table of its figures (the page
    shows the table next to the chart and names it in aria-describedby; the xlsx export takes the
    PNGs): [{"id", "caption", "chart", "head", "rows"}]."""
    online, offline = _("Trực tuyến"), _("Trực tiếp, bưu chính")
    settled = [
        (_("Trước hạn"), totals.settled_early, "early"),
        (_("Đúng hạn"), totals.settled_on_time, "on_time"),
        (_("Quá hạn"), totals.settled_late, "late"),
    ]
    channels = [(online, totals.received_online, "online"), (offline, totals.received_offline, "offline")]

    def share(value, total):
        return f"{100 * value / total:.1f}%".replace(".", ",") if total else "—"

    n_settled, n_received = sum(v for _l, v, _c in settled), sum(v for _l, v, _c in channels)
    return [
        {
            "id": "bd-thang",
            "caption": _("Hồ sơ tiếp nhận theo tháng"),
            "chart": months_chart(
                trend,
                title=_("Hồ sơ tiếp nhận theo tháng"),
                online=online,
                offline=offline,
                y_label=_("Số hồ sơ"),
                described_by="bang-bd-thang",
                prefix="bd-thang",
                fmt=fmt,
            ),
            "head": [_("Tháng"), _("Tiếp nhận"), online, offline],
            "rows": [[month_label(m), number(r), number(o), number(r - o)] for m, r, o, *_rest in trend],
        },
        {
            "id": "bd-ket-qua",
            "caption": _("Kết quả giải quyết: trước hạn, đúng hạn, quá hạn"),
            "chart": shares_chart(
                settled,
                title=_("Kết quả giải quyết"),
                x_label=_("Tỷ lệ trên số hồ sơ đã giải quyết"),
                described_by="bang-bd-ket-qua",
                prefix="bd-ket-qua",
                fmt=fmt,
            ),
            "head": [_("Kết quả"), _("Số hồ sơ"), _("Tỷ lệ")],
            "rows": [[label, number(v), share(v, n_settled)] for label, v, _c in settled],
        },
        {
            "id": "bd-truc-tuyen",
            "caption": _("Hồ sơ trực tuyến trên tổng số tiếp nhận trong kỳ"),
            "chart": shares_chart(
                channels,
                title=_("Tỷ lệ hồ sơ trực tuyến"),
                x_label=_("Tỷ lệ trên số hồ sơ tiếp nhận"),
                described_by="bang-bd-truc-tuyen",
                prefix="bd-truc-tuyen",
                fmt=fmt,
            ),
            "head": [_("Kênh"), _("Số hồ sơ"), _("Tỷ lệ")],
            "rows": [[label, number(v), share(v, n_received)] for label, v, _c in channels],
        },
    ]
