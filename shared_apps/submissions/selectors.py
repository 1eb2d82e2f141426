"""Reads for online submission: which agencies receive a procedure online, a citizen's drafts, and a
citizen's own dossier in an agency's schema (read there, materialised, and the connection put back)."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection

from core.dossier import (
    HIDDEN_FROM_CITIZEN,
    PUBLIC_NOTES,
    REASON_SHOWN_STATES,
    SUPPLEMENT_REQUESTS,
    SUPPLEMENT_STATES,
    WHAT_NEXT,
)
from shared_apps.catalogue.models import Procedure
from shared_apps.catalogue.selectors import level_for_agency, procedure_current_version
from tenants.directory import directory

from .models import DraftStatus, SubmissionDraft


@contextmanager
def in_schema(agency):
    previous = connection.tenant
    connection.set_tenant(agency)
    try:
        yield agency
    finally:
        connection.set_tenant(previous)


@dataclass(frozen=True)
class OfferedAgency:
    agency: object
    competent: bool  # its level handles the procedure; else it receives across boundaries (phi địa giới)


def online_version(*, procedure):
    """The current published version when it is offered online, else None."""
    version = procedure_current_version(procedure=procedure)
    if version is None or not version.online_mode or "online" not in version.channels:
        return None
    return version


def agencies_offering(*, procedure, version=None):
    """Agencies that receive `procedure` online: every open agency whose own schema has adopted it
    with online intake open. Agencies of the procedure's level are competent; any other agency that
    adopted it (a commune or the city's centre) receives it across administrative boundaries.
    Competent ones first, then by name. Two queries whatever the number of agencies (the schemas
    that exist, then one UNION ALL over their adoption tables)."""
    version = version or online_version(procedure=procedure)
    if version is None:
        return []
    candidates = [a for a in directory.all() if a.is_open and not a.is_public]
    if not candidates:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname = ANY(%s)", [[a.schema_name for a in candidates]]
        )
        existing = {row[0] for row in cursor.fetchall()}
        candidates = [a for a in candidates if a.schema_name in existing]
        if not candidates:
            return []
        quote = connection.ops.quote_name
        sql = " UNION ALL ".join(
            f"SELECT {int(a.pk)}::bigint FROM {quote(a.schema_name)}.adoption_procedureadoption "
            f"WHERE procedure_id = %s AND is_active AND online_intake_open"
            for a in candidates
        )
        cursor.execute(sql, [procedure.pk] * len(candidates))
        ids = {row[0] for row in cursor.fetchall()}
    offered = [OfferedAgency(a, level_for_agency(a) in version.levels) for a in candidates if a.pk in ids]
    return sorted(offered, key=lambda o: (not o.competent, o.agency.name))


def procedure_for_online(*, national_code):
    return Procedure.objects.select_related("sector").filter(national_code=national_code).first()


def agency_version(*, agency, procedure):
    """(adoption, version) the agency applies to a dossier submitted now, or (None, None)."""
    from tenant_apps.adoption.models import ProcedureAdoption
    from tenant_apps.adoption.selectors import adoption_version_in_force

    with in_schema(agency):
        adoption = (
            ProcedureAdoption.objects.select_related("procedure")
            .filter(procedure=procedure, is_active=True)
            .first()
        )
        version = adoption_version_in_force(adoption=adoption) if adoption else None
    return adoption, version


def draft_components(*, draft):
    """The components of the version the agency applies, each with the draft's file (or None)."""
    _adoption, version = agency_version(agency=draft.agency, procedure=draft.procedure)
    if version is None:
        return None, []
    files = {f.position: f for f in draft.files.all()}
    components = list(version.components.all())
    for c in components:
        c.draft_file = files.get(c.position)
    return version, components


def draft_get(*, user, pk):
    """The user's own draft, or None (someone else's draft is as if it did not exist)."""
    if not user.is_authenticated:
        return None
    return (
        SubmissionDraft.objects.select_related("procedure", "agency").filter(pk=pk, owner_id=user.pk).first()
    )


def drafts_of(*, user):
    """The user's unsent drafts, most recently changed first (one query)."""
    if not user.is_authenticated:
        return []
    return list(
        SubmissionDraft.objects.select_related("procedure", "agency")
        .filter(owner_id=user.pk, status=DraftStatus.DRAFT)
        .order_by("-updated_at", "-id")
    )


# --- the citizen's own dossier -------------------------------------------------------------------


@dataclass
class CitizenDossier:
    agency: object
    pk: int
    code: str | None
    reference: str
    state: str
    state_label: str
    national_status: int
    what_next: str
    procedure_name: str
    registered_at: object
    received_at: object
    due_at: object
    applicant_name: str
    request_summary: str
    closing_reason: str
    supplement_note: str
    supplement_items: list
    components: list = field(default_factory=list)
    events: list = field(default_factory=list)

    @property
    def can_supplement(self):
        return self.state in SUPPLEMENT_STATES

    @property
    def has_receipt(self):
        return bool(self.code)


def citizen_dossier(*, user, agency, dossier_id):
    """The user's own dossier in `agency`, read in its schema and materialised; None when there is no
    such dossier or it is not theirs."""
    from tenant_apps.dossiers.documents.forms import supplement_items
    from tenant_apps.dossiers.models import Dossier

    if not user.is_authenticated or agency is None or agency.is_public:
        return None
    with in_schema(agency):
        dossier = (
            Dossier.objects.select_related("procedure").filter(pk=dossier_id, owner_user_id=user.pk).first()
        )
        if dossier is None:
            return None
        components = [
            {
                "position": c.position,
                "name": c.name,
                "form": c.form_label,
                "required": c.required,
                "provided": c.provided,
                "has_file": bool(c.file),
                "missing": c.required and not c.provided,
            }
            for c in dossier.components.all()
        ]
        events = [
            {"at": e.at, "label": e.action_label, "note": e.note if e.action in PUBLIC_NOTES else ""}
            for e in dossier.events.exclude(action__in=HIDDEN_FROM_CITIZEN).order_by("seq")
        ]
        request = dossier.events.filter(action__in=SUPPLEMENT_REQUESTS).order_by("-seq").first()
        note = request.note if request is not None and dossier.state in SUPPLEMENT_STATES else ""
        return CitizenDossier(
            agency=agency,
            pk=dossier.pk,
            code=dossier.code,
            reference=dossier.reference,
            state=dossier.state,
            state_label=dossier.state_label,
            national_status=dossier.national_status,
            what_next=str(WHAT_NEXT.get(dossier.state, "")),
            procedure_name=dossier.procedure.name,
            registered_at=dossier.registered_at,
            received_at=dossier.received_at,
            due_at=dossier.due_at,
            applicant_name=dossier.applicant_name,
            request_summary=dossier.request_summary,
            closing_reason=dossier.closing_reason if dossier.state in REASON_SHOWN_STATES else "",
            supplement_note=note,
            supplement_items=supplement_items(note),
            components=components,
            events=events,
        )
