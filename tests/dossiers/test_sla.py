"""The SLA watch: holders and unit heads hear once that a dossier is overdue or due within a working day."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from shared_apps.accounts.models import Membership, Role, User
from shared_apps.notifications.models import OutboxMessage
from tenant_apps.dossiers import services as s
from tenant_apps.dossiers.models import Dossier
from tenant_apps.dossiers.sla import sla_watch_agency, sla_watch_all
from tenant_apps.dossiers.tasks import sla_watch
from tenants.models import Agency, AgencyStatus

from .conftest import receive


class _SlaMessages:
    """Only the SLA watch's messages (the citizen's receipt SMS is queued by the intake itself)."""

    def __getattr__(self, name):
        return getattr(OutboxMessage.objects.filter(dedupe_key__startswith="sla:"), name)


SLA = _SlaMessages()

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")
# Thursday 03/12/2026 09:00 (no holiday that week; offices open Mon–Fri 07:30–11:30, 13:30–17:00).
NOW = datetime(2026, 12, 3, 9, 0, tzinfo=VN)


def due(dossier, at):
    Dossier.objects.filter(pk=dossier.pk).update(due_at=at)
    dossier.refresh_from_db()
    return dossier


def outbox(prefix):
    return {
        (m.dedupe_key.split(":")[3], m.channel, m.recipient, m.dossier_code)
        for m in OutboxMessage.objects.filter(dedupe_key__startswith=prefix)
    }


@pytest.fixture
def emails(desk):
    User.objects.filter(pk=desk.specialist.pk).update(email="chuyen-vien@example.org")
    User.objects.filter(pk=desk.unit_head.pk).update(email="truong-phong@example.org")
    return desk


def test_overdue_and_due_soon_dossiers_are_notified_once_to_the_holder_and_the_unit_heads(emails):
    desk = emails
    late = s.dossier_assign(
        agency=desk.agency, dossier=receive(desk), specialist=desk.specialist, acting_user=desk.unit_head
    )
    late = due(late, NOW - timedelta(hours=17))  # Wed 16:00: overdue
    boss_holds = s.dossier_assign(
        agency=desk.agency, dossier=receive(desk), specialist=desk.boss, acting_user=desk.unit_head
    )
    boss_holds = due(boss_holds, NOW - timedelta(days=2))  # overdue; its holder is a unit head
    soon = due(receive(desk), datetime(2026, 12, 4, 8, 30, tzinfo=VN))  # 7 h of office time left
    later = due(receive(desk), datetime(2026, 12, 4, 16, 0, tzinfo=VN))  # 12 h 30 left: not yet
    assert soon.holder_id is None

    first = sla_watch_agency(agency=desk.agency, now=NOW)
    assert first == {"overdue": 2, "due_soon": 1, "messages": 11}

    sp, uh, boss = (str(u.pk) for u in (desk.specialist, desk.unit_head, desk.boss))
    prefix = f"sla:{desk.agency.schema_name}:"
    assert outbox(prefix) == {
        ("overdue", "internal", sp, late.code),
        ("overdue", "email", "chuyen-vien@example.org", late.code),
        ("overdue", "internal", uh, late.code),
        ("overdue", "email", "truong-phong@example.org", late.code),
        ("overdue", "internal", boss, late.code),
        # the holder is also a unit head: told once
        ("overdue", "internal", boss, boss_holds.code),
        ("overdue", "internal", uh, boss_holds.code),
        ("overdue", "email", "truong-phong@example.org", boss_holds.code),
        # no holder yet: the unit heads
        ("due_soon", "internal", uh, soon.code),
        ("due_soon", "email", "truong-phong@example.org", soon.code),
        ("due_soon", "internal", boss, soon.code),
    }
    message = OutboxMessage.objects.get(
        dedupe_key__startswith=prefix, dossier_code=soon.code, channel="email"
    )
    assert message.subject == f"Hồ sơ {soon.code} sắp đến hạn trả kết quả"
    assert "08:30 04/12/2026" in message.body and "còn 7 giờ làm việc" in message.body
    assert message.agency_id == desk.agency.pk and message.status == "pending"

    for d in (late, boss_holds, soon, later):
        d.refresh_from_db()
    assert late.notified_overdue_at == NOW and boss_holds.notified_overdue_at == NOW
    assert soon.notified_due_soon_at == NOW and soon.notified_overdue_at is None
    assert later.notified_due_soon_at is None and later.notified_overdue_at is None

    # a second run, even a little later, tells nobody again
    assert sla_watch_agency(agency=desk.agency, now=NOW + timedelta(minutes=10)) == {
        "overdue": 0,
        "due_soon": 0,
        "messages": 0,
    }
    assert OutboxMessage.objects.filter(dedupe_key__startswith=prefix).count() == 11

    # Friday 09:00: the due-soon dossier is now overdue (new news, told once) and `later` is due soon
    assert sla_watch_agency(agency=desk.agency, now=datetime(2026, 12, 4, 9, 0, tzinfo=VN)) == {
        "overdue": 1,
        "due_soon": 1,
        "messages": 3 + 3,
    }


def test_a_retry_that_lost_its_flags_still_queues_nothing_twice(emails):
    desk = emails
    d = due(receive(desk), NOW - timedelta(days=1))
    assert sla_watch_agency(agency=desk.agency, now=NOW)["messages"] == 3
    Dossier.objects.filter(pk=d.pk).update(notified_overdue_at=None)
    again = sla_watch_agency(agency=desk.agency, now=NOW + timedelta(minutes=1))
    assert again == {"overdue": 1, "due_soon": 0, "messages": 0}  # the outbox's dedupe keys hold
    assert SLA.filter(dossier_code=d.code).count() == 3


def test_a_new_appointment_is_watched_again(emails):
    desk = emails
    d = due(receive(desk), NOW - timedelta(days=1))
    sla_watch_agency(agency=desk.agency, now=NOW)
    # re-appointed (form 04) and the flag cleared: the new appointment has its own messages
    Dossier.objects.filter(pk=d.pk).update(due_at=NOW + timedelta(hours=1), notified_overdue_at=None)
    assert sla_watch_agency(agency=desk.agency, now=NOW + timedelta(hours=2))["messages"] == 3
    assert SLA.filter(dossier_code=d.code).count() == 6


def test_due_soon_counts_working_time_not_calendar_time(desk):
    friday = datetime(2026, 12, 4, 15, 0, tzinfo=VN)
    over_weekend = due(receive(desk), datetime(2026, 12, 7, 10, 0, tzinfo=VN))  # Mon 10:00: 4 h 30 left
    tuesday = due(receive(desk), datetime(2026, 12, 8, 10, 0, tzinfo=VN))  # Tue 10:00: 12 h left
    assert sla_watch_agency(agency=desk.agency, now=friday)["due_soon"] == 1
    over_weekend.refresh_from_db()
    tuesday.refresh_from_db()
    assert over_weekend.notified_due_soon_at == friday and tuesday.notified_due_soon_at is None


def test_paused_finished_and_closed_dossiers_are_not_notified(desk):
    agency = desk.agency
    paused = s.dossier_assign(
        agency=agency, dossier=receive(desk), specialist=desk.specialist, acting_user=desk.unit_head
    )
    paused = s.dossier_request_supplement(
        agency=agency, dossier=paused, reason="Thiếu giấy chứng sinh", acting_user=desk.specialist
    )
    finished = s.dossier_assign(
        agency=agency, dossier=receive(desk), specialist=desk.specialist, acting_user=desk.unit_head
    )
    finished = s.dossier_appraise(
        agency=agency, dossier=finished, opinion="Đủ điều kiện", acting_user=desk.specialist
    )
    finished = s.dossier_submit_for_approval(agency=agency, dossier=finished, acting_user=desk.specialist)
    finished = s.dossier_approve(agency=agency, dossier=finished, acting_user=desk.leader)
    finished = s.dossier_record_result(
        agency=agency, dossier=finished, result_number="12/KS", acting_user=desk.leader
    )
    withdrawn = s.dossier_withdraw(
        agency=agency, dossier=receive(desk), reason="Công dân xin rút", acting_user=desk.receiving_officer
    )
    assert (paused.state, finished.state, withdrawn.state) == (
        "supplement_requested",
        "finished",
        "withdrawn",
    )
    for d in (paused, finished, withdrawn):
        due(d, NOW - timedelta(days=3))

    assert sla_watch_agency(agency=agency, now=NOW) == {"overdue": 0, "due_soon": 0, "messages": 0}
    assert not SLA.exists()
    assert not Dossier.objects.filter(notified_overdue_at__isnull=False).exists()


def test_the_watch_refuses_to_run_on_another_schema(desk, in_agency):
    connection.set_schema_to_public()
    with pytest.raises(RuntimeError, match="not on"):
        sla_watch_agency(agency=desk.agency, now=NOW)


def test_the_city_wide_watch_visits_active_agencies_and_survives_a_broken_one(emails, city, in_agency):
    desk = emails
    d = due(receive(desk), NOW - timedelta(days=1))
    connection.set_schema_to_public()
    broken = Agency.objects.create(
        name="Cơ quan chưa có schema",
        slug="chua-co-schema",
        kind="ward",
        national_code="000.99.99.H31",
        schema_name="ag_chua_co_schema",
    )
    suspended = Agency.objects.create(
        name="Cơ quan tạm ngừng",
        slug="tam-ngung",
        kind="ward",
        national_code="000.99.98.H31",
        schema_name="ag_tam_ngung",
        status=AgencyStatus.SUSPENDED,
    )
    active = Agency.objects.filter(status=AgencyStatus.ACTIVE).exclude(pk=broken.pk).count()

    totals = sla_watch_all(now=NOW)
    assert connection.schema_name == "public"
    assert totals["failed"] == [broken.schema_name]  # logged, and the others still ran
    assert suspended.schema_name not in totals["failed"]  # never visited
    assert totals["agencies"] == active
    assert (totals["overdue"], totals["messages"]) == (1, 3)
    assert {m.dossier_code for m in SLA.all()} == {d.code}

    assert sla_watch_all(now=NOW)["messages"] == 0
    with in_agency(desk.agency):
        assert Dossier.objects.get(pk=d.pk).notified_overdue_at == NOW


def test_a_suspended_agency_is_not_watched(emails, in_agency):
    desk = emails
    due(receive(desk), NOW - timedelta(days=1))
    Agency.objects.filter(pk=desk.agency.pk).update(status=AgencyStatus.SUSPENDED)
    assert sla_watch_all(now=NOW)["messages"] == 0
    assert not SLA.exists()


def test_an_inactive_unit_head_is_not_told(emails):
    desk = emails
    Membership.objects.filter(agency=desk.agency, user=desk.boss).update(is_active=False)
    d = due(receive(desk), NOW - timedelta(days=1))
    sla_watch_agency(agency=desk.agency, now=NOW)
    assert {m.recipient for m in SLA.filter(dossier_code=d.code)} == {
        str(desk.unit_head.pk),
        "truong-phong@example.org",
    }
    assert Role.UNIT_HEAD in Membership.objects.get(agency=desk.agency, user=desk.boss).roles


def test_the_celery_task_runs_the_city_wide_watch_and_leaves_the_connection_where_it_was(emails):
    desk = emails
    overdue_now = due(receive(desk), NOW - timedelta(days=30))  # overdue whatever today is
    assert connection.schema_name == desk.agency.schema_name
    result = sla_watch.apply()
    assert connection.schema_name == desk.agency.schema_name
    assert result.get()["overdue"] >= 1
    assert SLA.filter(dossier_code=overdue_now.code).count() == 3
