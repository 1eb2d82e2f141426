"""The demo city's history (issue #13): written through the services in every state, found by the
public look-up, counted by the roll-ups, its hash chains intact, and written only once."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from shared_apps.ratings.models import Rating
from shared_apps.reports.periods import Period
from shared_apps.reports.selectors import ii06a
from shared_apps.tracking.models import DossierIndex, IndexEvent
from tenant_apps.dossiers.chain import history_verify
from tenant_apps.dossiers.demo import demo_history_seed, demo_lookup_codes
from tenant_apps.dossiers.models import DossierEvent
from tenant_apps.dossiers.services.handover import schema_of
from tenants.models import Agency

pytestmark = pytest.mark.django_db

SCALE = 0.1  # every scenario once at Bạch Long Vĩ, a few dossiers elsewhere


@pytest.fixture
def demo_city(tmp_path, settings):
    """Bạch Long Vĩ, one other unit, the departments, the calendar, the starter catalogue, demo users;
    the online dossiers' scans go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_city", only=2, demo=True, logins_file=str(tmp_path / "logins.txt"), verbosity=0)
    connection.set_schema_to_public()
    return Agency.objects.get(slug="dac-khu-bach-long-vi")


def _last_months(n):
    today = timezone.localdate()
    out, y, m = [], today.year, today.month
    for _i in range(n):
        out.append(Period.month(y, m))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out


def _counts(agencies):
    counts = {
        "index": DossierIndex.all_rows.count(),
        "index events": IndexEvent.objects.count(),
        "ratings": Rating.objects.count(),
    }
    for agency in agencies:
        with schema_of(agency):
            counts[agency.slug] = DossierEvent.objects.count()
    return counts


def test_the_demo_history_is_real_and_written_once(demo_city, client, tmp_path):
    report = demo_history_seed(scale=SCALE)
    assert not report.skipped and report.dossiers >= 19

    zone_rows = DossierIndex.objects.filter(agency=demo_city) | DossierIndex.objects.filter(
        origin_agency=demo_city
    )
    states = set(zone_rows.values_list("state", flat=True))
    # on time, late, supplemented, handed over, returned, refused, withdrawn, stopped, in progress...
    assert {"returned", "finished", "refused", "withdrawn", "stopped", "new", "received"} <= states
    assert {"in_appraisal", "awaiting_approval", "supplement_requested"} <= states
    assert zone_rows.filter(apologised=True).exists()
    assert zone_rows.filter(supplement_count__gte=2).exists()
    assert (
        zone_rows.filter(timeliness="late").exists()
        and zone_rows.filter(timeliness__in=["early", "on_time"]).exists()
    )
    assert IndexEvent.objects.filter(entry__origin_agency=demo_city, action="hand_over").exists()
    assert Rating.objects.filter(agency_id=demo_city.pk).exists()
    received = [r.received_at for r in zone_rows if r.received_at]
    assert (max(received) - min(received)).days > 60 and max(received) < timezone.now()  # months back

    # the three codes to try answer at the public look-up
    codes = demo_lookup_codes()
    assert [key for key, _label, _code in codes] == ["in_progress", "returned", "apologised"]
    for _key, _label, code in codes:
        response = client.get(f"/tra-cuu/{code}/")
        assert response.status_code == 200 and code in response.content.decode()

    # the statistics count them (roll-ups kept by the index's triggers, equal to a recomputation)
    months = _last_months(6)
    reports = [ii06a(period=p, agency_ids=[demo_city.pk]) for p in months]
    assert sum(r.totals.received_online + r.totals.received_offline for r in reports) > 0
    assert sum(r.totals.settled_early + r.totals.settled_on_time + r.totals.settled_late for r in reports) > 0
    call_command("reports_rebuild", check=True, stdout=io.StringIO())

    # every agency's hash chains verify
    agencies = list(Agency.objects.filter(slug__in=report.agencies))
    for agency in agencies:
        with schema_of(agency):
            total, broken = history_verify(agency=agency, acting_user=None)
        assert broken == [], agency.slug
    call_command("verify_history", "dac-khu-bach-long-vi", stdout=io.StringIO())

    # a second run adds nothing
    before = _counts(agencies)
    again = demo_history_seed(scale=SCALE)
    assert again.skipped and again.dossiers == 0
    assert _counts(agencies) == before


def test_the_command_names_three_codes_to_look_up(demo_city, tmp_path):
    lookup = tmp_path / "lookup.txt"
    call_command("seed_demo_history", scale=SCALE, lookup_file=str(lookup), stdout=io.StringIO())
    rows = [line.split("\t") for line in lookup.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 3
    assert all(path.startswith("/tra-cuu/000.11.14.") and path.endswith("/") for _label, path in rows)
    first = lookup.read_text(encoding="utf-8")
    call_command("seed_demo_history", scale=SCALE, lookup_file=str(lookup), stdout=io.StringIO())
    assert lookup.read_text(encoding="utf-8") == first


def test_without_bach_long_vi_it_says_to_seed_the_city_first(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="seed_city"):
        call_command("seed_demo_history", scale=SCALE, lookup_file="/dev/null")  # no Bạch Long Vĩ here
