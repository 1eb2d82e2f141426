"""Drives the real services for one demo dossier, each step at the instant it is given (the clock
of clock.py): receipt at the counter or online, assignment, appraisal, approval, result, return,
supplements, apology, withdrawal, refusal, hand-over to a department and back, the citizen's rating.
Nothing here writes a row itself: events, the public index, roll-ups and hash chains are the
services' own."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.files.base import ContentFile

from config.uploads import PDF
from shared_apps.accounts.models import Role
from shared_apps.ratings.services import rating_submit

from .. import services as s
from ..models import Dossier
from ..plans import intake_plan
from ..services.handover import schema_of

RO, SP, UH, LD = Role.RECEIVING_OFFICER, Role.SPECIALIST, Role.UNIT_HEAD, Role.LEADER


def _one_page_pdf(text):
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        None,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    stream = b"BT /F1 18 Tf 72 760 Td (" + text.encode("ascii") + b") Tj ET"
    objects[3] = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


SCAN = _one_page_pdf("Ban scan minh hoa - du lieu dung thu (demo scan)")


@dataclass
class Case:
    """One demo dossier: where its lead row is, its code once accepted, its applicant."""

    agency: object
    procedure: str
    applicant: dict
    dossier_id: int | None = None
    code: str | None = None
    holder: object = None  # the agency holding the active row (a department during a hand-over)
    row: object = None  # the lead row as the last step at the lead agency left it


class Desk:
    def __init__(self, clock, staff):
        self.clock, self.staff = clock, staff  # staff: {agency pk: {role: user}}
        self._required = {}

    def _user(self, agency, role):
        return self.staff[agency.pk][role]

    def _do(self, case, when, fn, agency=None, **kwargs):
        """`fn` on the dossier's row at `agency` (default: the lead agency) at instant `when`. The
        lead row is the one the previous step returned (each service locks and re-reads it first);
        a step at another agency (a hand-back) may change it, so it is read again after one."""
        agency = agency or case.agency
        lead = agency.pk == case.agency.pk
        self.clock.at(when)
        with schema_of(agency):
            if lead:
                d = case.row or Dossier.objects.get(pk=case.dossier_id)
            else:  # the department's own row of a dossier handed over to it
                d = Dossier.objects.get(code=case.code)
            d = fn(agency=agency, dossier=d, **kwargs)
        if lead:
            case.row, case.code = d, d.code or case.code
        else:
            case.row = None
        return d

    def _components(self, case, when):
        """The required components of the procedure (read once per agency and procedure)."""
        key = (case.agency.pk, case.procedure)
        if key not in self._required:
            with schema_of(case.agency):
                plan = intake_plan(agency=case.agency, procedure_code=case.procedure, at=when)
            self._required[key] = [c.position for c in plan.components if c.required]
        return {position: {"provided": True, "digitised": True} for position in self._required[key]}

    # -- intake ------------------------------------------------------------------------------------
    def receive(self, case, when, channel="in_person"):
        components = self._components(case, when)
        self.clock.at(when)
        with schema_of(case.agency):
            d = s.dossier_receive(
                agency=case.agency,
                procedure=case.procedure,
                applicant=case.applicant,
                channel=channel,
                components=components,
                acting_user=self._user(case.agency, RO),
            )
        case.dossier_id, case.code, case.row = d.pk, d.code, d
        return d

    def submit_online(self, case, when, citizen, key):
        """The citizen submits with a scan of every required component (a one-page PDF)."""
        files = [
            (position, ContentFile(SCAN, name="scan.pdf"), PDF) for position in self._components(case, when)
        ]
        self.clock.at(when)
        d, _created = s.dossier_submit_online_with_files(
            agency=case.agency,
            procedure=case.procedure,
            applicant=case.applicant,
            files=files,
            acting_user=citizen,
            idempotency_key=key,
        )
        case.dossier_id, case.row = d.pk, d
        return d

    def accept(self, case, when):
        return self._do(case, when, s.dossier_accept, acting_user=self._user(case.agency, RO))

    def intake_supplement(self, case, when, resubmitted):
        self._do(
            case,
            when,
            s.dossier_request_intake_supplement,
            items=[{"name": "Tờ khai", "reason": "Chưa ghi đủ thông tin, đề nghị khai lại"}],
            acting_user=self._user(case.agency, RO),
        )
        return self._do(case, resubmitted, s.dossier_resubmit, acting_user=self._user(case.agency, RO))

    def refuse(self, case, when):
        return self._do(
            case,
            when,
            s.dossier_refuse,
            reason="Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan",
            acting_user=self._user(case.agency, RO),
        )

    # -- processing --------------------------------------------------------------------------------
    def assign(self, case, when, agency=None):
        agency = agency or case.agency
        return self._do(
            case,
            when,
            s.dossier_assign,
            agency=agency,
            specialist=self._user(agency, SP),
            acting_user=self._user(agency, UH),
        )

    def appraise(self, case, when, agency=None, submit=True):
        agency = agency or case.agency
        spec = self._user(agency, SP)
        d = self._do(
            case, when, s.dossier_appraise, agency=agency, opinion="Đủ điều kiện giải quyết", acting_user=spec
        )
        if submit:
            d = self._do(
                case,
                when,
                s.dossier_submit_for_approval,
                agency=agency,
                leader=self._user(agency, LD),
                acting_user=spec,
            )
        return d

    def approve(self, case, when, agency=None):
        """Signed; at the lead agency the result goes to its desk officer, who hands it over."""
        agency = agency or case.agency
        returner = self._user(agency, RO) if agency.pk == case.agency.pk else None
        return self._do(
            case,
            when,
            s.dossier_approve,
            agency=agency,
            returner=returner,
            acting_user=self._user(agency, LD),
        )

    def result(self, case, when, number):
        """Appraise, submit, approve and record the result at `when` (already assigned)."""
        self.appraise(case, when)
        self.approve(case, when)
        return self._do(
            case, when, s.dossier_record_result, result_number=number, acting_user=self._user(case.agency, LD)
        )

    def give_back(self, case, when, method="counter"):
        return self._do(
            case,
            when,
            s.dossier_return_result,
            method=method,
            collected_by=case.applicant["name"],
            acting_user=self._user(case.agency, RO),
        )

    def supplement(self, case, asked, received=None):
        d = self._do(
            case,
            asked,
            s.dossier_request_supplement,
            reason="Đề nghị bổ sung bản sao có chứng thực giấy tờ kèm theo",
            acting_user=self._user(case.agency, SP),
        )
        if received is not None:
            d = self._do(
                case, received, s.dossier_supplement_received, acting_user=self._user(case.agency, RO)
            )
        return d

    def apologize(self, case, when, new_due):
        return self._do(
            case,
            when,
            s.dossier_apologize,
            new_due_at=new_due,
            reason="Hồ sơ cần xác minh thêm tại thực địa nên chưa giải quyết kịp thời hạn",
            acting_user=self._user(case.agency, LD),
        )

    def withdraw(self, case, when):
        return self._do(
            case,
            when,
            s.dossier_withdraw,
            reason="Công dân có đơn xin rút hồ sơ",
            acting_user=self._user(case.agency, RO),
        )

    def stop(self, case, when):
        return self._do(
            case,
            when,
            s.dossier_stop,
            reason="Công dân không bổ sung hồ sơ theo yêu cầu",
            acting_user=self._user(case.agency, LD),
        )

    # -- inter-agency ------------------------------------------------------------------------------
    def hand_over(self, case, when, department):
        d = self._do(
            case,
            when,
            s.dossier_hand_over,
            to_agency=department,
            note="Chuyển Sở thực hiện bước đo đạc, thẩm định địa chính",
            acting_user=self._user(case.agency, RO),
        )
        case.holder = department
        return d

    def department_decides(self, case, when, number, hand_back=True):
        dept = case.holder
        self.assign(case, when, agency=dept)
        self.appraise(case, when, agency=dept)
        self.approve(case, when, agency=dept)
        if not hand_back:
            return None
        d = self._do(
            case,
            when,
            s.dossier_hand_back,
            agency=dept,
            note="Đã ký kết quả, chuyển trả bộ phận một cửa",
            result_number=number,
            acting_user=self._user(dept, LD),
        )
        case.holder = None
        return d

    # -- the citizen -------------------------------------------------------------------------------
    def rate(self, case, when, value, comment=""):
        self.clock.at(when)
        return rating_submit(code=case.code, value=value, comment=comment, proof=case.applicant["id_number"])
