"""Issue #21, item 8: every form of the staff's and the citizens' pages, fed hostile values field by
field (schemathesis-style: not numbers, huge and negative numbers, 1e3, blanks, very long text, dates
out of range, NUL bytes, broken e-mail addresses), never answers with a server error.

The forms are discovered, not listed: the pages below (and the pages they link to, within the site)
are fetched and parsed; each <form>'s fields are sent with their own values except one hostile field.
Every request runs in a savepoint that is rolled back, so each one meets the same data."""

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.db import connection, transaction
from django.test import Client

from shared_apps.catalogue.models import Procedure
from shared_apps.submissions import services as drafts
from tests.dossiers.conftest import APPLICANT, receive
from tests.dossiers.conftest import desk as desk  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

HOSTILE = (
    "abc",
    "1e3",
    "100000",
    "99999999999999999999999",
    "-1",
    "0",
    "",
    "x" * 5000,
    "01/01/0001",
    "31/12/9999",
    "2025-13-45T25:61",
    "a\x00b",
    "khong-phai@thu@",
    "<script>alert(1)</script>",
)
SKIP_ACTIONS = ("dang-xuat",)  # logging out ends the walk's session
MAX_PAGES = 40


class Forms(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self.links, self._form, self._select, self._textarea = [], [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = {
                "action": a.get("action") or "",
                "method": (a.get("method") or "get").lower(),
                "fields": {},
            }
            self.forms.append(self._form)
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                self._form["fields"].setdefault(a["name"], None)
            elif kind not in ("submit", "button", "image", "reset"):
                self._form["fields"][a["name"]] = a.get("value") or ""
            elif a.get("value") is not None:
                self._form["fields"].setdefault(a["name"], a["value"])
        elif tag == "select":
            self._select = a["name"]
            self._form["fields"].setdefault(a["name"], None)
        elif tag == "option" and self._select and self._form["fields"].get(self._select) is None:
            self._form["fields"][self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self._form["fields"][a["name"]] = ""
        elif tag == "button" and a.get("value") is not None:
            self._form["fields"].setdefault(a["name"], a["value"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def discover(client, start):
    """The forms (deduplicated) on the start pages and the site pages they link to."""
    seen, queue, forms = set(), list(start), {}
    sections = {urlsplit(url).path.split("/")[1] for url in start}  # stay within these parts of the site
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = Forms()
        parser.feed(response.content.decode())
        for form in parser.forms:
            action = urljoin(url, form["action"] or url)
            if any(s in action for s in SKIP_ACTIONS):
                continue
            key = (urlsplit(action).path, form["method"], tuple(sorted(form["fields"])))
            forms.setdefault(key, {**form, "action": action})
        for href in parser.links:
            target = urljoin(url, href)
            parts = urlsplit(target)
            if parts.netloc or parts.path.endswith((".pdf", ".xlsx", ".csv")) or "dang-xuat" in parts.path:
                continue
            if parts.path.split("/")[1] in sections:
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return list(forms.values())


def attack(client, forms):
    """[(method, action, field, value, status)] of every request answered with a server error."""
    failures = []
    for form in forms:
        base = {k: v for k, v in form["fields"].items() if v is not None}
        for field in form["fields"]:
            if field == "csrfmiddlewaretoken":
                continue
            for value in HOSTILE:
                data = {**base, field: value}
                sid = transaction.savepoint()
                try:
                    send = client.post if form["method"] == "post" else client.get
                    status = send(form["action"], data).status_code
                finally:
                    transaction.savepoint_rollback(sid)
                    connection.set_schema_to_public()
                if status >= 500:
                    failures.append((form["method"], form["action"], field, value[:20], status))
    return failures


@pytest.fixture
def world(desk, citizen):  # noqa: F811
    from tenant_apps.dossiers.services import dossier_submit_online

    received = receive(desk)
    online, _created = dossier_submit_online(
        agency=desk.agency,
        procedure="1.001193",
        applicant=APPLICANT,
        components={},
        acting_user=citizen,
        idempotency_key="thu-form-0001",
    )
    connection.set_schema_to_public()
    draft = drafts.draft_create(
        procedure=Procedure.objects.get(national_code="1.001193"), agency=desk.agency, acting_user=citizen
    )
    return desk, citizen, received, online, draft


@pytest.fixture
def citizen(db):
    from shared_apps.accounts.models import User

    return User.objects.create_user(
        username="cong_dan_form", password="x", full_name="Trần Thị Bình", phone="0987654322"
    )


def walker():
    return Client(raise_request_exception=False)


def test_no_staff_page_form_answers_hostile_values_with_a_server_error(world):
    agency_desk, _citizen, received, _online, _draft = world
    client = walker()
    client.force_login(agency_desk.boss)
    slug = agency_desk.agency.slug
    forms = discover(
        client,
        [
            f"/{slug}/",
            f"/{slug}/ho-so/?cua-toi=0",
            f"/{slug}/ho-so/tiep-nhan/?thu-tuc=1.001193",
            f"/{slug}/ho-so/tiep-nhan-thay/",
            f"/{slug}/ho-so/{received.pk}/",
            f"/{slug}/thu-tuc/",
        ],
    )
    assert len(forms) >= 5, forms
    assert attack(client, forms) == []


def test_no_citizen_page_form_answers_hostile_values_with_a_server_error(world):
    agency_desk, citizen, _received, online, draft = world
    anonymous = walker()
    forms = discover(anonymous, ["/tai-khoan/dang-ky/", "/tai-khoan/dang-nhap/", "/thu-tuc/"])
    failures = attack(anonymous, forms)
    signed_in = walker()
    signed_in.force_login(citizen)
    mine = discover(
        signed_in,
        [
            "/tai-khoan/",
            f"/nop-truc-tuyen/nhap/{draft.pk}/",
            "/nop-truc-tuyen/1.001193/",
            f"/ho-so-cua-toi/{agency_desk.agency.slug}/{online.pk}/",
        ],
    )
    assert len(forms) + len(mine) >= 4
    assert failures + attack(signed_in, mine) == []
