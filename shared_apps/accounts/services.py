from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import DomainError, PermissionRefused

from .models import Membership, Role
from .selectors import membership_get


def ensure_member(*, user, agency, roles=None):
    """Raise unless `user` is an active member of `agency` (with one of `roles`, when given).
    Services that change an agency's data call this even though the middleware checked already."""
    if user is None or not user.is_authenticated:
        raise PermissionRefused(_("Bạn cần đăng nhập."))
    # Within one request the middleware already read it (kept on the request's user object).
    seen = getattr(user, "_memberships", {})
    membership = seen[agency.pk] if agency.pk in seen else membership_get(user=user, agency=agency)
    if membership is None:
        raise PermissionRefused(_("Bạn không phải thành viên của cơ quan này."))
    if roles and not membership.has_role(*roles):
        labels = ", ".join(str(Role(r).label) for r in roles)
        raise PermissionRefused(_("Thao tác này cần vai trò: %(roles)s.") % {"roles": labels})
    return membership


def ensure_city_admin(acting_user, *, message=None):
    """Raise unless `acting_user` is a city administrator (None = the system itself: commands, seeding)."""
    if acting_user is None:
        return
    if not (acting_user.is_superuser or getattr(acting_user, "is_city_admin", False)):
        raise PermissionRefused(message or _("Chỉ quản trị thành phố mới được thực hiện thao tác này."))


def membership_grant(*, agency, user, roles, acting_user):
    """Give `user` these roles in `agency` (adds to the roles they already have)."""
    bad = [r for r in roles if r not in Role.values]
    if bad:
        raise DomainError(_("Vai trò không hợp lệ: %(r)s.") % {"r": ", ".join(bad)}, field="roles")
    if acting_user is not None and not (acting_user.is_superuser or acting_user.is_city_admin):
        ensure_member(user=acting_user, agency=agency, roles=[Role.AGENCY_ADMIN])
    with transaction.atomic():
        membership, _created = Membership.objects.select_for_update().get_or_create(
            user=user, agency=agency, defaults={"roles": list(roles)}
        )
        merged = sorted(set(membership.roles) | set(roles))
        if merged != sorted(membership.roles) or not membership.is_active:
            membership.roles, membership.is_active = merged, True
            membership.save(update_fields=["roles", "is_active"])
    return membership
