"""The bottom package `core/` and the rules that keep it the bottom: it imports nothing of the
project, folding is defined once, and settings are read as declared (config/settings/base.py)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from core.text import fold

ROOT = Path(__file__).resolve().parents[2]
PROJECT_PACKAGES = ("core", "config", "tenants", "shared_apps", "tenant_apps")


def _python_files(*packages):
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_folding_drops_vietnamese_diacritics_case_and_outer_spaces():
    assert fold("  Bạch Long Vĩ ") == "bach long vi"
    assert fold("Đồ Sơn") == fold("đo son") == "do son"
    assert fold("THỦY NGUYÊN") == "thuy nguyen"
    assert fold(None) == fold("") == ""


def test_core_imports_nothing_of_the_project():
    offenders = []
    for path in _python_files("core"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            offenders += [
                f"{path.relative_to(ROOT)}:{node.lineno} {name}"
                for name in names
                if name.split(".")[0] in PROJECT_PACKAGES[1:]
            ]
    assert offenders == []


def test_fold_is_defined_only_in_core():
    definitions = [
        str(path.relative_to(ROOT))
        for path in _python_files(*PROJECT_PACKAGES)
        if re.search(r"^def fold\(", path.read_text(), re.M)
    ]
    assert definitions == ["core/text.py"]


def test_settings_are_read_as_declared_never_with_an_inline_default():
    readers = [
        str(path.relative_to(ROOT))
        for path in _python_files(*PROJECT_PACKAGES)
        if re.search(r"getattr\(\s*settings\b", path.read_text())
        and path.parent != ROOT / "config" / "settings"
    ]
    assert readers == []
