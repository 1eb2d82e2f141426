"""Shared layout of the printable forms: an A4 portrait page with the national heading, a centred
bold title, label/value lines, bordered tables (split across pages by fpdf2, headings repeated),
the place/date line and signature blocks. The fonts ship with the package (Noto Sans, OFL), so
Vietnamese diacritics render the same on any machine."""

from __future__ import annotations

import io
import re
import unicodedata
from decimal import Decimal
from pathlib import Path

import segno
from django.conf import settings
from django.utils import timezone
from fpdf import FPDF, FontFace
from fpdf.enums import XPos, YPos

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "NotoSans"
FONT_FILES = {"": "NotoSans-Regular.ttf", "B": "NotoSans-Bold.ttf", "I": "NotoSans-Italic.ttf"}

BODY_SIZE = 11.5
TABLE_SIZE = 10.5
LINE = 6.0  # mm per body line

NATIONAL_NAME = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
NATIONAL_MOTTO = "Độc lập - Tự do - Hạnh phúc"
CREATOR = "Hệ thống một cửa điện tử"
COUNCIL = re.compile("(ỦY|UỶ) BAN NHÂN DÂN")

FORM_LABELS = {
    "original": "Bản chính",
    "certified_copy": "Bản sao chứng thực",
    "copy": "Bản sao",
    "electronic": "Bản điện tử",
}
TIME_UNIT_LABELS = {
    "working_days": "ngày làm việc",
    "working_hours": "giờ làm việc",
    "calendar_days": "ngày",
    "months": "tháng",
}
TIMELINESS_LABELS = {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn"}


# --- formatting ----------------------------------------------------------------------------------


def local(dt):
    """`dt` in the city's time (Asia/Ho_Chi_Minh), whatever time zone the request activated."""
    return timezone.localtime(dt, timezone.get_default_timezone()) if dt is not None else None


def fmt_datetime(dt, empty=""):
    """'hh:mm dd/mm/yyyy' in local time."""
    return local(dt).strftime("%H:%M %d/%m/%Y") if dt is not None else empty


def fmt_date(value, empty=""):
    """'dd/mm/yyyy' of a date or (in local time) of a datetime."""
    if value is None:
        return empty
    if hasattr(value, "tzinfo"):
        value = local(value)
    return value.strftime("%d/%m/%Y")


def fmt_money(amount):
    """8000 -> '8.000 đồng'; 0 -> 'Miễn phí'."""
    amount = int(amount or 0)
    if amount == 0:
        return "Miễn phí"
    return f"{amount:,}".replace(",", ".") + " đồng"


def fmt_number(value):
    """Decimal('3.00') -> '3'; Decimal('1.50') -> '1,5' (Vietnamese decimal comma)."""
    if value is None:
        return ""
    text = f"{Decimal(value).normalize():f}"
    return text.replace(".", ",")


def fmt_time_limit(amount, unit):
    if amount is None:
        return ""
    return f"{fmt_number(amount)} {TIME_UNIT_LABELS.get(unit, unit)}".strip()


def place_date_line(value):
    """'Hải Phòng, ngày 26 tháng 11 năm 2025' (a date or, in local time, a datetime)."""
    if hasattr(value, "tzinfo"):
        value = local(value)
    place = settings.CITY_NAME
    return f"{place}, ngày {value:%d} tháng {value:%m} năm {value:%Y}"


def upper(text):
    return (text or "").upper()


# --- QR code -------------------------------------------------------------------------------------


def qr_png(data, *, scale=8):
    """A PNG of the QR code encoding `data` (error correction M, quiet zone of 4 modules)."""
    buffer = io.BytesIO()
    segno.make(data, error="m", micro=False).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


# --- the document --------------------------------------------------------------------------------


class FormPDF(FPDF):
    """A4 portrait with the package's fonts, a page footer 'reference — Trang x/y' and helpers."""

    def __init__(self, *, title, agency_name, reference="", created_at=None):
        super().__init__(orientation="P", unit="mm", format="A4")
        for style, name in FONT_FILES.items():
            self.add_font(FONT, style, str(FONT_DIR / name))
        self.set_margins(left=22, top=15, right=15)
        self.set_auto_page_break(auto=True, margin=18)
        self.reference = reference
        self.set_title(title)
        self.set_author(agency_name)
        self.set_creator(CREATOR)
        self.set_producer(CREATOR)
        self.set_lang("vi")
        if created_at is not None:
            self.set_creation_date(local(created_at))
        self.add_page()
        self.font(BODY_SIZE)

    def normalize_text(self, text):
        # Vietnamese typed on some systems arrives decomposed (base letter + combining marks); the
        # precomposed letters are what the font's glyphs and the text layer expect.
        return super().normalize_text(unicodedata.normalize("NFC", text))

    # fonts ------------------------------------------------------------------------------------
    def font(self, size=BODY_SIZE, style=""):
        self.set_font(FONT, style, size)

    def footer(self):
        self.set_y(-12)
        self.font(8)
        self.set_text_color(110)
        left = f"{self.reference} — " if self.reference else ""
        self.cell(0, 5, f"{left}Trang {self.page_no()}/{{nb}}", align="R")
        self.set_text_color(0)

    # blocks -----------------------------------------------------------------------------------
    def national_heading(self, *, agency_lines, right_date=None, number=""):
        """Left: the issuing body (first lines regular, last bold, upper case), a short rule and the
        optional 'Số: ...'. Right: the national name and motto, a short rule, and the place/date."""
        top = self.get_y()
        right_w, gap = 80, 3
        left_w = self.epw - right_w - gap
        right_x = self.l_margin + left_w + gap

        self.set_xy(self.l_margin, top)
        lines = [line for line in agency_lines if line]
        for i, line in enumerate(lines):
            self.font(10.5, "B" if i == len(lines) - 1 else "")
            text = upper(line)
            if self.get_string_width(text) > left_w - 2:
                text = COUNCIL.sub("UBND", text)  # the usual abbreviation, when the name does not fit
            self.multi_cell(left_w, 5, text, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self._rule(self.l_margin + left_w / 2, self.get_y() + 1, 22)
        self.set_y(self.get_y() + 2.5)
        if number:
            self.font(10.5)
            self.multi_cell(left_w, 5, number, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        left_bottom = self.get_y()

        self.set_xy(right_x, top)
        self.font(10.5, "B")
        self.multi_cell(right_w, 5, NATIONAL_NAME, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.font(11.5, "B")
        self.multi_cell(right_w, 5.5, NATIONAL_MOTTO, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
        motto_w = self.get_string_width(NATIONAL_MOTTO)
        self._rule(right_x + right_w / 2, self.get_y() + 1, motto_w)
        self.set_y(self.get_y() + 2.5)
        if right_date is not None:
            self.set_x(right_x)
            self.font(10.5, "I")
            self.multi_cell(
                right_w, 5, place_date_line(right_date), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT
            )
        right_bottom = self.get_y()
        self.set_xy(self.l_margin, max(left_bottom, right_bottom) + 6)
        self.font(BODY_SIZE)

    def _rule(self, centre_x, y, width):
        self.set_line_width(0.3)
        self.line(centre_x - width / 2, y, centre_x + width / 2, y)
        self.set_line_width(0.2)

    def form_title(self, text, *subtitles):
        self.font(14, "B")
        self.multi_cell(0, 7, upper(text), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        for sub in subtitles:
            if sub:
                self.font(BODY_SIZE, "I")
                self.multi_cell(0, LINE, sub, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(3)
        self.font(BODY_SIZE)

    def field(self, label, value, *, bold_value=False):
        """'Label: value' wrapped over the text width (the label in bold)."""
        self.set_x(self.l_margin)
        self.font(BODY_SIZE, "B")
        self.write(LINE, f"{label}: ")
        self.font(BODY_SIZE, "B" if bold_value else "")
        self.write(LINE, str(value) if value not in (None, "") else "")
        self.ln(LINE)

    def fields_inline(self, *pairs):
        """Several short 'Label: value' pairs on one line (wrapping if needed)."""
        pairs = [(label, value) for label, value in pairs if value]
        if not pairs:
            return
        self.set_x(self.l_margin)
        for i, (label, value) in enumerate(pairs):
            self.font(BODY_SIZE, "B")
            self.write(LINE, ("    " if i else "") + f"{label}: ")
            self.font(BODY_SIZE)
            self.write(LINE, value or "")
        self.ln(LINE)

    def para(self, text, *, style="", align="J", size=BODY_SIZE, after=1):
        self.set_x(self.l_margin)
        self.font(size, style)
        self.multi_cell(
            0, LINE if size >= BODY_SIZE else LINE - 1, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        self.ln(after)
        self.font(BODY_SIZE)

    def space(self, mm=2):
        self.ln(mm)

    def grid(self, headings, rows, *, widths, align=None, size=TABLE_SIZE):
        """A bordered table; `widths` are relative; `align` one letter (L/C/R) per column. Long tables
        continue on the next page with the heading row repeated."""
        self.font(size)
        align = align or ["L"] * len(headings)
        heading_style = FontFace(emphasis="BOLD", fill_color=(235, 235, 235))
        with self.table(
            col_widths=widths,
            text_align=tuple(align),
            headings_style=heading_style,
            line_height=size * 0.5,
            padding=1.2,
            v_align="MIDDLE",
            repeat_headings=1,
            width=self.epw,
        ) as table:
            head = table.row()
            for text in headings:
                head.cell(text, align="C")
            for row in rows:
                out = table.row()
                for value in row:
                    out.cell("" if value is None else str(value))
        self.ln(3)
        self.font(BODY_SIZE)

    def signatures(self, blocks, *, space=22):
        """Side-by-side signature blocks: (title, hint, name), or None for an empty column. Kept
        together on one page."""
        if self.get_y() + 12 + space + 8 > self.page_break_trigger:
            self.add_page()
        top = self.get_y() + 2
        width = self.epw / len(blocks)
        bottom = top
        for i, block in enumerate(blocks):
            if block is None:
                continue
            title, hint, name = block
            x = self.l_margin + i * width
            self.set_xy(x, top)
            self.font(BODY_SIZE, "B")
            self.multi_cell(width, LINE, upper(title), align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
            if hint:
                self.font(10, "I")
                self.multi_cell(width, 5, hint, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
            self.set_y(self.get_y() + space)
            self.set_x(x)
            if name:
                self.font(BODY_SIZE, "B")
                self.multi_cell(width, LINE, name, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
            bottom = max(bottom, self.get_y())
        self.set_xy(self.l_margin, bottom + 2)
        self.font(BODY_SIZE)

    def qr(self, data, *, x, y, size=30):
        self.image(io.BytesIO(qr_png(data)), x=x, y=y, w=size, h=size, alt_text=data)

    def bytes(self):
        return bytes(self.output())
