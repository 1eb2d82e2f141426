"""Intake at the one-stop desk (and of online submissions): register, check completeness, accept
with a code and an appointment, ask once to supplement, or refuse."""

from __future__ import annotations

import re
import unicodedata

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from shared_apps.catalogue.models import Procedure
from tenant_apps.adoption.models import ProcedureAdoption
from tenant_apps.adoption.selectors import adoption_effective_time_limit, adoption_version_in_force

from ..lifecycle import Action, State
from ..models import ApplicantKind, Channel, Dossier, DossierComponent
from .core import append_event, apply_action, compute_due, ensure_in_agency, snapshot, sync_index
from .permissions import dossier_intake_authorize

APPLICANT_FIELDS = ("kind", "name", "id_number", "address", "phone", "email")
# the columns' lengths (models.Dossier.applicant_*)
APPLICANT_MAX = {"kind": 12, "name": 255, "id_number": 20, "address": 500, "phone": 20, "email": 254}
MAX_SETS = 50  # as the API's serializer
SETS_RE = re.compile(r"[0-9]{1,6}")


def dossier_code_allocate(*, agency, day):
    """The next code of the agency for `day`: <agency code>-<yymmdd>-<4-digit sequence>. Gap-free and
    never reused: the counter row is incremented in the caller's transaction (rolled back with it)
    and locked until commit, so concurrent receipts queue on it instead of colliding."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO dossiers_codecounter (day, last) VALUES (%s, 1) "
            "ON CONFLICT (day) DO UPDATE SET last = dossiers_codecounter.last + 1 RETURNING last",
            [day],
        )
        seq = cursor.fetchone()[0]
    return f"{agency.national_code}-{day:%y%m%d}-{seq:04d}"


def clean_applicant(applicant):
    from shared_apps.accounts.contacts import email_normalise

    unknown = set(applicant) - set(APPLICANT_FIELDS)
    if unknown:
        raise DomainError(_("Thông tin người nộp không hợp lệ: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    # NFC: text typed with combining marks (decomposed) is stored composed, so search and print agree.
    data = {k: unicodedata.normalize("NFC", str(applicant.get(k) or "")).strip() for k in APPLICANT_FIELDS}
    errors = []
    if not data["name"]:
        errors.append(_("Hãy nhập họ tên người nộp."))
    if data["kind"] and data["kind"] not in ApplicantKind.values:
        errors.append(_("Loại người nộp không hợp lệ."))
    if data["phone"] and not data["phone"].replace(" ", "").lstrip("+").isdigit():
        errors.append(_("Số điện thoại chỉ gồm chữ số."))
    if len(data["id_number"]) > 20 or len(data["phone"]) > 20:
        errors.append(_("Số giấy tờ hoặc số điện thoại quá dài."))
    elif any(len(data[k]) > n for k, n in APPLICANT_MAX.items()):
        errors.append(_("Thông tin người nộp quá dài."))
    if data["email"]:
        email = email_normalise(data["email"])
        if email is None or len(email) > APPLICANT_MAX["email"]:
            errors.append(_("Địa chỉ thư điện tử không hợp lệ."))
        else:
            data["email"] = email
    if errors:
        raise DomainError(" ".join(errors), field="applicant")
    data["kind"] = data["kind"] or ApplicantKind.PERSON
    return data


def clean_sets(value):
    """The number of sets of a dossier: blank means one; otherwise a whole number from 1 to MAX_SETS."""
    text = str(value if value is not None else "").strip()
    if not text:
        return 1
    if not SETS_RE.fullmatch(text) or not 1 <= int(text) <= MAX_SETS:
        raise DomainError(_("Số bộ hồ sơ phải là số nguyên từ 1 đến %(n)s.") % {"n": MAX_SETS}, field="sets")
    return int(text)


def _adoption_for(procedure):
    adoption = (
        ProcedureAdoption.objects.select_related("procedure")
        .filter(procedure=procedure, is_active=True)
        .first()
    )
    if adoption is None:
        raise DomainError(
            _("Cơ quan chưa áp dụng thủ tục %(c)s.") % {"c": procedure.national_code}, field="procedure"
        )
    return adoption


def dossier_register(
    *,
    agency,
    procedure,
    applicant,
    channel,
    acting_user,
    components=None,
    request_summary="",
    owner_user=None,
    sets=1,
    idempotency_key=None,
):
    """Record a submitted dossier (status 1, no code yet). `components` maps a catalogue component's
    position to {"provided", "digitised", "reused"} flags."""
    ensure_in_agency(agency)
    if channel not in Channel.values:
        raise DomainError(_("Kênh nộp không hợp lệ: %(c)s.") % {"c": channel}, field="channel")
    # Whatever the channel, at the desk only a receiving officer registers. An online submission is
    # the citizen's own (the owner submits it) or the system's (acting_user None: imports, seeding).
    citizens_own = channel == Channel.ONLINE and (
        acting_user is None or (owner_user is not None and owner_user == acting_user)
    )
    if not citizens_own:
        dossier_intake_authorize(agency=agency, acting_user=acting_user)
    if isinstance(procedure, str):
        procedure = Procedure.objects.filter(national_code=procedure).first()
        if procedure is None:
            raise DomainError(_("Không có thủ tục này trong danh mục."), field="procedure")
    adoption = _adoption_for(procedure)
    now = timezone.now()
    version = adoption_version_in_force(adoption=adoption, at=now)
    if version is None:
        raise DomainError(_("Thủ tục không còn hiệu lực."), field="procedure")
    if channel not in version.channels:
        raise DomainError(_("Thủ tục này không nhận hồ sơ qua kênh đã chọn."), field="channel")
    if channel == Channel.ONLINE and not (version.online_mode and adoption.online_intake_open):
        raise DomainError(_("Cơ quan chưa mở nhận hồ sơ trực tuyến cho thủ tục này."), field="channel")
    data = clean_applicant(applicant)
    sets = clean_sets(sets)
    flags = {int(k): v for k, v in (components or {}).items()}
    catalogue_components = list(version.components.all())
    unknown = set(flags) - {c.position for c in catalogue_components}
    if unknown:
        raise DomainError(
            _("Thành phần hồ sơ không có trong thủ tục: %(p)s.") % {"p": sorted(unknown)}, field="components"
        )
    with transaction.atomic():
        dossier = Dossier.objects.create(
            procedure=procedure,
            procedure_version=version,
            state=State.NEW,
            channel=channel,
            applicant_kind=data["kind"],
            applicant_name=data["name"],
            applicant_id_number=data["id_number"],
            applicant_address=data["address"],
            applicant_phone=data["phone"],
            applicant_email=data["email"],
            owner_user=owner_user,
            request_summary=request_summary or "",
            sets=sets,
            idempotency_key=idempotency_key,
            current_step="receive",
            step_started_at=now,
            # A procedure's fee lines are alternatives (on time / late / online / per copy): the first
            # is the default; the desk corrects it when another case applies.
            fees_total=next((f.amount for f in version.fees.all()), 0),
        )
        limit, unit = adoption_effective_time_limit(adoption=adoption, version=version)
        dossier.time_limit, dossier.time_unit, dossier.cutoff = limit, unit, version.cutoff
        dossier.save(update_fields=["time_limit", "time_unit", "cutoff"])
        DossierComponent.objects.bulk_create(
            DossierComponent(
                dossier=dossier,
                position=c.position,
                name=c.name,
                form=c.form,
                quantity=c.quantity,
                required=c.required,
                provided=bool(flags.get(c.position, {}).get("provided")),
                digitised=bool(flags.get(c.position, {}).get("digitised")),
                reused=bool(flags.get(c.position, {}).get("reused")),
            )
            for c in catalogue_components
        )
        event = append_event(
            dossier=dossier,
            action="register",
            from_state="",
            acting_user=acting_user,
            at=now,
            new=snapshot(dossier),
        )
        sync_index(agency=agency, dossier=dossier, event=event)
    return dossier


def missing_components(dossier):
    """Required components not provided. Online, a component is provided only with its file."""
    online = dossier.channel == Channel.ONLINE
    return [c for c in dossier.components.all() if c.required and not (c.provided and (c.file or not online))]


def dossier_accept(*, agency, dossier, acting_user, note=""):
    """Complete: issue the code, start the clock, give the appointment (form 01)."""
    missing = missing_components(dossier)
    if missing:
        raise DomainError(
            _("Hồ sơ còn thiếu: %(m)s. Hãy yêu cầu bổ sung, hoàn thiện hồ sơ.")
            % {"m": "; ".join(c.name for c in missing)},
            code="incomplete",
            field="components",
        )

    def mutate(d, now):
        d.received_at = now
        d.received_by = acting_user
        d.code = dossier_code_allocate(agency=agency, day=timezone.localdate(now))
        result, due = compute_due(agency=agency, dossier=d)
        d.counted_from = result.counted_from
        d.original_due_at = d.due_at = due

    return apply_action(
        agency=agency,
        dossier=dossier,
        action=Action.ACCEPT,
        acting_user=acting_user,
        note=note,
        mutate=mutate,
    )


def dossier_request_intake_supplement(*, agency, dossier, items, acting_user):
    """Form 02: every missing or wrong item with its reason, given once."""
    items = [i for i in (items or []) if str(i.get("name", "")).strip()]
    if not items:
        raise DomainError(_("Hãy liệt kê từng giấy tờ cần bổ sung và lý do."), field="items")

    def mutate(d, now):
        if d.intake_supplement_count >= 1:
            raise DomainError(
                _("Chỉ được yêu cầu bổ sung, hoàn thiện hồ sơ một lần khi tiếp nhận."), code="supplement_once"
            )
        d.intake_supplement_count += 1

    note = "\n".join(f"{i['name']}: {i.get('reason', '')}".strip() for i in items)
    return apply_action(
        agency=agency,
        dossier=dossier,
        action=Action.REQUEST_INTAKE_SUPPLEMENT,
        acting_user=acting_user,
        note=note,
        mutate=mutate,
    )


def dossier_resubmit(*, agency, dossier, acting_user, components=None):
    def mutate(d, now):
        for c in d.components.all():
            flags = (components or {}).get(c.position) or (components or {}).get(str(c.position))
            if flags:
                c.provided = bool(flags.get("provided", c.provided))
                c.digitised = bool(flags.get("digitised", c.digitised))
                c.save(update_fields=["provided", "digitised"])

    return apply_action(
        agency=agency, dossier=dossier, action=Action.RESUBMIT, acting_user=acting_user, mutate=mutate
    )


def dossier_refuse(*, agency, dossier, reason, acting_user):
    """Form 03: out of scope or ineligible, with the reason."""
    if not (reason or "").strip():
        raise DomainError(_("Hãy ghi rõ lý do từ chối."), field="reason")

    def mutate(d, now):
        d.closing_reason = reason.strip()

    return apply_action(
        agency=agency,
        dossier=dossier,
        action=Action.REFUSE,
        acting_user=acting_user,
        note=reason.strip(),
        mutate=mutate,
        handover_to=dossier.applicant_name,
    )


INCOMPLETE_OUTCOMES = ("supplement", "refuse")


def dossier_register_incomplete(
    *,
    agency,
    procedure,
    applicant,
    channel,
    components,
    acting_user,
    outcome,
    reasons=None,
    refuse_reason="",
    request_summary="",
    sets=1,
):
    """At the counter, a dossier that cannot be received as it is, in ONE transaction: recorded, then
    either asked once to supplement (form 02: every required component not provided, with its reason —
    `reasons` maps a component's position to it, "Còn thiếu" when none is given) or refused (form 03,
    `refuse_reason`). If either step is refused (nothing missing, no reason...), nothing is kept."""
    if outcome not in INCOMPLETE_OUTCOMES:
        raise DomainError(
            _("Cách xử lý hồ sơ chưa đủ điều kiện không hợp lệ: %(o)s.") % {"o": str(outcome)[:30]},
            field="outcome",
        )
    reasons = reasons or {}
    with transaction.atomic():
        dossier = dossier_register(
            agency=agency,
            procedure=procedure,
            applicant=applicant,
            channel=channel,
            acting_user=acting_user,
            components=components,
            request_summary=request_summary,
            sets=sets,
        )
        if outcome == "supplement":
            # the default reason is written into the dossier's record (form 02): in Vietnamese, whatever
            # the official's screen language
            items = [
                {
                    "name": c.name,
                    "reason": (reasons.get(c.position) or reasons.get(str(c.position)) or "").strip()
                    or "Còn thiếu",
                }
                for c in missing_components(dossier)
            ]
            return dossier_request_intake_supplement(
                agency=agency, dossier=dossier, items=items, acting_user=acting_user
            )
        return dossier_refuse(agency=agency, dossier=dossier, reason=refuse_reason, acting_user=acting_user)
