"""Every event kind of a dossier reads as words, never as its code, on the public timeline (the
look-up by code) and on the desk's dossier page, in Vietnamese and in English."""

import html
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone, translation

from core.dossier import EVENT_KINDS, EVENT_LABELS, PUBLIC_EVENT_LABELS, event_label, public_event_label
from tests.dossiers.conftest import receive

pytestmark = pytest.mark.django_db

LANGUAGES = ("vi", "en")


def _timeline(body):
    """The text of each item of the page's timeline, unescaped."""
    block = re.search(r'<ol class="timeline">(.*?)</ol>', body, re.S)
    assert block, "the page has no timeline"
    items = re.findall(r"<li>(.*?)</li>", block.group(1), re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", item)) for item in items]


def _raw_codes(text):
    return [kind for kind in EVENT_KINDS if re.search(rf"(?<![\w-]){re.escape(kind)}(?![\w-])", text)]


def _with_every_event_kind(desk):
    """A received dossier whose history and public timeline then hold one event of every kind (rows
    written directly: no single story of a dossier goes through a merger, a hand-over and a
    hand-back at once, and the pages only read the rows)."""
    from shared_apps.tracking.models import DossierIndex, IndexEvent
    from tenant_apps.dossiers.models import DossierEvent

    dossier = receive(desk)
    last = dossier.events.order_by("-seq").first()
    entry = DossierIndex.objects.get(code=dossier.code)
    at = timezone.now()
    for i, kind in enumerate(EVENT_KINDS, start=1):
        when = at + timedelta(minutes=i)
        DossierEvent.objects.create(
            dossier=dossier,
            seq=last.seq + i,
            action=kind,
            from_state=dossier.state,
            to_state=dossier.state,
            actor_name="Cán bộ một cửa",
            at=when,
        )
        IndexEvent.objects.create(
            entry=entry, at=when, action=kind, national_status=2, agency_name=desk.agency.name
        )
    return dossier


def test_the_vocabulary_labels_every_event_kind_in_both_languages():
    assert set(EVENT_KINDS) == set(EVENT_LABELS) == set(PUBLIC_EVENT_LABELS)
    for kind in EVENT_KINDS:
        with translation.override("vi"):
            vi = (event_label(kind), public_event_label(kind))
        with translation.override("en"):
            en = (event_label(kind), public_event_label(kind))
        assert kind not in vi + en
        assert vi[0] != en[0] and vi[1] != en[1], f"{kind} has no English label"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_public_timeline_shows_a_label_for_every_event_kind(client, desk, language):
    dossier = _with_every_event_kind(desk)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    items = _timeline(client.get(f"/tra-cuu/{dossier.code}/").content.decode())
    with translation.override(language):
        expected = [public_event_label(kind) for kind in EVENT_KINDS]
    assert len(items) >= len(EVENT_KINDS)
    shown = items[-len(EVENT_KINDS) :]  # the dossier's own events come first
    for kind, label, text in zip(EVENT_KINDS, expected, shown, strict=True):
        assert label in text, (kind, text)
    assert [(text, _raw_codes(text)) for text in items if _raw_codes(text)] == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_desk_dossier_page_shows_a_label_for_every_event_kind(client, desk, language):
    dossier = _with_every_event_kind(desk)
    client.force_login(desk.receiving_officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    items = _timeline(client.get(f"/{desk.agency.slug}/ho-so/{dossier.pk}/").content.decode())
    with translation.override(language):
        expected = [event_label(kind) for kind in EVENT_KINDS]
    shown = items[-len(EVENT_KINDS) :]
    for kind, label, text in zip(EVENT_KINDS, expected, shown, strict=True):
        assert label in text, (kind, text)
    assert [(text, _raw_codes(text)) for text in items if _raw_codes(text)] == []
