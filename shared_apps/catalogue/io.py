"""Import and export of the catalogue in the national procedure database's shape.

One row per procedure; multi-valued cells hold one item per line, an item's parts separated by
" | " (documented in shared_apps/catalogue/data/README.md). An import is all-or-nothing: every row
is checked first, every bad row is reported with its row number and reason, and only a file without
errors is written, in one transaction."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction

from tenants.models import AgencyKind

from .content import ComponentSpec, FeeSpec, StepSpec, VersionContent, content_of
from .models import Channel, ComponentForm, Level, OnlineMode, Procedure, StepRole, TimeUnit
from .selectors import procedure_current_version
from .services import (
    content_problems,
    ensure_city_admin,
    procedure_draft_create,
    procedure_version_publish,
    sector_ensure,
)

AGENCY_CODE = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$")


def step_agency_valid(value):
    """Who performs an inter-agency step: an agency kind or a national agency code (000.00.xx.Hnn)."""
    return value in AgencyKind.values or bool(AGENCY_CODE.match(value))


COLUMNS = [
    "ma_thu_tuc",
    "ten_thu_tuc",
    "ma_linh_vuc",
    "ten_linh_vuc",
    "cap_thuc_hien",
    "kenh_nop",
    "muc_do",
    "thoi_han",
    "don_vi_thoi_han",
    "gio_chot",
    "can_cu_phap_ly",
    "thanh_phan_ho_so",
    "phi_le_phi",
    "hieu_luc_tu",
    "nguon",
    "ghi_chu",
]
OPTIONAL_COLUMNS = ["quy_trinh"]
CODE_RE = re.compile(r"^\d\.\d{6}$")
SECTOR_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_ROWS = 20000
MAX_BYTES = 20 * 1024 * 1024


class ImportFailed(Exception):
    def __init__(self, errors):
        super().__init__(f"{len(errors)} lỗi")
        self.errors = errors  # [(row number, message)]


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ParsedRow:
    row: int
    code: str
    name: str
    sector_code: str
    sector_name: str
    content: VersionContent


def _read_rows(data: bytes, filename: str):
    if len(data) > MAX_BYTES:
        raise ImportFailed([(0, f"Tệp lớn hơn {MAX_BYTES // 1024 // 1024} MB.")])
    if filename.lower().endswith(".xlsx") or data[:2] == b"PK":
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:
            raise ImportFailed([(0, f"Không đọc được tệp Excel: {exc}")]) from exc
        ws = wb.worksheets[0]
        if (ws.max_row or 0) > MAX_ROWS + 1:
            raise ImportFailed([(0, f"Tệp có quá nhiều dòng (tối đa {MAX_ROWS}).")])
        rows = [
            ["" if v is None else (v if isinstance(v, (date, datetime)) else str(v)) for v in r]
            for r in ws.iter_rows(values_only=True)
        ]
        wb.close()
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ImportFailed([(0, "Tệp CSV phải mã hoá UTF-8.")]) from exc
        rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise ImportFailed([(0, "Tệp rỗng.")])
    header = [str(h).strip().lower() for h in rows[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ImportFailed([(1, "Thiếu cột: " + ", ".join(missing))])
    out = []
    for number, values in enumerate(rows[1:], start=2):
        if not any(str(v).strip() for v in values):
            continue
        out.append((number, {h: values[i] if i < len(values) else "" for i, h in enumerate(header)}))
    if len(out) > MAX_ROWS:
        raise ImportFailed([(0, f"Tệp có quá nhiều dòng (tối đa {MAX_ROWS}).")])
    return out


def _lines(cell):
    return [line.strip() for line in str(cell or "").splitlines() if line.strip()]


def _parse_date(value):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    value = str(value or "").strip()
    if not value:
        return None
    return datetime.strptime(value, "%d/%m/%Y").date()


def _parse_row(number, cells):
    errors = []

    def err(message):
        errors.append((number, message))

    code = str(cells["ma_thu_tuc"]).strip()
    if not CODE_RE.match(code):
        err(f"Mã thủ tục “{code}” không đúng mẫu 1.001193.")
    name = str(cells["ten_thu_tuc"]).strip()
    if not name:
        err("Thiếu tên thủ tục.")
    sector_code = str(cells["ma_linh_vuc"]).strip()
    sector_name = str(cells["ten_linh_vuc"]).strip()
    if not SECTOR_RE.match(sector_code) or not sector_name:
        err("Mã hoặc tên lĩnh vực không hợp lệ.")
    levels = tuple(v.strip() for v in str(cells["cap_thuc_hien"]).split(";") if v.strip())
    channels = tuple(v.strip() for v in str(cells["kenh_nop"]).split(";") if v.strip())
    mode = str(cells["muc_do"] or "").strip()
    for value, allowed, label in (
        (levels, Level.values, "Cấp thực hiện"),
        (channels, Channel.values, "Kênh nộp"),
    ):
        bad = [v for v in value if v not in allowed]
        if bad or not value:
            err(f"{label} không hợp lệ: {', '.join(bad) or '(trống)'}; dùng {', '.join(allowed)}.")
    if mode not in OnlineMode.values:
        err(f"Mức độ “{mode}” không hợp lệ; dùng full, partial hoặc để trống.")
    try:
        time_limit = Decimal(str(cells["thoi_han"]).strip().replace(",", "."))
    except InvalidOperation:
        err(f"Thời hạn “{cells['thoi_han']}” không phải là số.")
        time_limit = Decimal("0")
    unit = str(cells["don_vi_thoi_han"]).strip()
    if unit not in TimeUnit.values:
        err(f"Đơn vị thời hạn “{unit}” không hợp lệ; dùng {', '.join(TimeUnit.values)}.")
    cutoff = None
    if str(cells["gio_chot"] or "").strip():
        try:
            cutoff = datetime.strptime(str(cells["gio_chot"]).strip()[:5], "%H:%M").time()
        except ValueError:
            err(f"Giờ chốt “{cells['gio_chot']}” phải theo dạng hh:mm.")
    try:
        valid_from = _parse_date(cells["hieu_luc_tu"])
    except ValueError:
        err(f"Ngày hiệu lực “{cells['hieu_luc_tu']}” phải theo dạng dd/mm/yyyy.")
        valid_from = None
    components = []
    for line in _lines(cells["thanh_phan_ho_so"]):
        parts = [p.strip() for p in line.split("|")]
        if (
            len(parts) != 4
            or parts[1] not in ComponentForm.values
            or not parts[2].isdigit()
            or parts[3] not in ("required", "optional")
        ):
            err(f"Thành phần hồ sơ sai dạng “Tên | hình thức | số lượng | required/optional”: “{line[:80]}”.")
            continue
        components.append(ComponentSpec(parts[0], parts[1], int(parts[2]), parts[3] == "required"))
    fees = []
    for line in _lines(cells["phi_le_phi"]):
        parts = [p.strip() for p in line.split("|")]
        if len(parts) not in (2, 3) or not parts[1].isdigit():
            err(f"Phí, lệ phí sai dạng “Tên | số tiền (đồng) | đơn vị thu”: “{line[:80]}”.")
            continue
        fees.append(FeeSpec(parts[0], int(parts[1]), parts[2] if len(parts) == 3 else ""))
    steps = None
    if _lines(cells.get("quy_trinh")):
        steps = []
        for line in _lines(cells.get("quy_trinh")):
            parts = [p.strip() for p in line.split("|")]
            try:
                share = Decimal(parts[3])
            except (InvalidOperation, IndexError):
                share = None
            if len(parts) not in (4, 5) or parts[2] not in StepRole.values or share is None:
                err(
                    f"Bước quy trình sai dạng “mã | tên | vai trò | tỷ lệ % [| cơ quan thực hiện]”: “{line[:80]}”."
                )
                continue
            performer = parts[4] if len(parts) == 5 else ""
            if performer and not step_agency_valid(performer):
                err(
                    f"Cơ quan thực hiện bước “{parts[0]}” phải là loại cơ quan ({', '.join(AgencyKind.values)}) "
                    f"hoặc mã cơ quan dạng 000.00.xx.Hnn: “{performer[:40]}”."
                )
                continue
            steps.append(StepSpec(parts[0], parts[1], parts[2], share, performer))
    content_kwargs = dict(
        levels=levels,
        channels=channels,
        time_limit=time_limit,
        time_unit=unit,
        online_mode=mode,
        cutoff=cutoff,
        legal_basis="\n".join(_lines(cells["can_cu_phap_ly"])),
        source=str(cells["nguon"] or "").strip(),
        notes=str(cells["ghi_chu"] or "").strip(),
        valid_from=valid_from,
        components=tuple(components),
        fees=tuple(fees),
    )
    if steps is not None:
        content_kwargs["steps"] = tuple(steps)
    content = VersionContent(**content_kwargs)
    if not errors:
        for _field, message in content_problems(content):
            err(message)
    return ParsedRow(number, code, name, sector_code, sector_name, content), errors


def catalogue_import(*, data: bytes, filename: str, acting_user, dry_run=False) -> ImportReport:
    """Check the whole file, then (unless dry_run) write it in one transaction: new procedures are
    created and published; a procedure whose content changed gets a new published version;
    identical ones are left alone."""
    ensure_city_admin(acting_user)
    parsed, errors, seen = [], [], {}
    for number, cells in _read_rows(data, filename):
        row, row_errors = _parse_row(number, cells)
        if row.code in seen:
            row_errors.append((number, f"Mã thủ tục {row.code} trùng với dòng {seen[row.code]}."))
        seen.setdefault(row.code, number)
        errors.extend(row_errors)
        parsed.append(row)
    if errors:
        raise ImportFailed(errors)
    report = ImportReport()
    existing = {
        p.national_code: p for p in Procedure.objects.filter(national_code__in=[r.code for r in parsed])
    }
    with transaction.atomic():
        for row in parsed:
            procedure = existing.get(row.code)
            current = procedure_current_version(procedure=procedure) if procedure else None
            if (
                current is not None
                and content_of(current).comparable() == row.content.comparable()
                and procedure.name == row.name
                and procedure.sector.code == row.sector_code
            ):
                report.unchanged.append(row.code)
                continue
            sector = sector_ensure(code=row.sector_code, name=row.sector_name, acting_user=acting_user)
            version = procedure_draft_create(
                national_code=row.code,
                name=row.name,
                sector=sector,
                content=row.content,
                acting_user=acting_user,
            )
            procedure_version_publish(version=version, acting_user=acting_user)
            (report.updated if procedure else report.created).append(row.code)
        if dry_run:
            transaction.set_rollback(True)
    return report


def _safe_cell(value):
    """Neutralise spreadsheet formulas (CSV injection): a cell starting with = + - @ gets a quote."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def _row_for(procedure, version):
    content = content_of(version)
    return [
        procedure.national_code,
        procedure.name,
        procedure.sector.code,
        procedure.sector.name,
        ";".join(content.levels),
        ";".join(content.channels),
        content.online_mode,
        format(Decimal(content.time_limit).normalize(), "f"),
        content.time_unit,
        content.cutoff.strftime("%H:%M") if content.cutoff else "",
        content.legal_basis,
        "\n".join(
            f"{c.name} | {c.form} | {c.quantity} | {'required' if c.required else 'optional'}"
            for c in content.components
        ),
        "\n".join(f"{f.name} | {f.amount} | {f.collector}" for f in content.fees),
        content.valid_from.strftime("%d/%m/%Y") if content.valid_from else "",
        content.source,
        content.notes,
        "\n".join(
            f"{s.code} | {s.name} | {s.role} | {Decimal(s.share).normalize():f}"
            + (f" | {s.agency}" if s.agency else "")
            for s in content.steps
        ),
    ]


def catalogue_export_rows():
    from django.db.models import Prefetch

    from .models import ProcedureVersion, VersionStatus

    published = (
        ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED)
        .order_by("-number")
        .prefetch_related("components", "fees", "steps")
    )
    procedures = (
        Procedure.objects.select_related("sector")
        .prefetch_related(Prefetch("versions", queryset=published, to_attr="published_versions"))
        .order_by("national_code")
    )
    for procedure in procedures:
        if procedure.published_versions:
            yield _row_for(procedure, procedure.published_versions[0])


def catalogue_export_xlsx() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "thu_tuc"
    ws.append(COLUMNS + OPTIONAL_COLUMNS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in catalogue_export_rows():
        ws.append([_safe_cell(v) for v in row])
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def catalogue_export_csv() -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(COLUMNS + OPTIONAL_COLUMNS)
    for row in catalogue_export_rows():
        writer.writerow([_safe_cell(v) for v in row])
    return buf.getvalue()
