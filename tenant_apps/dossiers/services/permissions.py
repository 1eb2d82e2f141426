"""Who may do what, checked in the services themselves (every channel: the API, the pages, commands)
and BEFORE anything the request names is looked up, so that a refusal neither depends on nor tells
what the input named (an account, an agency)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.errors import DomainError
from shared_apps.accounts.models import Role
from shared_apps.accounts.services import ensure_member
from tenants.models import AgencyKind

from ..lifecycle import TRANSITIONS, Action
from .core import ensure_in_agency

# Receipt regardless of administrative boundary (phi địa giới): the agencies a desk may receive for.
ON_BEHALF_KINDS = (AgencyKind.DEPARTMENT, AgencyKind.CITY)


def dossier_action_authorize(*, agency, action, acting_user):
    """The role check of one action of the transition table, on its own: the API and the pages call
    it before they read the request's input, the services before they resolve a named colleague.
    (`apply_action` checks the same again.)"""
    ensure_in_agency(agency)
    return ensure_member(user=acting_user, agency=agency, roles=list(TRANSITIONS[Action(action)].roles))


def dossier_intake_authorize(*, agency, acting_user):
    """Registering or receiving a dossier at the desk, whatever the channel: receiving officers."""
    ensure_in_agency(agency)
    return ensure_member(user=acting_user, agency=agency, roles=[Role.RECEIVING_OFFICER])


def ensure_may_decide_on_behalf(*, agency, deciding):
    """A desk receives on behalf of the city's departments and the city itself (never another commune,
    ward or special zone: the dossier would land in that agency's queue with its code number)."""
    if deciding.pk == agency.pk:
        raise DomainError(
            _("Thủ tục do chính cơ quan giải quyết: hãy tiếp nhận như thường lệ."), field="deciding_agency"
        )
    if deciding.kind not in ON_BEHALF_KINDS:
        raise DomainError(
            _("Chỉ tiếp nhận thay các sở, ban, ngành và thành phố; không tiếp nhận thay %(a)s.")
            % {"a": deciding.name},
            code="not_on_behalf",
            field="deciding_agency",
        )
