"""The content of a procedure version as plain data: what the importer reads, what services write,
what export writes, and what is compared to tell whether an import changes anything."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, time
from decimal import Decimal

DEFAULT_STEPS = (
    ("receive", "Tiếp nhận hồ sơ", "receiving_officer", Decimal("10")),
    ("assign", "Phân công xử lý", "unit_head", Decimal("10")),
    ("appraise", "Thẩm định hồ sơ", "specialist", Decimal("50")),
    ("approve", "Phê duyệt, ký kết quả", "leader", Decimal("20")),
    ("return", "Trả kết quả", "receiving_officer", Decimal("10")),
)


@dataclass(frozen=True)
class ComponentSpec:
    name: str
    form: str
    quantity: int = 1
    required: bool = True


@dataclass(frozen=True)
class FeeSpec:
    name: str
    amount: int
    collector: str = ""


@dataclass(frozen=True)
class StepSpec:
    code: str
    name: str
    role: str
    share: Decimal
    agency: str = ""  # blank: the lead agency; an agency kind or a national agency code (liên thông)


@dataclass(frozen=True)
class VersionContent:
    levels: tuple[str, ...]
    channels: tuple[str, ...]
    time_limit: Decimal
    time_unit: str
    online_mode: str = ""
    cutoff: time | None = None
    legal_basis: str = ""
    source: str = ""
    notes: str = ""
    valid_from: date | None = None
    components: tuple[ComponentSpec, ...] = ()
    fees: tuple[FeeSpec, ...] = ()
    steps: tuple[StepSpec, ...] = field(default_factory=lambda: tuple(StepSpec(*s) for s in DEFAULT_STEPS))

    def comparable(self):
        data = asdict(self)
        data["levels"] = sorted(self.levels)
        data["channels"] = sorted(self.channels)
        data["time_limit"] = Decimal(self.time_limit).normalize()
        data["steps"] = [{**s, "share": Decimal(s["share"]).normalize()} for s in data["steps"]]
        return data


def content_of(version) -> VersionContent:
    return VersionContent(
        levels=tuple(version.levels),
        channels=tuple(version.channels),
        time_limit=version.time_limit,
        time_unit=version.time_unit,
        online_mode=version.online_mode,
        cutoff=version.cutoff,
        legal_basis=version.legal_basis,
        source=version.source,
        notes=version.notes,
        valid_from=version.valid_from,
        components=tuple(
            ComponentSpec(c.name, c.form, c.quantity, c.required) for c in version.components.all()
        ),
        fees=tuple(FeeSpec(f.name, f.amount, f.collector) for f in version.fees.all()),
        steps=tuple(StepSpec(s.code, s.name, s.role, s.share, s.agency) for s in version.steps.all()),
    )
