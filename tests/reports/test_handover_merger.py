"""II.06a and the Decision 766 indicators over a known set built ONLY through the real services: desk
and online receipts, supplements (one, two), a pause across the period end, approve / return, a
withdrawal, commune → department → commune hand-overs (one late at the department, one still at the
department when its commune is merged), then two communes merged into a new one with agencies_merge.

Time: the dossiers' instants come from the clock the services read (``django.utils.timezone.now``,
patched per step, as tests/faults does); instants are written with ``at()`` of the reports conftest.

Where a dossier counts (sql.py, docs/merger.md):
* a dossier handed over counts at its lead agency (``origin_agency_id``), never at the department that
  holds a copy: the department's report has only its own dossier;
* a merger carries every dossier not closed (open, paused, handed over, finished but not returned,
  not yet accepted) to the successor; its live index row follows it and is marked carried in, and a
  history row stays at the source. The reports stay where the work was: the merged-away communes'
  figures for their old periods do not change (reproducible, under their old names); a dossier open
  at the merger leaves its commune as "transferred out" in the merger's month and arrives at the
  successor as "received by transfer" that month; one settled before the merger (y3) stays settled
  at its commune and counts nowhere at the successor. The city's figures for old periods do not move.
Agencies: X and Y (communes, merged on 15/07/2025 into Z), D (department). Periods: Q2 2025 =
[01/04, 01/07) and Q3 2025 = [01/07, 01/10). P1 (3 working days, 09:00 Monday → due Thursday 09:00),
P2 (land, 20 working days, its "decide" step performed by a department), P3 (department's own).

X: x1 desk 24/03, due 27/03, result 08/04 (late)           x2 online 14/04, result 15/04 (early)
   x3 desk 05/05, one supplement (06/05 → 12/05), due moves to 14/05 09:00, result 14/05 08:00 (on time)
   x4 desk 19/05, two supplements, result 21/05 before its due (late: more than one supplement)
   x5 online 02/06, withdrawn 03/06                       x11 online 20/06, never accepted (nowhere)
   x6 online 16/06, two supplements, resumed 30/06 (due 02/07): open at 01/07; Z's result 16/07 (late)
   x7 desk 23/06, due 26/06, supplement asked 24/06 (one day used): PAUSED across 01/07 and the
      merger; Z receives the supplement 16/07 (due 18/07), result 17/07 (early)
   x8 P2 desk 05/05 → D 05/05 → result back 06/05 (early)
   x9 P2 desk 12/05 (due 09/06) → D (its sub-deadline about 28/05) → result back 10/06: late at D, late
   x10 P2 desk 16/06 (due 14/07) → D; still at D on 01/07 and at the merger; D hands the result back
      to Z on 16/07 (late)
Y: y1 desk 17/03, due 20/03, still in appraisal at the merger; Z's result 16/07 (late)
   y2 online 21/04, result 23/04 (early)    y3 desk 30/06, result 30/06 (early) not returned: carried
   y4 post 19/05, result 22/05 08:00, due 22/05 09:00 (on time)
D: d1 desk 02/06, result 03/06 (early).   Z: z1 online 04/08, result 05/08 (early).
Ratings: x2 satisfied 16/04, x3 not satisfied 15/05, y2 not satisfied 24/04, x7 not satisfied 18/07 (at
Z), z1 satisfied 06/08.
"""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.utils import timezone

from shared_apps.accounts.models import Role, User
from shared_apps.accounts.services import membership_grant
from shared_apps.calendar.services import calendar_city_ensure, calendar_holidays_seed
from shared_apps.catalogue.content import ComponentSpec
from shared_apps.catalogue.models import Procedure
from shared_apps.catalogue.services import sector_ensure
from shared_apps.ratings.services import rating_submit
from shared_apps.reports.indicators import indicators_766
from shared_apps.reports.periods import Period
from shared_apps.reports.selectors import ii06a
from shared_apps.tracking.models import DossierIndex
from tenant_apps.dossiers import services as s
from tenant_apps.dossiers.models import Dossier
from tenant_apps.dossiers.services.handover import schema_of
from tenants.directory import directory
from tenants.merge import agencies_merge
from tenants.models import Agency, AgencyStatus
from tenants.services import agency_onboard
from tests.catalogue.conftest import publish
from tests.interagency.conftest import INTERAGENCY_STEPS
from tests.submissions.conftest import pdf

from .conftest import at

pytestmark = pytest.mark.django_db
Q2, Q3 = Period.quarter(2025, 2), Period.quarter(2025, 3)
KEYS = (
    "received_total",
    "received_online",
    "received_offline",
    "carried_over",
    "received_transferred",
    "settled",
    "settled_early",
    "settled_on_time",
    "settled_late",
    "closed_other",
    "transferred_out",
    "in_progress",
    "in_progress_within",
    "in_progress_overdue",
)
APPLICANT = {"name": "Phạm Văn Nam", "id_number": "031088001234", "phone": "0912345678", "address": "Thôn 1"}
COMPLETE = {1: {"provided": True}, 2: {"provided": True}}
STAFF = (Role.RECEIVING_OFFICER, Role.UNIT_HEAD, Role.SPECIALIST, Role.LEADER)


def fig(
    received_online=0,
    received_offline=0,
    carried_over=0,
    transferred_in=0,
    early=0,
    on_time=0,
    late=0,
    closed=0,
    transferred_out=0,
    within=0,
    overdue=0,
):
    settled = early + on_time + late
    received_total = received_online + received_offline + carried_over + transferred_in
    assert received_total == settled + closed + transferred_out + within + overdue  # the figures balance
    return dict(
        received_total=received_total,
        received_online=received_online,
        received_offline=received_offline,
        carried_over=carried_over,
        received_transferred=transferred_in,
        settled=settled,
        settled_early=early,
        settled_on_time=on_time,
        settled_late=late,
        closed_other=closed,
        transferred_out=transferred_out,
        in_progress=within + overdue,
        in_progress_within=within,
        in_progress_overdue=overdue,
    )


def figures(totals):
    return {k: getattr(totals, k) for k in KEYS}


class Clock:
    def __init__(self):
        self.now = at(2025, 3, 3, 8)

    def __call__(self):
        return self.now


class Desk:
    """Drives the services; every step at the instant given (y, m, d, h)."""

    def __init__(self, clock, staff, citizen):
        self.clock, self.staff, self.citizen = clock, staff, citizen
        self.where, self.code = {}, {}  # name -> agency holding the lead row, dossier code

    def _at(self, when):
        self.clock.now = at(*when)

    def _do(self, name, when, fn, **kwargs):
        self._at(when)
        agency = self.where[name]
        with schema_of(agency):
            d = Dossier.objects.get(code=self.code[name])
            return fn(agency=agency, dossier=d, **kwargs)

    def receive(self, name, agency, when, procedure="1.001193", channel="in_person"):
        self._at(when)
        with schema_of(agency):
            d = s.dossier_receive(
                agency=agency,
                procedure=procedure,
                applicant=APPLICANT,
                channel=channel,
                components=COMPLETE,
                acting_user=self.staff[agency.pk][Role.RECEIVING_OFFICER],
            )
        self.where[name], self.code[name] = agency, d.code

    def online(self, name, agency, submitted, accepted=None):
        self._at(submitted)
        d, _created = s.dossier_submit_online_with_files(
            agency=agency,
            procedure="1.001193",
            applicant=APPLICANT,
            files=[(1, pdf(), "application/pdf")],  # the declaration's file; the optional part not sent
            acting_user=self.citizen,
            idempotency_key=f"khoa-{name}-0001",
        )
        if accepted is not None:
            self._at(accepted)
            with schema_of(agency):
                d = s.dossier_accept(
                    agency=agency, dossier=d, acting_user=self.staff[agency.pk][Role.RECEIVING_OFFICER]
                )
            self.where[name], self.code[name] = agency, d.code

    def role(self, name, role):
        return self.staff[self.where[name].pk][role]

    def assign(self, name, when):
        self._do(
            name,
            when,
            s.dossier_assign,
            specialist=self.role(name, Role.SPECIALIST),
            acting_user=self.role(name, Role.UNIT_HEAD),
        )

    def supplement(self, name, asked, received=None):
        self._do(
            name,
            asked,
            s.dossier_request_supplement,
            reason="Thiếu bản chính",
            acting_user=self.role(name, Role.SPECIALIST),
        )
        if received is not None:
            self._do(
                name,
                received,
                s.dossier_supplement_received,
                acting_user=self.role(name, Role.RECEIVING_OFFICER),
            )

    def result(self, name, when, *, assigned=True, returned=None):
        """Appraise, submit, approve and record the result at `when` (assign first if not yet)."""
        if not assigned:
            self.assign(name, when)
        spec, leader = self.role(name, Role.SPECIALIST), self.role(name, Role.LEADER)
        self._do(name, when, s.dossier_appraise, opinion="Đủ điều kiện", acting_user=spec)
        self._do(name, when, s.dossier_submit_for_approval, leader=leader, acting_user=spec)
        self._do(name, when, s.dossier_approve, acting_user=leader)
        self._do(name, when, s.dossier_record_result, result_number=f"KQ-{name}", acting_user=leader)
        if returned is not None:
            self.give_back(name, returned)

    def give_back(self, name, when):
        self._do(
            name,
            when,
            s.dossier_return_result,
            method="counter",
            collected_by=APPLICANT["name"],
            acting_user=self.role(name, Role.RECEIVING_OFFICER),
        )

    def hand_over(self, name, when, department):
        self._do(
            name,
            when,
            s.dossier_hand_over,
            to_agency=department,
            note="Đề nghị Sở quyết định",
            acting_user=self.role(name, Role.RECEIVING_OFFICER),
        )

    def department_decides(self, name, when, department):
        self._at(when)
        staff = self.staff[department.pk]
        with schema_of(department):
            d = Dossier.objects.get(code=self.code[name])
            d = s.dossier_assign(
                agency=department,
                dossier=d,
                specialist=staff[Role.SPECIALIST],
                acting_user=staff[Role.UNIT_HEAD],
            )
            d = s.dossier_appraise(
                agency=department, dossier=d, opinion="Đủ điều kiện", acting_user=staff[Role.SPECIALIST]
            )
            d = s.dossier_submit_for_approval(
                agency=department, dossier=d, leader=staff[Role.LEADER], acting_user=staff[Role.SPECIALIST]
            )
            d = s.dossier_approve(agency=department, dossier=d, acting_user=staff[Role.LEADER])
            return s.dossier_hand_back(
                agency=department,
                dossier=d,
                acting_user=staff[Role.LEADER],
                note="Đã ký",
                result_number=f"GCN-{name}",
            )

    def rate(self, name, value, when):
        self._at(when)
        rating_submit(code=self.code[name], value=value, proof=APPLICANT["phone"])  # the full phone


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(timezone, "now", c)
    return c


@pytest.fixture
def world(db, clock, settings, tmp_path):
    """X, Y (communes), D (department) with staff, the catalogue, and the dossiers of Q1–Q2 2025 (up to
    14/07/2025, the eve of the merger)."""
    settings.MEDIA_ROOT = tmp_path  # the online dossiers' files
    connection.set_schema_to_public()
    calendar_holidays_seed(calendar=calendar_city_ensure(), years=range(2025, 2027), acting_user=None)
    two_parts = (
        ComponentSpec("Tờ khai", "original", 1, True),
        ComponentSpec("Giấy tờ kèm theo", "copy", 1, True),
    )
    # P1's second part is optional: online, a part counts as provided only with its file, and the
    # citizens send the declaration's file alone (their dossiers are complete, not all digitised)
    p1_parts = (two_parts[0], ComponentSpec("Giấy tờ kèm theo", "copy", 1, False))
    civil = sector_ensure(code="ho-tich-r2", name="Hộ tịch", acting_user=None)
    land = sector_ensure(code="dat-dai-r2", name="Đất đai", acting_user=None)
    publish(
        "1.001193",
        "Đăng ký khai sinh",
        civil,
        time_limit=Decimal("3"),
        online_mode="full",
        channels=("in_person", "online", "post"),
        components=p1_parts,
    )
    publish(
        "1.013978",
        "Đăng ký đất đai lần đầu",
        land,
        time_limit=Decimal("20"),
        online_mode="",
        channels=("in_person", "post"),
        components=two_parts,
        steps=INTERAGENCY_STEPS,
    )
    publish(
        "2.001610",
        "Đăng ký doanh nghiệp tư nhân",
        civil,
        levels=("department",),
        time_limit=Decimal("3"),
        online_mode="",
        channels=("in_person",),
        components=two_parts,
    )
    x = agency_onboard(
        name="Xã Đông", slug="xa-dong-r2", kind="commune", national_code="000.95.01.H31", acting_user=None
    )
    y = agency_onboard(
        name="Xã Tây", slug="xa-tay-r2", kind="commune", national_code="000.95.02.H31", acting_user=None
    )
    dept = agency_onboard(
        name="Sở Nông nghiệp và Môi trường",
        slug="so-nnmt-r2",
        kind="department",
        national_code="000.95.03.H31",
        acting_user=None,
    )
    staff = {}
    for agency in (x, y, dept):
        staff[agency.pk] = {}
        for role in STAFF:
            u = User.objects.create_user(
                username=f"{agency.slug}-{role}", password="x", full_name=f"{agency.name} {role}"
            )
            membership_grant(agency=agency, user=u, roles=[role], acting_user=None)
            staff[agency.pk][role] = u
    citizen = User.objects.create_user(username="cong-dan-r2", password="x", full_name=APPLICANT["name"])
    admin = User.objects.create_user(username="tp-r2", password="x", full_name="Quản trị", is_city_admin=True)
    k = Desk(clock, staff, citizen)

    k.receive("y1", y, (2025, 3, 17, 9))
    k.assign("y1", (2025, 3, 17, 10))
    k.receive("x1", x, (2025, 3, 24, 9))
    k.assign("x1", (2025, 3, 24, 10))
    k.result("x1", (2025, 4, 8, 10), returned=(2025, 4, 8, 11))
    k.online("x2", x, (2025, 4, 14, 8), (2025, 4, 14, 9))
    k.result("x2", (2025, 4, 15, 10), assigned=False, returned=(2025, 4, 15, 11))
    k.rate("x2", "satisfied", (2025, 4, 16, 9))
    k.online("y2", y, (2025, 4, 21, 8), (2025, 4, 21, 9))
    k.result("y2", (2025, 4, 23, 10), assigned=False, returned=(2025, 4, 23, 11))
    k.rate("y2", "not_satisfied", (2025, 4, 24, 9))
    k.receive("x3", x, (2025, 5, 5, 9))
    k.assign("x3", (2025, 5, 5, 10))
    k.supplement("x3", (2025, 5, 6, 9), (2025, 5, 12, 9))
    k.result("x3", (2025, 5, 14, 8), returned=(2025, 5, 14, 10))
    k.rate("x3", "not_satisfied", (2025, 5, 15, 9))
    k.receive("x8", x, (2025, 5, 5, 9), procedure="1.013978")
    k.hand_over("x8", (2025, 5, 5, 10), dept)
    k.department_decides("x8", (2025, 5, 6, 10), dept)
    k.give_back("x8", (2025, 5, 7, 9))
    k.receive("x9", x, (2025, 5, 12, 9), procedure="1.013978")
    k.hand_over("x9", (2025, 5, 12, 10), dept)
    k.receive("x4", x, (2025, 5, 19, 9))
    k.assign("x4", (2025, 5, 19, 10))
    k.supplement("x4", (2025, 5, 19, 11), (2025, 5, 20, 9))
    k.supplement("x4", (2025, 5, 20, 10), (2025, 5, 21, 9))
    k.result("x4", (2025, 5, 21, 10), returned=(2025, 5, 21, 11))
    k.receive("y4", y, (2025, 5, 19, 9), channel="post")
    k.result("y4", (2025, 5, 22, 8), assigned=False, returned=(2025, 5, 22, 10))
    k.online("x5", x, (2025, 6, 2, 8), (2025, 6, 2, 9))
    k._do(
        "x5",
        (2025, 6, 3, 10),
        s.dossier_withdraw,
        reason="Công dân xin rút",
        acting_user=k.role("x5", Role.RECEIVING_OFFICER),
    )
    k.receive("d1", dept, (2025, 6, 2, 9), procedure="2.001610")
    k.result("d1", (2025, 6, 3, 10), assigned=False, returned=(2025, 6, 3, 11))
    k.department_decides("x9", (2025, 6, 10, 10), dept)
    k.give_back("x9", (2025, 6, 10, 11))
    k.online("x6", x, (2025, 6, 16, 8), (2025, 6, 16, 9))
    k.assign("x6", (2025, 6, 16, 10))
    k.supplement("x6", (2025, 6, 16, 11), (2025, 6, 17, 9))
    k.supplement("x6", (2025, 6, 17, 10), (2025, 6, 30, 9))
    k.receive("x10", x, (2025, 6, 16, 9), procedure="1.013978")
    k.hand_over("x10", (2025, 6, 16, 10), dept)
    k.online("x11", x, (2025, 6, 20, 8))
    k.receive("x7", x, (2025, 6, 23, 9))
    k.assign("x7", (2025, 6, 23, 10))
    k.supplement("x7", (2025, 6, 24, 9))
    k.receive("y3", y, (2025, 6, 30, 9))
    k.result("y3", (2025, 6, 30, 15), assigned=False)
    k._at((2025, 7, 14, 12))
    connection.set_schema_to_public()
    return SimpleNamespace(
        x=x,
        y=y,
        d=dept,
        desk=k,
        clock=clock,
        admin=admin,
        p1=Procedure.objects.get(national_code="1.001193"),
        p2=Procedure.objects.get(national_code="1.013978"),
    )


def merge(w):
    """15/07 the merger of X and Y into a new commune Z; returns Z and the Q2 figures read right after."""
    k = w.desk
    k._at((2025, 7, 15, 10))
    report = agencies_merge(
        sources=[w.x.slug, w.y.slug],
        target=None,
        acting_user=w.admin,
        new_agency={
            "name": "Xã Đông Tây",
            "slug": "xa-dong-tay-r2",
            "kind": "commune",
            "national_code": "000.95.04.H31",
        },
    )
    directory.invalidate_local()
    z = Agency.objects.get(slug="xa-dong-tay-r2")
    assert {r.slug: r.carried_by_state for r in report.sources} == {
        w.x.slug: {
            "handed_over": 1,
            "in_appraisal": 1,
            "new": 1,
            "supplement_requested": 1,
        },  # x10, x6, x11, x7
        w.y.slug: {"finished": 1, "in_appraisal": 1},  # y3, y1
    }
    for name in ("x6", "x7", "x10", "x11", "y1", "y3"):
        k.where[name] = z
    k.staff[z.pk] = k.staff[w.x.pk]  # X's members became Z's with the merger
    x10 = DossierIndex.objects.get(code=k.code["x10"])
    assert (x10.agency_id, x10.origin_agency_id) == (w.d.pk, z.pk)  # at D; its lead agency is now Z
    snapshot_b = {a: figures(ii06a(period=Q2, agency_ids=[a.pk]).totals) for a in (w.x, w.y, w.d, z)}
    snapshot_b["city"] = figures(ii06a(period=Q2).totals)
    return z, snapshot_b


def merge_and_go_on(w):
    """The merger; then Z (and D for x10) finish the carried dossiers; z1 in August. Ends on 06/10."""
    z, snapshot_b = merge(w)
    k = w.desk
    k._do(
        "x7",
        (2025, 7, 16, 9),
        s.dossier_supplement_received,
        acting_user=k.role("x7", Role.RECEIVING_OFFICER),
    )
    k.result("x6", (2025, 7, 16, 10), returned=(2025, 7, 16, 11))
    k.result("y1", (2025, 7, 16, 10), returned=(2025, 7, 16, 11))
    k.give_back("y3", (2025, 7, 16, 9))
    k.department_decides("x10", (2025, 7, 16, 10), w.d)
    k.give_back("x10", (2025, 7, 17, 9))
    k.result("x7", (2025, 7, 17, 10), returned=(2025, 7, 17, 11))
    k.rate("x7", "not_satisfied", (2025, 7, 18, 9))
    k.online("z1", z, (2025, 8, 4, 8), (2025, 8, 4, 9))
    k.result("z1", (2025, 8, 5, 10), assigned=False, returned=(2025, 8, 5, 11))
    k.rate("z1", "satisfied", (2025, 8, 6, 9))
    k._at((2025, 10, 6, 12))
    connection.set_schema_to_public()
    return z, snapshot_b


# --- Q2 2025 before the merger (as of 01/07/2025) -------------------------------------------------
X_Q2 = fig(
    received_online=3,  # x2, x5, x6 (x11 was never accepted: it counts nowhere)
    received_offline=6,  # x3, x4, x7 at the desk; x8, x9, x10 (P2) at the desk, then handed over to D
    carried_over=1,  # x1 (received 24/03, open on 01/04)
    early=2,  # x2 (15/04 < 17/04), x8 (result back from D 06/05)
    on_time=1,  # x3: due moved by its pause to 14/05 09:00, result 14/05 08:00
    late=3,  # x1 (08/04 > 27/03), x4 (two supplements), x9 (D overran: 10/06 > 09/06)
    closed=1,  # x5 withdrawn 03/06
    within=3,  # x6 (due 02/07), x10 (at D, due 14/07), x7 (paused: its clock stopped 24/06, 2 days left)
    overdue=0,  # none by the rules
)
# x7 is paused (supplement asked 24/06, its clock stopped with two of its three working days left) and
# keeps its pre-pause due_at 26/06 in the index: the roll-ups leave paused open dossiers out of the
# overdue ones (n − paused), so x7 is within time at 01/07 (issue 7, formerly counted overdue: 2/1).
Y_Q2 = fig(
    received_online=1,  # y2
    received_offline=2,  # y3 (desk), y4 (post)
    carried_over=1,  # y1 (received 17/03)
    early=2,  # y2, y3 (result 30/06, not yet returned: settled all the same)
    on_time=1,  # y4 (22/05 08:00, due 22/05 09:00)
    overdue=1,  # y1 (due 20/03, still in appraisal)
)
D_Q2 = fig(received_offline=1, early=1)  # d1 only: the copies of x8, x9, x10 count at X, their lead agency
CITY_Q2 = {k: X_Q2[k] + Y_Q2[k] + D_Q2[k] for k in KEYS}  # nothing else in the index for Q2 2025

# --- after the merger (15/07): Q2 does not move; the carried dossiers leave X and Y in July ---------
X_Q3 = fig(
    carried_over=3,  # x6, x7, x10: open at X on 01/07
    transferred_out=3,
)  # ... carried to Z on 15/07 (still open then)
Y_Q3 = fig(carried_over=1, transferred_out=1)  # y1 (y3 was settled on 30/06: it stays settled at Y, in Q2)
Z_Q3 = fig(
    received_online=1,  # z1
    transferred_in=4,  # x6, x7, x10, y1: open when carried in on 15/07 (not y3: settled at Y before;
    # not x11: never accepted, it counts nowhere)
    early=2,  # x7 (resumed 16/07, due 18/07, result 17/07), z1
    late=3,  # x6 (16/07 > 02/07, two supplements), x10 (D handed back to Z 16/07 > 14/07), y1
)
CITY_Q3 = fig(received_online=1, carried_over=4, transferred_in=4, early=2, late=3, transferred_out=4)
NOTHING = fig()


def indicator(result):
    return {i.code: (i.value, i.points) for i in result["indicators"]}


def ratios(result):
    return {i.code: (i.numerator, i.denominator) for i in result["indicators"]}


# Components: every dossier has two; at the desk both provided on paper, online the first one with
# its file (digitised) and the optional second one not sent — so no dossier has every component
# digitised, and none is reused. X in Q2: 9 received, 18 components → digitisation 0 / 9, reuse 0 / 18
# — before the merger and after it.
X_Q2_COMPONENTS = {"digitisation": (0, 9), "reuse": (0, 18)}


def test_before_the_merger_a_hand_over_counts_at_the_commune_that_received_it(world, client):
    w = world
    k = w.desk
    with schema_of(w.x):
        x9 = Dossier.objects.get(code=k.code["x9"])
        assert (x9.timeliness, x9.late_agency_code) == ("late", w.d.national_code)  # late at D, named
        x4 = Dossier.objects.get(code=k.code["x4"])
        assert (x4.timeliness, x4.supplement_count) == ("late", 2)
        assert Dossier.objects.get(code=k.code["x3"]).timeliness == "on_time"
        assert Dossier.objects.get(code=k.code["x7"]).state == "supplement_requested"
    report = ii06a(period=Q2, by="agency")
    assert figures(report.rows[w.x.pk]) == X_Q2
    assert figures(report.rows[w.y.pk]) == Y_Q2
    assert figures(report.rows[w.d.pk]) == D_Q2
    assert figures(report.totals) == CITY_Q2

    got = indicators_766(period=Q2, agency_ids=[w.x.pk], kinds=("commune",))
    values = indicator(got)
    # on time: settled early / on time with at most one supplement (x2, x8, x3) + in progress within
    # time at 01/07 with at most one supplement request over settled (6) + in progress (3):
    # 3 + (3 within: x6, x10, x7 paused) − 1 (x6: two supplement requests, late for Decision 766) = 5 / 9.
    assert values["on_time"] == (55.56, 11.11)  # 20 × 55.56 / 100
    assert values["online_submission"] == (33.33, 6.67)  # 3 of the 9 received in Q2; 10 × 33.33 / 50
    assert values["online_offer"] == (50.0, 3.75)  # P1 online, P2 not (commune level); 6 × 50 / 80
    assert values["online_payment"] == (None, None)
    assert {k: ratios(got)[k] for k in X_Q2_COMPONENTS} == X_Q2_COMPONENTS
    assert (values["digitisation"], values["reuse"]) == ((0.0, 0.0), (0.0, 0.0))
    # satisfaction = 100 − overdue rate − dislike rate; dislikes in Q2 at X: x3 (1 of 6 settled: 16.67).
    # The overdue rate is (x1, x4, x9 late; nothing in progress overdue: x7 is paused) 3 / 9 = 33.33
    # → 100 − 33.33 − 16.67 = 50.0 and 18 × 50 / 90 = 10.0 (formerly x7 overdue: 4 / 9 → 38.89, 7.78).
    assert values["satisfaction"] == (50.0, 10.0)
    # average days from receipt to result: P1 x1 15 d 1 h, x2 1 d 1 h, x3 8 d 23 h, x4 2 d 1 h → 27.08 / 4;
    # P2 x8 1 d 1 h, x9 29 d 1 h → 30.08 / 2
    avg = {r["procedure_id"]: r["average_days"] for r in got["average_processing"]}
    assert avg == {w.p1.pk: 6.77, w.p2.pk: 15.04}

    client.force_login(w.admin)
    body = client.get(f"/api/v1/reports/ii06a/?period=2025-Q2&scope=co-quan:{w.x.slug}").json()
    assert {key: body["totals"][key] for key in KEYS} == X_Q2


def test_after_the_merger_the_merged_away_communes_reports_do_not_change_and_the_successor_counts_from_the_merger(
    world, client
):
    w = world
    z, at_merger = merge_and_go_on(w)
    # right after the merger (15/07), Q2 reads as before it: reproducible under the old names
    assert at_merger[w.x] == X_Q2
    assert at_merger[w.y] == Y_Q2
    assert at_merger[w.d] == D_Q2
    assert at_merger[z] == NOTHING  # Z did not exist in Q2
    assert at_merger["city"] == CITY_Q2
    x, y = Agency.objects.get(pk=w.x.pk), Agency.objects.get(pk=w.y.pk)
    assert (x.status, x.successor_id, x.name, y.status, y.name) == (
        AgencyStatus.MERGED,
        z.pk,
        "Xã Đông",
        AgencyStatus.MERGED,
        "Xã Tây",
    )

    # on 01/10 (Z finished what it carried, D handed x10's result back to Z): Q2 still as before
    report = ii06a(period=Q2, by="agency")
    assert figures(report.rows[w.x.pk]) == X_Q2
    assert figures(report.rows[w.y.pk]) == Y_Q2
    assert figures(report.rows[w.d.pk]) == D_Q2
    assert z.pk not in report.rows
    assert figures(report.totals) == CITY_Q2
    q3 = ii06a(period=Q3, by="agency")
    assert figures(q3.rows[w.x.pk]) == X_Q3
    assert figures(q3.rows[w.y.pk]) == Y_Q3
    assert figures(q3.rows[z.pk]) == Z_Q3
    assert w.d.pk not in q3.rows  # D's copy of x10 counts at its lead agency (Z since the merger)
    assert figures(q3.totals) == CITY_Q3
    assert figures(ii06a(period=Q3, agency_ids=[z.pk]).totals) == Z_Q3
    # the same by procedure (ReportFlow / ReportOpen: the day-grain roll-ups and their since_month)
    for agency, period, expected in ((w.x, Q2, X_Q2), (w.y, Q2, Y_Q2), (w.x, Q3, X_Q3), (z, Q3, Z_Q3)):
        assert figures(ii06a(period=period, agency_ids=[agency.pk], by="procedure").totals) == expected

    values = indicator(indicators_766(period=Q3, agency_ids=[z.pk], kinds=("commune",)))
    assert values["on_time"] == (40.0, 8.0)  # x7, z1 of the 5 settled; nothing open at 01/10
    assert values["online_submission"] == (100.0, 10.0)  # z1, the only one RECEIVED in Q3 (not carried in)
    # overdue rate 3 / 5 = 60; dislikes in Q3 at Z: x7 (rated 18/07, after the merger) 1 / 5 = 20
    assert values["satisfaction"] == (20.0, 4.0)  # 18 × 20 / 90
    result = indicators_766(period=Q3, agency_ids=[z.pk], kinds=("commune",))
    avg = {r["procedure_id"]: r["average_days"] for r in result["average_processing"]}
    # from receipt (at X or Y) to result: P1 x6 30 d 1 h, x7 24 d 1 h, y1 121 d 1 h, z1 1 d 1 h → 176.17 / 4;
    # P2: x10 30 d 1 h
    assert avg == {w.p1.pk: 44.04, w.p2.pk: 30.04}
    # Z's digitisation counts what Z received (z1: 2 components), not what it took over
    assert {k: ratios(result)[k] for k in ("digitisation", "reuse")} == {
        "digitisation": (0, 1),
        "reuse": (0, 2),
    }
    # the merged-away commune's Decision 766 figures for Q2 are those computed before the merger
    x_q2 = indicators_766(period=Q2, agency_ids=[w.x.pk], kinds=("commune",))
    assert {k: ratios(x_q2)[k] for k in X_Q2_COMPONENTS} == X_Q2_COMPONENTS
    values = indicator(x_q2)
    assert values["on_time"] == (55.56, 11.11)
    assert values["online_submission"] == (33.33, 6.67)
    assert values["satisfaction"] == (50.0, 10.0)

    # the dossiers behind the numbers: X's Q2 keeps x7 and x10 (history rows, codes kept); Z's carried in
    from shared_apps.reports.dashboard import report_dossiers
    from shared_apps.reports.scopes import scope_of_agency

    rows, _n = report_dossiers(
        scope=scope_of_agency(w.x), period=Q2, column="received_offline", now=w.clock.now
    )
    assert sorted(r["code"] for r in rows) == sorted(
        k.code[n] for n in ("x3", "x4", "x7", "x8", "x9", "x10") for k in [w.desk]
    )
    rows, _n = report_dossiers(
        scope=scope_of_agency(z), period=Q3, column="received_transferred", now=w.clock.now
    )
    assert sorted(r["code"] for r in rows) == sorted(w.desk.code[n] for n in ("x6", "x7", "x10", "y1"))
    rows, _n = report_dossiers(
        scope=scope_of_agency(w.y), period=Q3, column="transferred_out", now=w.clock.now
    )
    assert [r["code"] for r in rows] == [w.desk.code["y1"]]
    # ... while a look-up by code finds the dossier where it is now
    assert DossierIndex.objects.get(code=w.desk.code["x7"]).agency_id == z.pk
    assert DossierIndex.all_rows.filter(code=w.desk.code["x7"]).count() == 2

    client.force_login(w.admin)
    body = client.get(f"/api/v1/reports/ii06a/?period=2025-Q2&scope=co-quan:{w.x.slug}").json()
    assert {key: body["totals"][key] for key in KEYS} == X_Q2
    body = client.get("/api/v1/reports/ii06a/?period=2025-Q3&by=agency").json()
    rows = {r["slug"]: r["figures"] for r in body["rows"]}
    assert {key: rows[z.slug][key] for key in KEYS} == Z_Q3
    assert {key: rows[w.x.slug][key] for key in KEYS} == X_Q3


def test_a_merger_keeps_the_rollups_right_when_it_cannot_recompute_them(world, monkeypatch):
    """If the reports' rebuild SQL changes shape, tenants.rollups gives no statements and the index
    row trigger must keep the roll-ups — also when the copier runs with row triggers skipped."""
    from tenants import rollups

    monkeypatch.setattr(rollups, "recompute_statements", lambda cursor, agency_ids: [])
    z, at_merger = merge(world)
    assert at_merger[world.x] == X_Q2
    assert at_merger[world.y] == Y_Q2
    assert at_merger[z] == NOTHING
    assert at_merger["city"] == CITY_Q2
    # x6 (two supplement requests, due 02/07: within time at 01/07) is late for Decision 766 at X
    # → (x2, x8, x3 + x6, x10, x7 − x6) / 9, as before the merger
    assert indicator(indicators_766(period=Q2, agency_ids=[world.x.pk], kinds=("commune",)))["on_time"] == (
        55.56,
        11.11,
    )


def test_the_rollups_rebuilt_from_the_index_equal_those_the_merger_left(world):
    """`reports_rebuild` (set-based, from the index with its history rows) gives the very roll-ups the
    merger's narrowed recomputation and the row triggers kept (--check raises on any difference)."""
    from django.core.management import call_command

    from shared_apps.reports.models import ReportFlowAgency

    merge_and_go_on(world)
    call_command("reports_rebuild", "--check")
    assert ReportFlowAgency.objects.filter(
        received_transferred__gt=0
    ).exists()  # the check compared transfers
    assert ReportFlowAgency.objects.filter(transferred_out__gt=0).exists()


def test_a_successor_merged_in_turn_keeps_each_step_where_it_happened(world):
    """X and Y → Z on 15/07, then Z → W on 20/08, the carried dossiers still open: each merger leaves
    its history rows, so X, Y and Z keep their figures and W counts from 20/08."""
    from django.core.management import call_command

    w = world
    z, _ = merge(w)
    w.desk._at((2025, 8, 20, 10))
    agencies_merge(
        sources=[z.slug],
        target=None,
        acting_user=w.admin,
        new_agency={
            "name": "Xã Hợp Nhất",
            "slug": "xa-hop-nhat-r2",
            "kind": "commune",
            "national_code": "000.95.05.H31",
        },
    )
    directory.invalidate_local()
    w2 = Agency.objects.get(slug="xa-hop-nhat-r2")
    w.desk._at((2025, 10, 6, 12))
    connection.set_schema_to_public()
    q2, q3 = ii06a(period=Q2, by="agency"), ii06a(period=Q3, by="agency")
    assert (figures(q2.rows[w.x.pk]), figures(q2.rows[w.y.pk])) == (X_Q2, Y_Q2)
    assert figures(q2.totals) == CITY_Q2
    assert (figures(q3.rows[w.x.pk]), figures(q3.rows[w.y.pk])) == (X_Q3, Y_Q3)
    assert figures(q3.rows[z.pk]) == fig(
        transferred_in=4, transferred_out=4
    )  # x6, x7, x10, y1: 15/07 → 20/08
    # at W on 01/10: x7 paused (within time); x6 (due 02/07), x10 (at D, due 14/07), y1 (due 20/03) overdue
    assert figures(q3.rows[w2.pk]) == fig(transferred_in=4, within=1, overdue=3)
    assert figures(q3.totals) == fig(carried_over=4, transferred_in=8, transferred_out=8, within=1, overdue=3)
    # the second merger's history rows at Z keep when Z got them
    row = DossierIndex.all_rows.get(code=w.desk.code["y1"], agency_id=z.pk)
    assert (row.transferred_in_at, row.transferred_out_at) == (at(2025, 7, 15, 10), at(2025, 8, 20, 10))
    assert DossierIndex.objects.get(code=w.desk.code["x10"]).origin_agency_id == w2.pk  # still at D, lead W
    call_command("reports_rebuild", "--check")
