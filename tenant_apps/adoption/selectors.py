from django.utils import timezone

from shared_apps.catalogue.selectors import procedure_version_in_force

from .models import ProcedureAdoption


def adoption_list(*, active_only=True):
    qs = ProcedureAdoption.objects.select_related("procedure", "procedure__sector", "pinned_version")
    if active_only:
        qs = qs.filter(is_active=True)
    return list(qs.order_by("procedure__sector__name", "procedure__name"))


def adoption_version_in_force(*, adoption, at=None):
    """The catalogue version this agency applies for a dossier received at `at`."""
    return procedure_version_in_force(
        procedure=adoption.procedure, at=at or timezone.now(), pinned_version_id=adoption.pinned_version_id
    )


def adoption_effective_time_limit(*, adoption, version):
    if adoption.time_limit_override is not None and adoption.time_limit_override < version.time_limit:
        return adoption.time_limit_override, version.time_unit
    return version.time_limit, version.time_unit
