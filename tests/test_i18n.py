"""Vietnamese first, English through Django i18n: every UI string has an English translation."""

import gettext
import re
from pathlib import Path

from django.conf import settings

PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"


def _po_entries(text):
    """(msgid, msgstr) pairs from a .po file; continuation lines are joined."""
    entries, key, buf = [], None, {}
    for line in text.splitlines() + [""]:
        m = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$', line)
        if m:
            key = m.group(1)
            buf[key] = m.group(2)
        elif line.startswith('"') and key:
            buf[key] += line[1:-1]
        elif not line.strip() and buf:
            entries.append(buf)
            buf, key = {}, None
    return [e for e in entries if e.get("msgid")]


def test_every_vietnamese_ui_string_has_an_english_translation():
    entries = _po_entries(PO.read_text(encoding="utf-8"))
    assert len(entries) > 50
    untranslated = [e["msgid"] for e in entries if not (e.get("msgstr") or e.get("msgstr[0]"))]
    assert untranslated == []


def test_the_compiled_catalogue_matches_the_po_file():
    with PO.with_suffix(".mo").open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)
    for entry in _po_entries(PO.read_text(encoding="utf-8")):
        if "msgid_plural" in entry:
            continue
        msgid = entry["msgid"].replace('\\"', '"').replace("\\n", "\n")
        assert catalog.gettext(msgid) == entry["msgstr"].replace('\\"', '"').replace("\\n", "\n"), msgid
