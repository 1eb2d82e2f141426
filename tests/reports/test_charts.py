"""The dashboards' charts (matplotlib, shared_apps/reports/charts.py): axes with their values, a legend,
the values on the bars, months as mm/yyyy, an accessible name and the table of the same figures, the
shipped Noto Sans for the PNG; the same charts in the xlsx export."""

import io
import re
from datetime import date
from types import SimpleNamespace

import pytest
from django.utils import translation
from openpyxl import load_workbook

from shared_apps.reports import charts

pytestmark = pytest.mark.django_db

TREND = [(date(2025, m, 1), 1000 + 137 * m, 300 + 40 * m, 0, 0) for m in range(1, 13)]
TOTALS = SimpleNamespace(
    settled_early=12, settled_on_time=30, settled_late=5, received_online=40, received_offline=60
)


def texts(svg):
    return [t.strip() for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


def months_svg(**kw):
    return str(
        charts.months_chart(
            TREND,
            title="Hồ sơ tiếp nhận theo tháng",
            online="Trực tuyến",
            offline="Trực tiếp, bưu chính",
            y_label="Số hồ sơ",
            described_by="bang-thang",
            **kw,
        )
    )


def test_the_monthly_chart_has_axes_values_legend_and_an_accessible_name():
    svg = months_svg()
    shown = texts(svg)
    assert [f"{m:02d}/2025" for m in range(1, 13)] == [t for t in shown if re.fullmatch(r"\d\d/2025", t)]
    assert "Số hồ sơ" in shown  # the axis title
    assert {"0", "800", "1.600", "2.400"} <= set(shown)  # the axis values, Vietnamese separators
    assert {"Trực tuyến", "Trực tiếp, bưu chính"} <= set(shown)  # the legend
    assert {"1.137", "2.644"} <= set(shown)  # the totals on the bars (January, December)
    root = svg[: svg.index(">") + 1]
    assert 'role="img"' in root and 'aria-describedby="bang-thang"' in root
    assert 'aria-label="Hồ sơ tiếp nhận theo tháng. 01/2025: 1.137 (Trực tuyến: 340);' in root
    assert "width=" not in root and "viewBox=" in root  # the page's CSS gives it the screen's width
    assert "<script" not in svg and "<metadata" not in svg and "<?xml" not in svg


def test_a_short_period_shows_each_part_inside_its_bar():
    quarter = TREND[:3]
    svg = str(
        charts.months_chart(quarter, title="T", online="Trực tuyến", offline="Khác", y_label="Số hồ sơ")
    )
    assert {"340", "797", "1.137"} <= set(texts(svg))


def test_the_share_chart_has_a_percent_axis_legend_and_values():
    svg = str(
        charts.shares_chart(
            [("Trước hạn", 12, "early"), ("Đúng hạn", 30, "on_time"), ("Quá hạn", 5, "late")],
            title="Kết quả giải quyết",
            x_label="Tỷ lệ trên số hồ sơ đã giải quyết",
            described_by="bang-kq",
        )
    )
    shown = set(texts(svg))
    assert {"0%", "50%", "100%", "Tỷ lệ trên số hồ sơ đã giải quyết"} <= shown
    assert {"Trước hạn: 12", "Đúng hạn: 30", "Quá hạn: 5"} <= shown
    assert {"12 (26%)", "30 (64%)"} <= shown  # "5 (11%)" does not fit in its part: the legend has it
    assert 'aria-label="Kết quả giải quyết. Trước hạn: 12 (25.5%), Đúng hạn: 30 (63.8%)' in svg


def test_an_empty_period_draws_empty_charts():
    svg = str(charts.shares_chart([("A", 0, "online"), ("B", 0, "offline")], title="T", x_label="x"))
    assert {"A: 0", "B: 0", "0%"} <= set(texts(svg))


def test_the_three_dashboard_charts_have_unique_ids_and_english_labels():
    with translation.override("en"):
        made = charts.dashboard_charts(trend=TREND, totals=TOTALS)
    page = "".join(str(c["chart"]) for c in made)
    ids = re.findall(r' id="([^"]*)"', page)
    assert ids and len(ids) == len(set(ids))
    for ref in re.findall(r'(?:href="#|url\(#)([^")]*)', page):
        assert ref in ids
    assert [c["id"] for c in made] == ["bd-thang", "bd-ket-qua", "bd-truc-tuyen"]
    assert {"Online", "In person, post", "Dossiers"} <= set(texts(str(made[0]["chart"])))
    assert made[0]["rows"][0] == ["01/2025", "1.137", "340", "797"]
    assert made[2]["rows"][0] == ["Online", "40", "40,0%"]


def test_the_png_uses_the_shipped_noto_sans():
    png = charts.months_chart(
        TREND, title="T", online="Trực tuyến", offline="Khác", y_label="Số hồ sơ", fmt="png"
    )
    assert png.startswith(b"\x89PNG")
    from matplotlib import font_manager

    used = font_manager.findfont(font_manager.FontProperties(family=charts.FAMILY), fallback_to_default=False)
    assert used.startswith(str(charts.FONTS))


def test_the_dashboard_page_names_each_charts_table(client, known, city):
    client.force_login(city.city_admin)
    html = client.get(f"/thong-ke/?pham-vi=co-quan:{known.a.slug}&ky=2025-Q1").content.decode()
    for chart in ("bd-thang", "bd-ket-qua", "bd-truc-tuyen"):
        assert f'aria-describedby="bang-{chart}"' in html
        assert f'<table class="table chart-data" id="bang-{chart}"' in html
    assert len(re.findall(r'<svg [^>]*role="img"', html)) == 3
    months = re.search(r'id="bang-bd-thang".*?</table>', html, re.S).group(0)
    assert '<th scope="row">01/2025</th><td>1</td><td>1</td><td>0</td>' in months  # a3, online
    assert '<th scope="row">03/2025</th><td>4</td><td>2</td><td>2</td>' in months  # a6–a9


def test_the_xlsx_export_carries_the_charts(client, known, city):
    client.force_login(city.city_admin)
    body = client.get(f"/thong-ke/?pham-vi=co-quan:{known.a.slug}&ky=2025-Q1&bang=ii06a&xuat=xlsx")
    book = load_workbook(io.BytesIO(body.content))
    assert book.active.title == "II.06a"  # the table stays the first sheet
    sheet = book["Biểu đồ"]
    assert len(sheet._images) == 3
    assert sheet["A1"].value == "Hồ sơ tiếp nhận theo tháng"
    csv = client.get(f"/thong-ke/?pham-vi=co-quan:{known.a.slug}&ky=2025-Q1&bang=ii06a&xuat=csv")
    assert csv.status_code == 200
