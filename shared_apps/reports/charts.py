"""Charts as inline SVG rendered on the server (no script, no external resource): each has a text
alternative (role="img", <title>, and the same figures in a table next to it on the page). They scale
to the width of the screen (viewBox, width 100%)."""

from __future__ import annotations

from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

COLOURS = {
    "received": "#1f5fa8",
    "online": "#2e8b57",
    "early": "#2e8b57",
    "on_time": "#1f5fa8",
    "late": "#b3261e",
    "rest": "#c7ccd3",
}


def _n(value):
    return f"{value:.1f}"


def trend_svg(trend, *, title):
    """Bars: received per month, the online part in a darker band; month numbers under the bars."""
    width, height, pad, base = 600, 220, 28, 190
    peak = max((r[1] for r in trend), default=0) or 1
    step = (width - 2 * pad) / max(len(trend), 1)
    bar = step * 0.7
    parts = []
    for i, (month, received, online, _in_time, _late) in enumerate(trend):
        x = pad + i * step + (step - bar) / 2
        h = (base - pad) * received / peak
        ho = (base - pad) * online / peak
        label = f"{month.month:02d}/{month.year}: {received} hồ sơ, {online} trực tuyến"
        n = _n
        parts.append(
            format_html(
                '<g><title>{}</title><rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
                '<text x="{}" y="{}" font-size="12" text-anchor="middle">{}</text></g>',
                label,
                n(x),
                n(base - h),
                n(bar),
                n(h),
                COLOURS["received"],
                n(x),
                n(base - ho),
                n(bar),
                n(ho),
                COLOURS["online"],
                n(x + bar / 2),
                base + 16,
                f"{month.month:02d}",
            )
        )
    summary = "; ".join(f"{m.month:02d}/{m.year}: {r}" for m, r, *_ in trend)
    return mark_safe(
        f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="{escape(title)}: {escape(summary)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        f'<line x1="{pad}" y1="{base}" x2="{width - pad}" y2="{base}" stroke="#555"/>{"".join(parts)}</svg>'
    )


def split_svg(parts, *, title):
    """One horizontal bar split in shares: parts = [(label, value, colour key)]."""
    width, height = 600, 60
    total = sum(v for _l, v, _c in parts)
    x, out = 0.0, []
    for label, value, colour in parts:
        w = width * value / total if total else 0
        pct = f"{value * 100 / total:.1f}%" if total else "—"
        out.append(
            format_html(
                '<g><title>{}: {} ({})</title><rect x="{}" y="8" width="{}" height="32" fill="{}"/></g>',
                label,
                value,
                pct,
                _n(x),
                _n(w),
                COLOURS[colour],
            )
        )
        x += w
    if not total:
        out.append(
            format_html('<rect x="0" y="8" width="{}" height="32" fill="{}"/>', width, COLOURS["rest"])
        )
    alt = ", ".join(f"{label} {value}" for label, value, _c in parts)
    return mark_safe(
        f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="{escape(title)}: {escape(alt)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>{"".join(out)}</svg>'
    )
