"""Spare schemas: onboarding renames one (when there is one of the current template)."""

import pytest
from django.db import connection

from tenants.models import SpareSchema
from tenants.pool import schema_pool_fill
from tenants.schema import schema_describe, schema_exists
from tenants.services import agency_onboard

pytestmark = pytest.mark.django_db


def onboard(slug, code):
    return agency_onboard(name=f"Phường {slug}", slug=slug, kind="ward", national_code=code, acting_user=None)


def test_onboarding_takes_a_spare_and_it_equals_a_clone(city):
    created, _dropped = schema_pool_fill(size=2)
    assert created == 2 and SpareSchema.objects.count() == 2
    oldest = SpareSchema.objects.order_by("id").first().name
    pooled = onboard("phuong-tu-kho", "000.96.01.H31")
    assert not schema_exists(oldest) and SpareSchema.objects.count() == 1
    SpareSchema.objects.all().delete()  # the next onboarding must clone
    cloned = onboard("phuong-nhan-ban", "000.96.02.H31")
    assert schema_describe(pooled.schema_name) == schema_describe(cloned.schema_name)
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{pooled.schema_name}".adoption_procedureadoption')
        assert cursor.fetchone()[0] == 0


def test_a_spare_of_an_older_template_is_dropped_not_used(city):
    schema_pool_fill(size=1)
    spare = SpareSchema.objects.get()
    SpareSchema.objects.filter(pk=spare.pk).update(fingerprint="0:0")  # as if the template moved on
    agency = onboard("phuong-moi-mau", "000.96.03.H31")
    assert schema_exists(spare.name) and schema_exists(agency.schema_name)
    created, dropped = schema_pool_fill(size=1)
    assert (created, dropped) == (1, 1) and not schema_exists(spare.name)


def test_a_failed_onboarding_leaves_the_spare_in_the_pool(city):
    from tenants.services import agency_onboarded

    schema_pool_fill(size=1)
    spare = SpareSchema.objects.get()

    def explode(**kwargs):
        raise RuntimeError("injected")

    agency_onboarded.connect(explode, dispatch_uid="pool-explode")
    try:
        with pytest.raises(RuntimeError):
            onboard("phuong-hong-2", "000.96.04.H31")
    finally:
        agency_onboarded.disconnect(dispatch_uid="pool-explode")
    assert SpareSchema.objects.filter(pk=spare.pk).exists() and schema_exists(spare.name)
    assert not schema_exists("ag_phuong_hong_2")
