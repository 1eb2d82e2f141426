"""Form 07: the logbook (Sổ theo dõi hồ sơ) of an agency over a period, as an xlsx workbook."""

from __future__ import annotations

import io
from datetime import datetime, time, timedelta

from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from core.dossier import STATE_LABELS, State

from ..models import Dossier
from ..services.core import ensure_in_agency
from .numbering import logbook_numbers
from .pdf import fmt_date, local

TITLE = "Sổ theo dõi hồ sơ"
DATE_FORMAT = "dd/mm/yyyy"
# Text that a spreadsheet would run as a formula (CSV/formula injection); tab and CR too (OWASP).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

COLUMNS = (  # heading, width
    ("Số thứ tự", 8),
    ("Quyển số", 10),
    ("Mã hồ sơ", 26),
    ("Tên thủ tục hành chính", 36),
    ("Tên người nộp hồ sơ", 24),
    ("Địa chỉ, số điện thoại", 34),
    ("Cơ quan chủ trì giải quyết", 24),
    ("Ngày nhận hồ sơ", 13),
    ("Ngày hẹn trả kết quả", 13),
    ("Ngày có kết quả", 13),
    ("Ngày trả kết quả", 13),
    ("Người nhận kết quả", 22),
    ("Ghi chú", 30),
)
DATE_COLUMNS = range(8, 12)  # 1-based


def neutralise(value):
    """A string a spreadsheet would read as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _local_date(dt):
    return local(dt).date() if dt is not None else None


def _note(d):
    parts = []
    if d.state in (State.WITHDRAWN, State.STOPPED):
        with translation.override("vi"):  # an official book: in Vietnamese whatever the reader's language
            parts.append(str(STATE_LABELS[State(d.state)]))
    if d.closing_reason:
        parts.append(d.closing_reason)
    if d.apology_count:
        parts.append("Đã xin lỗi và hẹn lại")
    if d.timeliness == "late":
        parts.append("Trả kết quả quá hạn")
    return "; ".join(parts)


def logbook_rows(*, agency, date_from, date_to):
    """The logbook's rows (lists of cell values, dates as `date`) for dossiers received between
    `date_from` and `date_to` (local dates, both included), in order of receipt, each with its entry and
    book number (numbering.py; blank for a dossier holding another agency's code). Two queries."""
    ensure_in_agency(agency)
    tz = timezone.get_default_timezone()
    start = datetime.combine(date_from, time.min, tzinfo=tz)
    end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=tz)
    dossiers = (
        Dossier.objects.select_related("procedure")
        .filter(code__isnull=False, received_at__gte=start, received_at__lt=end)
        .order_by("received_at", "id")
    )
    dossiers = list(dossiers)
    numbers = logbook_numbers(agency=agency, codes=[d.code for d in dossiers])
    rows = []
    for d in dossiers:
        contact = ", ".join(p for p in (d.applicant_address, d.applicant_phone) if p)
        book, entry = numbers.get(d.code, ("", ""))
        rows.append(
            [
                entry,
                book,
                d.code,
                d.procedure.name,
                d.applicant_name,
                contact,
                agency.name,
                _local_date(d.received_at),
                _local_date(d.due_at),
                _local_date(d.finished_at),
                _local_date(d.returned_at),
                d.collected_by,
                _note(d),
            ]
        )
    return rows


def logbook_xlsx(*, agency, date_from, date_to):
    """Form 07 as xlsx bytes: a title, the period, a bold heading row, one row per dossier received in
    the period. Run with the connection on the agency's schema; two queries whatever the size."""
    rows = logbook_rows(agency=agency, date_from=date_from, date_to=date_to)
    wb = Workbook()
    ws = wb.active
    ws.title = "So theo doi ho so"
    last_col = get_column_letter(len(COLUMNS))
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)

    ws.append([neutralise(f"{TITLE.upper()} — {agency.name}")])
    ws.merge_cells(f"A1:{last_col}1")
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append([f"Từ ngày {fmt_date(date_from)} đến ngày {fmt_date(date_to)}"])
    ws.merge_cells(f"A2:{last_col}2")
    ws["A2"].font = Font(italic=True)
    ws["A2"].alignment = Alignment(horizontal="center")
    ws.append([])

    header_row = 4
    ws.append([heading for heading, _width in COLUMNS])
    for col, (_heading, width) in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=header_row, column=col)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E8E8E8")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
        ws.column_dimensions[get_column_letter(col)].width = width

    wrap = Alignment(vertical="top", wrap_text=True)
    for values in rows:
        ws.append([neutralise(v) for v in values])
        r = ws.max_row
        for col in range(1, len(COLUMNS) + 1):
            cell = ws.cell(row=r, column=col)
            cell.border = border
            cell.alignment = wrap
            if col in DATE_COLUMNS:
                cell.number_format = DATE_FORMAT

    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    wb.properties.title = TITLE
    wb.properties.creator = agency.name

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
