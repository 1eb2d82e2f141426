#!/usr/bin/env python3
"""Validate starter_catalogue.csv (standard library only).

Usage:
    python shared_apps/catalogue/data/check_starter.py [path/to/starter_catalogue.csv]

Exits 0 when the file is valid; otherwise prints one line per problem, prefixed
with the CSV row number (the header is row 1, the first procedure is row 2),
and exits 1.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import sys
from collections import Counter
from pathlib import Path

HEADER = [
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
    "quy_trinh",
]

# National procedure codes: one digit, a dot, six digits (1.001193, 2.000815,
# 3.000333, 1.115797 ...). Province-specific suffixes such as ".H19" are not
# part of the national code and are rejected here.
CODE_RE = re.compile(r"^\d\.\d{6}$")
# The process template (optional column): roles of the catalogue's StepRole, and who performs an
# inter-agency step (an agency kind of tenants.AgencyKind, or a national agency code 000.00.xx.Hnn).
STEP_ROLES = {"receiving_officer", "unit_head", "specialist", "leader"}
AGENCY_KINDS = {"city", "department", "district", "commune", "ward", "special_zone"}
AGENCY_CODE_RE = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$")
SHARE_RE = re.compile(r"^\d+(\.\d+)?$")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CUTOFF_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
DATE_RE = re.compile(r"^\d{2}/\d{2}/\d{4}$")
NUMBER_RE = re.compile(r"^\d+(?:\.\d+)?$")
INT_RE = re.compile(r"^\d+$")

LEVELS = {"commune", "department", "city"}
CHANNELS = {"in_person", "online", "post"}
MODES = {"full", "partial", ""}
UNITS = {"working_hours", "working_days", "calendar_days", "months"}
FORMS = {"original", "certified_copy", "copy", "electronic"}
REQUIRED = {"required", "optional"}
SAME_DAY_WORDS = ("trong ngày",)

MIN_ROWS = 40
MIN_COMMUNE = 15
MIN_DEPARTMENT = 15


def split_set(value: str) -> list[str]:
    return [p.strip() for p in value.split(";")] if value.strip() else []


def lines(value: str) -> list[str]:
    return [ln for ln in value.split("\n")]


def has_vietnamese_diacritics(text: str) -> bool:
    return any(ord(ch) > 127 for ch in text)


def check(path: Path) -> list[str]:
    errors: list[str] = []
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        errors.append("row 0: file starts with a UTF-8 BOM (plain UTF-8 is required)")
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return [f"row 0: file is not valid UTF-8 ({exc})"]

    reader = csv.reader(io.StringIO(text, newline=""))
    rows = list(reader)
    if not rows:
        return ["row 1: empty file"]
    if rows[0] != HEADER:
        errors.append(
            f"row 1: header mismatch\n  expected: {','.join(HEADER)}\n  found:    {','.join(rows[0])}"
        )
        return errors

    codes = Counter()
    sector_names: dict[str, tuple[str, int]] = {}
    n_commune = n_department = 0
    body = rows[1:]

    for idx, row in enumerate(body, start=2):

        def err(msg: str, idx: int = idx) -> None:
            errors.append(f"row {idx}: {msg}")

        if len(row) != len(HEADER):
            err(f"expected {len(HEADER)} columns, found {len(row)}")
            continue
        rec = dict(zip(HEADER, row, strict=False))
        code = rec["ma_thu_tuc"]
        label = f"[{code}]"

        for col, val in rec.items():
            if val != val.strip() and col not in (
                "can_cu_phap_ly",
                "thanh_phan_ho_so",
                "phi_le_phi",
                "ghi_chu",
                "quy_trinh",
            ):
                err(f"{label} {col} has leading/trailing whitespace")
            if "\r" in val:
                err(f"{label} {col} contains a carriage return inside the cell (use \\n only)")

        # 1 code
        if not CODE_RE.match(code):
            err(f"ma_thu_tuc {code!r} does not match {CODE_RE.pattern}")
        codes[code] += 1

        # 2 name
        name = rec["ten_thu_tuc"]
        if not name:
            err(f"{label} ten_thu_tuc is empty")
        elif not has_vietnamese_diacritics(name):
            err(f"{label} ten_thu_tuc has no Vietnamese diacritics: {name!r}")

        # 3-4 sector
        slug, sname = rec["ma_linh_vuc"], rec["ten_linh_vuc"]
        if not SLUG_RE.match(slug):
            err(f"{label} ma_linh_vuc {slug!r} is not a lowercase slug")
        if not sname:
            err(f"{label} ten_linh_vuc is empty")
        if slug in sector_names and sector_names[slug][0] != sname:
            err(
                f"{label} ten_linh_vuc {sname!r} differs from {sector_names[slug][0]!r} used for {slug} in row {sector_names[slug][1]}"
            )
        sector_names.setdefault(slug, (sname, idx))

        # 5 levels
        levels = split_set(rec["cap_thuc_hien"])
        if not levels:
            err(f"{label} cap_thuc_hien is empty")
        for lv in levels:
            if lv not in LEVELS:
                err(f"{label} cap_thuc_hien value {lv!r} not in {sorted(LEVELS)}")
        if len(set(levels)) != len(levels):
            err(f"{label} cap_thuc_hien has duplicates")
        if "commune" in levels:
            n_commune += 1
        if "department" in levels:
            n_department += 1

        # 6 channels
        channels = split_set(rec["kenh_nop"])
        if not channels:
            err(f"{label} kenh_nop is empty")
        for ch in channels:
            if ch not in CHANNELS:
                err(f"{label} kenh_nop value {ch!r} not in {sorted(CHANNELS)}")
        if len(set(channels)) != len(channels):
            err(f"{label} kenh_nop has duplicates")

        # 7 online mode, consistent with channels
        mode = rec["muc_do"]
        if mode not in MODES:
            err(f"{label} muc_do {mode!r} not in full/partial/empty")
        if mode and "online" not in channels:
            err(f"{label} muc_do is {mode!r} but kenh_nop has no 'online'")
        if not mode and "online" in channels:
            err(f"{label} kenh_nop has 'online' but muc_do is empty")

        # 8-9 time limit
        limit, unit = rec["thoi_han"], rec["don_vi_thoi_han"]
        if not NUMBER_RE.match(limit):
            err(f"{label} thoi_han {limit!r} is not a non-negative number (use a dot for decimals)")
        elif float(limit) == 0:
            note = rec["ghi_chu"].lower()
            if not any(w in note for w in SAME_DAY_WORDS):
                err(f"{label} thoi_han is 0 but ghi_chu does not explain the same-day rule ('trong ngày')")
        if unit not in UNITS:
            err(f"{label} don_vi_thoi_han {unit!r} not in {sorted(UNITS)}")

        # 10 cut-off
        cutoff = rec["gio_chot"]
        if cutoff and not CUTOFF_RE.match(cutoff):
            err(f"{label} gio_chot {cutoff!r} is not HH:MM")

        # 11 legal basis
        legal = lines(rec["can_cu_phap_ly"])
        if not rec["can_cu_phap_ly"].strip():
            err(f"{label} can_cu_phap_ly is empty")
        else:
            for n, ln in enumerate(legal, 1):
                if not ln.strip():
                    err(f"{label} can_cu_phap_ly line {n} is blank")
            if len(set(legal)) != len(legal):
                err(f"{label} can_cu_phap_ly has duplicate lines")

        # 12 components: name | form | qty | required?
        if not rec["thanh_phan_ho_so"].strip():
            err(f"{label} thanh_phan_ho_so is empty")
        else:
            n_required = 0
            for n, ln in enumerate(lines(rec["thanh_phan_ho_so"]), 1):
                parts = [p.strip() for p in ln.split(" | ")]
                if len(parts) != 4:
                    err(f"{label} thanh_phan_ho_so line {n} must have 4 parts separated by ' | ': {ln!r}")
                    continue
                cname, form, qty, req = parts
                if not cname:
                    err(f"{label} thanh_phan_ho_so line {n} has an empty name")
                if form not in FORMS:
                    err(f"{label} thanh_phan_ho_so line {n} form {form!r} not in {sorted(FORMS)}")
                if not INT_RE.match(qty) or int(qty) < 1:
                    err(f"{label} thanh_phan_ho_so line {n} quantity {qty!r} is not a positive integer")
                if req not in REQUIRED:
                    err(f"{label} thanh_phan_ho_so line {n} {req!r} not in required/optional")
                if req == "required":
                    n_required += 1
            if n_required == 0:
                err(f"{label} thanh_phan_ho_so has no required component")

        # 13 fees: name | integer VND | collector
        if not rec["phi_le_phi"].strip():
            err(f"{label} phi_le_phi is empty (write a 0 line for free procedures)")
        else:
            for n, ln in enumerate(lines(rec["phi_le_phi"]), 1):
                parts = [p.strip() for p in ln.split(" | ")]
                if len(parts) != 3:
                    err(f"{label} phi_le_phi line {n} must have 3 parts separated by ' | ': {ln!r}")
                    continue
                fname, amount, collector = parts
                if not fname:
                    err(f"{label} phi_le_phi line {n} has an empty name")
                if not INT_RE.match(amount):
                    err(f"{label} phi_le_phi line {n} amount {amount!r} is not an integer number of VND")
                if not collector:
                    err(f"{label} phi_le_phi line {n} has no collecting unit")

        # 14 date
        date = rec["hieu_luc_tu"]
        if date:
            if not DATE_RE.match(date):
                err(f"{label} hieu_luc_tu {date!r} is not dd/mm/yyyy")
            else:
                try:
                    dt.datetime.strptime(date, "%d/%m/%Y")
                except ValueError:
                    err(f"{label} hieu_luc_tu {date!r} is not a real date")

        # 15 source
        if not rec["nguon"].strip():
            err(f"{label} nguon is empty")

        # 17 process (optional): code | name | role | share % [| agency kind or agency code], shares = 100
        if rec["quy_trinh"].strip():
            total = 0.0
            for n, ln in enumerate(lines(rec["quy_trinh"]), 1):
                parts = [p.strip() for p in ln.split(" | ")]
                if len(parts) not in (4, 5) or parts[2] not in STEP_ROLES or not SHARE_RE.match(parts[3]):
                    err(f"{label} quy_trinh line {n} must be 'code | name | role | share [| agency]': {ln!r}")
                    continue
                total += float(parts[3])
                if len(parts) == 5 and parts[4] not in AGENCY_KINDS and not AGENCY_CODE_RE.match(parts[4]):
                    err(f"{label} quy_trinh line {n} agency {parts[4]!r} is not an agency kind or code")
            if abs(total - 100) > 1e-9:
                err(f"{label} quy_trinh shares add up to {total:g}, not 100")

    for code, count in codes.items():
        if count > 1:
            rows_with = [i for i, r in enumerate(body, start=2) if r and r[0] == code]
            errors.append(f"rows {rows_with}: ma_thu_tuc {code} appears {count} times")

    if len(body) < MIN_ROWS:
        errors.append(f"row 0: only {len(body)} procedures, at least {MIN_ROWS} required")
    if n_commune < MIN_COMMUNE:
        errors.append(f"row 0: only {n_commune} commune-level procedures, at least {MIN_COMMUNE} required")
    if n_department < MIN_DEPARTMENT:
        errors.append(
            f"row 0: only {n_department} department-level procedures, at least {MIN_DEPARTMENT} required"
        )
    return errors


def summary(path: Path) -> str:
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    by_level = Counter()
    by_sector = Counter()
    for r in rows:
        for lv in split_set(r["cap_thuc_hien"]):
            by_level[lv] += 1
        by_sector[r["ma_linh_vuc"]] += 1
    parts = [f"{len(rows)} procedures"]
    parts.append("levels: " + ", ".join(f"{k}={v}" for k, v in sorted(by_level.items())))
    parts.append("sectors: " + ", ".join(f"{k}={v}" for k, v in sorted(by_sector.items())))
    return "; ".join(parts)


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else Path(__file__).with_name("starter_catalogue.csv")
    if not path.is_file():
        print(f"row 0: file not found: {path}")
        return 1
    errors = check(path)
    if errors:
        for e in errors:
            print(e)
        print(f"FAILED: {len(errors)} problem(s) in {path}")
        return 1
    print(f"OK: {summary(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
