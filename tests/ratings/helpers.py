"""Ways to a rateable dossier: through the desk, or a row of the city index written directly."""

import itertools

from tests.dossiers.conftest import receive

_numbers = itertools.count(1)


def returned(desk, **overrides):
    """A dossier received at the desk and taken through every step to "result returned" (status 10)."""
    from tenant_apps.dossiers import services as s

    d = receive(desk, **overrides)
    d = s.dossier_assign(
        agency=desk.agency, dossier=d, specialist=desk.specialist, acting_user=desk.unit_head
    )
    d = s.dossier_appraise(agency=desk.agency, dossier=d, opinion="Đủ điều kiện", acting_user=desk.specialist)
    d = s.dossier_submit_for_approval(
        agency=desk.agency, dossier=d, leader=desk.leader, acting_user=desk.specialist
    )
    d = s.dossier_approve(agency=desk.agency, dossier=d, acting_user=desk.leader)
    d = s.dossier_record_result(
        agency=desk.agency, dossier=d, result_number="123/TLKS", acting_user=desk.leader
    )
    return s.dossier_return_result(
        agency=desk.agency,
        dossier=d,
        method="counter",
        collected_by="Nguyễn Văn An",
        acting_user=desk.receiving_officer,
    )


PHONE, ID_NUMBER = "0912345678", "031099001234"  # the desk fixture's applicant (tests/dossiers/conftest.py)


def index_entry(agency, procedure, *, national_status=10, phone=PHONE, id_number=ID_NUMBER, owner=None):
    """A row of the city-wide index as an agency's desk writes it (for roll-ups across agencies and
    procedures without walking every dossier through a desk)."""
    from shared_apps.tracking.models import DossierIndex
    from shared_apps.tracking.proofs import id_digest, phone_digest

    n = next(_numbers)
    return DossierIndex.objects.create(
        agency=agency,
        dossier_id=100000 + n,
        code=f"{agency.national_code}-TEST-{n:04d}",
        procedure=procedure,
        procedure_name=procedure.name,
        state="returned" if national_status == 10 else "in_appraisal",
        national_status=national_status,
        channel="in_person",
        applicant_phone_tail=phone[-4:],
        applicant_id_tail=id_number[-4:],
        applicant_phone_digest=phone_digest(phone),
        applicant_id_digest=id_digest(id_number),
        owner_user_id=getattr(owner, "pk", None),
    )
