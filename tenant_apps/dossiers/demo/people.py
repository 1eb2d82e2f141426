"""Who appears in the demo history: applicants with made-up Vietnamese names and ID numbers, a few
citizen accounts that submit online, and the staff of each demo agency (the demo logins of
seed_city where they exist; otherwise staff accounts without a usable password)."""

from __future__ import annotations

from shared_apps.accounts.models import Membership, Role, User
from shared_apps.accounts.services import membership_grant

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đỗ", "Bùi", "Đặng", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thu", "Quang", "Ngọc", "Hữu", "Thanh", "Mạnh"]
GIVEN = ["An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hùng", "Lan", "Linh", "Long"]
GIVEN += ["Mai", "Nam", "Nga", "Phong", "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Yến"]
PLACES = ["Tổ dân phố 1", "Tổ dân phố 3", "Thôn Đông", "Thôn Bắc", "Khu 2", "Khu 5", "Tổ dân phố 7"]

STAFF_ROLES = (Role.RECEIVING_OFFICER, Role.SPECIALIST, Role.UNIT_HEAD, Role.LEADER)
STAFF_LABELS = {
    Role.RECEIVING_OFFICER: "Cán bộ một cửa",
    Role.SPECIALIST: "Chuyên viên",
    Role.UNIT_HEAD: "Trưởng phòng",
    Role.LEADER: "Lãnh đạo",
}
CITIZENS = 6


def applicant(n, agency):
    """The n-th made-up applicant (deterministic): name, 12-digit ID number (Hải Phòng: 031…),
    address in the agency's area. No phone or e-mail: the demo queues no SMS or e-mail."""
    name = f"{FAMILY[n % len(FAMILY)]} {MIDDLE[(n // 3) % len(MIDDLE)]} {GIVEN[(n * 7) % len(GIVEN)]}"
    return {
        "name": name,
        "id_number": f"031{(n * 7919 + 1000003) % 10**9:09d}",
        "address": f"{PLACES[n % len(PLACES)]}, {agency.name}, thành phố Hải Phòng",
    }


def demo_citizens_ensure():
    """The citizen accounts that submit the online dossiers, each with its own identity."""
    out = []
    for i in range(1, CITIZENS + 1):
        person = {
            "name": f"{FAMILY[i * 5 % len(FAMILY)]} {MIDDLE[i % len(MIDDLE)]} {GIVEN[i * 11 % len(GIVEN)]}"
        }
        user, created = User.objects.get_or_create(
            username=f"demo.congdan{i}", defaults={"full_name": person["name"]}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        person["id_number"] = f"031{(i * 104729 + 500009) % 10**9:09d}"
        person["address"] = f"{PLACES[i % len(PLACES)]}, thành phố Hải Phòng"
        out.append((user, person))
    return out


def demo_staff_ensure(agency):
    """{role: user} for the four roles that work a dossier in `agency`: an active member with the
    role when there is one (the demo logins of seed_city), else a new staff account (no usable
    password) granted the role."""
    staff = {}
    for role in STAFF_ROLES:
        member = (
            Membership.objects.filter(agency_id=agency.pk, is_active=True, roles__contains=[role])
            .select_related("user")
            .order_by("user__username")
            .first()
        )
        if member is not None:
            staff[role] = member.user
            continue
        user, created = User.objects.get_or_create(
            username=f"demo.{agency.slug}.{role}"[:150],
            defaults={"full_name": f"{STAFF_LABELS[role]} {agency.short_name or agency.name}"},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        membership_grant(agency=agency, user=user, roles=[role], acting_user=None)
        staff[role] = user
    return staff
