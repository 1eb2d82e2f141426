"""The look-up is not an oracle for guessing (issue #21, item 9): budgets per code and for the whole
city besides the one per address; without proof it shows where the dossier stands, not what it is
about nor where; the proof is the full phone or ID number, not four digits."""

import pytest

from tests.dossiers.conftest import APPLICANT, receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(desk):
    return receive(desk)


def lookup(client, code, *, ip, **params):
    return client.get(f"/api/v1/lookup/{code}/", params, REMOTE_ADDR=ip)


def test_one_code_looked_up_from_many_addresses_runs_out_of_its_own_budget(client, dossier, settings):
    settings.LOOKUP_CODE_RATE_PER_HOUR = 5
    statuses = [lookup(client, dossier.code, ip=f"10.1.0.{i}").status_code for i in range(8)]
    assert statuses == [200] * 5 + [429] * 3
    # another code is not affected
    assert lookup(client, "000.00.00.H31-000000-0001", ip="10.1.0.1").status_code == 404


def test_proof_guesses_on_one_code_are_capped_whatever_the_address(client, dossier, settings):
    settings.LOOKUP_PROOF_TRIES_PER_HOUR = 3
    statuses = [
        lookup(client, dossier.code, ip=f"10.2.0.{i}", proof=f"09000000{i:02d}").status_code for i in range(5)
    ]
    assert statuses == [200] * 3 + [429] * 2
    # without a proof the code still answers (the status only)
    assert lookup(client, dossier.code, ip="10.2.0.9").status_code == 200


def test_codes_cycled_over_addresses_run_out_of_the_city_wide_budget(client, desk, settings):
    settings.LOOKUP_GLOBAL_RATE_PER_MINUTE = 20
    statuses = [
        lookup(client, f"000.00.00.H31-261126-{i:04d}", ip=f"10.3.0.{i % 5}").status_code for i in range(40)
    ]
    assert statuses[:20] == [404] * 20 and statuses[20:] == [429] * 20


def test_without_proof_neither_the_procedure_nor_the_agencies_are_shown(client, dossier):
    body = lookup(client, dossier.code, ip="10.4.0.1").json()
    assert body["verified"] is False and body["status"] == "Đã tiếp nhận"
    assert body["procedure"] is None and body["agency"] is None and body["applicant_name"] is None
    assert body["timeline"] and all(step["agency"] is None for step in body["timeline"])
    page = client.get(f"/tra-cuu/{dossier.code}/", REMOTE_ADDR="10.4.0.2").content.decode()
    assert "Đã tiếp nhận" in page
    assert "Đăng ký khai sinh" not in page and "Phường Một Cửa" not in page and "Nguyễn Văn An" not in page


@pytest.mark.parametrize("proof", [APPLICANT["phone"], "+84 912 345 678", APPLICANT["id_number"]])
def test_the_full_phone_or_id_number_proves_the_applicant(client, dossier, proof):
    body = lookup(client, dossier.code, ip="10.5.0.1", proof=proof).json()
    assert body["verified"] is True and body["applicant_name"] == APPLICANT["name"]
    assert body["procedure"] == "Đăng ký khai sinh" and body["agency"] == "Phường Một Cửa"
    page = client.get(
        f"/tra-cuu/{dossier.code}/", {"xac-minh": proof}, REMOTE_ADDR="10.5.0.2"
    ).content.decode()
    assert "Nguyễn Văn An" in page and "Đăng ký khai sinh" in page


@pytest.mark.parametrize("proof", ["5678", "1234", "345678", "0000"])
def test_four_or_a_few_digits_prove_nothing(client, dossier, proof):
    body = lookup(client, dossier.code, ip="10.6.0.1", proof=proof).json()
    assert body["verified"] is False and body["applicant_name"] is None and body["procedure"] is None


def test_the_index_keeps_no_proof_in_clear(dossier):
    from shared_apps.tracking.models import DossierIndex

    row = DossierIndex.objects.get(code=dossier.code)
    stored = " ".join(str(v) for v in row.__dict__.values())
    assert APPLICANT["phone"] not in stored and APPLICANT["id_number"] not in stored
