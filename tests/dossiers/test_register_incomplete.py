"""At the counter, a dossier that cannot be received as it is gets, in one transaction, either the
supplement request (form 02) or the refusal (form 03); a refused step leaves nothing behind."""

import pytest

from core.errors import DomainError
from shared_apps.tracking.models import DossierIndex
from tenant_apps.dossiers.models import Dossier, DossierEvent
from tenant_apps.dossiers.services import dossier_register_incomplete

from .conftest import APPLICANT, COMPLETE

pytestmark = pytest.mark.django_db
ONLY_THE_FORM = {1: {"provided": True}}  # the birth certificate (2) is missing


def register(desk, **overrides):
    values = dict(
        agency=desk.agency,
        procedure="1.001193",
        applicant=APPLICANT,
        channel="in_person",
        components=ONLY_THE_FORM,
        acting_user=desk.receiving_officer,
        outcome="supplement",
    )
    values.update(overrides)
    return dossier_register_incomplete(**values)


def nothing_kept():
    return (
        not Dossier.objects.exists()
        and not DossierEvent.objects.exists()
        and not DossierIndex.objects.exists()
    )


def test_a_missing_component_is_asked_for_with_its_reason_and_no_code_is_issued(desk):
    dossier = register(desk, reasons={2: "Chưa mang bản chính"})
    assert (dossier.state, dossier.code, dossier.intake_supplement_count) == ("intake_supplement", None, 1)
    assert dossier.events.last().note == "Giấy chứng sinh: Chưa mang bản chính"


def test_a_missing_component_without_a_reason_is_asked_for_as_missing(desk):
    dossier = register(desk)
    assert dossier.events.last().note == "Giấy chứng sinh: Còn thiếu"


def test_a_refusal_gives_its_reason(desk):
    dossier = register(desk, outcome="refuse", refuse_reason="Không thuộc thẩm quyền của phường")
    assert (dossier.state, dossier.closing_reason) == ("refused", "Không thuộc thẩm quyền của phường")


@pytest.mark.parametrize(
    "bad, field",
    [
        (dict(outcome="refuse", refuse_reason="  "), "reason"),  # a refusal needs its reason
        (dict(components=COMPLETE), "items"),  # nothing is missing: receive it instead
        (dict(outcome="receive"), "outcome"),  # not one of the two outcomes
    ],
)
def test_a_refused_step_keeps_nothing_half_written(desk, bad, field):
    with pytest.raises(DomainError) as refused:
        register(desk, **bad)
    assert refused.value.field == field
    assert nothing_kept()


def test_the_counter_page_refuses_through_the_service_and_explains_a_missing_reason(client, desk):
    client.force_login(desk.receiving_officer)
    url = f"/{desk.agency.slug}/ho-so/tiep-nhan/"
    form = {
        "procedure": "1.001193",
        "applicant_name": "Trần Thị Bình",
        "provided_1": "on",
        "outcome": "refuse",
    }
    response = client.post(url, {**form, "refuse_reason": ""})
    assert response.status_code == 400 and "Hãy ghi rõ lý do từ chối." in response.content.decode()
    assert nothing_kept()
    response = client.post(url, {**form, "refuse_reason": "Hồ sơ không thuộc thẩm quyền"})
    assert response.status_code == 302
    assert Dossier.objects.get().state == "refused"
