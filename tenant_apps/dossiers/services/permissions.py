"""Who may do what, checked in the services themselves (every channel: the API, the pages, commands)
and BEFORE anything the request names is looked up, so that a refusal neither depends on nor tells
what the input named (an account, an agency).

`dossier_action_authorize` is the one hook deciding who may take an action of the transition table
(`apply_action` asks it for every change): officials by their role in the agency, the citizen on
their own dossier for the actions the table marks `citizen`, the system (an inter-agency hand-back
written by the other agency) for the actions the table marks `system`."""

from __future__ import annotations

from django.db import connection
from django.utils.translation import gettext as _

from core.errors import DomainError, PermissionRefused
from shared_apps.accounts.models import Role
from shared_apps.accounts.selectors import membership_get
from shared_apps.accounts.services import ensure_member
from tenants.models import AgencyKind

from ..lifecycle import TRANSITIONS, Action, HopAction

# Receipt regardless of administrative boundary (phi địa giới): the agencies a desk may receive for.
ON_BEHALF_KINDS = (AgencyKind.DEPARTMENT, AgencyKind.CITY)


def ensure_in_agency(agency):
    if connection.schema_name != agency.schema_name:
        raise RuntimeError(f"connection is on {connection.schema_name!r}, not on {agency.schema_name!r}")


def _owns(user, dossier):
    """The citizen's own dossier: the account that submitted it online."""
    return (
        user is not None
        and user.is_authenticated
        and dossier.owner_user_id is not None
        and dossier.owner_user_id == user.pk
    )


def _is_member(user, agency):
    seen = getattr(user, "_memberships", {})
    return (seen[agency.pk] if agency.pk in seen else membership_get(user=user, agency=agency)) is not None


def dossier_owner_ensure(*, dossier, acting_user):
    if not _owns(acting_user, dossier):
        raise PermissionRefused(_("Đây không phải hồ sơ của bạn."))


def dossier_action_authorize(*, agency, action, acting_user, dossier=None, by_agency=None):
    """Who may take one action of the transition table. Returns the acting official's membership, or
    None when the citizen or the system acts; raises PermissionRefused otherwise.
    - `by_agency` given: the system writes the sender's side of `by_agency`'s hand-back (its member
      was checked there) — only the actions the table gives the system.
    - `dossier` given and the action is one the citizen may take: its owner may take it. Anyone else
      who is not a member of the agency is told it is not their dossier.
    - otherwise an official of the agency holding one of the action's roles.
    The API and the pages call it (without a dossier) before they read the request's input, the
    services before they resolve a named colleague; `apply_action` asks it again for every change."""
    ensure_in_agency(agency)
    if by_agency is not None:
        if not (action in HopAction.__members__.values() and TRANSITIONS[HopAction(action)].system):
            raise PermissionRefused(_("Thao tác này không do hệ thống thực hiện."))
        return None
    transition = TRANSITIONS[Action(action)]
    if transition.citizen and dossier is not None:
        if _owns(acting_user, dossier):
            return None
        if acting_user is not None and acting_user.is_authenticated and not _is_member(acting_user, agency):
            raise PermissionRefused(_("Đây không phải hồ sơ của bạn."))
    return ensure_member(user=acting_user, agency=agency, roles=list(transition.roles))


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
