"""Every table of the reports as CSV (UTF-8 with BOM, for Excel) or xlsx. Text cells starting with
= + - @ (or a tab / carriage return) are neutralised with a leading apostrophe so that a spreadsheet
never runs them as formulas; numbers stay numbers. An xlsx may carry charts (PNG drawn by charts.py,
the same drawing as the page's SVG) on a second sheet, "Biểu đồ"."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe(value):
    if isinstance(value, str) and value.startswith(DANGEROUS):
        return "'" + value
    return value


def table_rows(table):
    """Header + one line per row + the total line of an II.06a Table (dashboard.Table)."""
    first = {"agency": "Cơ quan", "procedure": "Thủ tục", "sector": "Lĩnh vực"}[table.by]
    lines = [[first, *table.headers]]
    for row in table.rows:
        lines.append([row.label, *(row.value(c) for c in table.columns)])
    lines.append(["Tổng cộng", *(getattr(table.totals, c) for c in table.columns)])
    return lines


def to_csv(lines, filename):
    buf = io.StringIO()
    buf.write("\ufeff")
    writer = csv.writer(buf)
    for line in lines:
        writer.writerow([safe(v) for v in line])
    response = HttpResponse(buf.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


CHART_SHEET = "Biểu đồ"
CHART_ROWS = 22  # rows taken by one chart and its caption (default row height 20 px)


def to_xlsx(lines, filename, title="Báo cáo", charts=()):
    from openpyxl import Workbook
    from openpyxl.drawing.image import Image
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    for line in lines:
        ws.append([safe(v) for v in line])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.column_dimensions["A"].width = 48
    if charts:
        sheet = wb.create_sheet(CHART_SHEET)
        for i, (caption, png) in enumerate(charts):
            top = 1 + i * CHART_ROWS
            sheet.cell(row=top, column=1, value=safe(str(caption))).font = Font(bold=True)
            image = Image(io.BytesIO(png))
            image.width, image.height = image.width * 2 // 3, image.height * 2 // 3  # 150 dpi → 100
            sheet.add_image(image, f"A{top + 1}")
    buf = io.BytesIO()
    wb.save(buf)
    response = HttpResponse(buf.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def export(lines, *, fmt, filename, title="Báo cáo", charts=()):
    """`charts`: [(caption, PNG bytes)], xlsx only (a CSV holds one table)."""
    return to_xlsx(lines, filename, title, charts) if fmt == "xlsx" else to_csv(lines, filename)
