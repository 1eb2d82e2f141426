"""The pool of spare agency schemas (see tenants.models.SpareSchema).

`schema_pool_take` runs inside the onboarding transaction: it locks the oldest spare cloned from the
current template (`FOR UPDATE SKIP LOCKED`, so concurrent onboardings never take the same one) and
renames it to the agency's schema; when there is none, onboarding clones as before. `schema_pool_fill`
drops spares of an older template and clones new ones up to SCHEMA_POOL_SIZE, one transaction each.
A renamed spare equals a fresh clone: identity sequences, defaults and foreign keys refer to objects
by OID, and no index or constraint name contains the schema's name (tested)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import connection, transaction
from django_tenants.utils import quote_schema_name

from .models import SpareSchema
from .schema import schema_clone_from_template, template_fingerprint


def schema_pool_take(*, schema_name):
    """Rename a current spare to `schema_name`; False when the pool has none. Call inside the
    onboarding transaction (the rename rolls back with it and the spare is then still there)."""
    if not connection.in_atomic_block:
        raise RuntimeError("schema_pool_take must run inside transaction.atomic()")
    spare = (
        SpareSchema.objects.select_for_update(skip_locked=True)
        .filter(fingerprint=template_fingerprint())
        .order_by("id")
        .first()
    )
    if spare is None:
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            f"ALTER SCHEMA {quote_schema_name(spare.name)} RENAME TO {quote_schema_name(schema_name)}"
        )
    spare.delete()
    return True


def schema_pool_fill(*, size=None):
    """Drop stale spares and clone fresh ones up to `size`. Returns (created, dropped)."""
    size = settings.SCHEMA_POOL_SIZE if size is None else size
    current = template_fingerprint()
    dropped = 0
    for spare in SpareSchema.objects.exclude(fingerprint=current):
        with transaction.atomic():
            locked = SpareSchema.objects.select_for_update(skip_locked=True).filter(pk=spare.pk).first()
            if locked is None:
                continue
            with connection.cursor() as cursor:
                cursor.execute(f"DROP SCHEMA IF EXISTS {quote_schema_name(locked.name)} CASCADE")
            locked.delete()
            dropped += 1
    created = 0
    while SpareSchema.objects.filter(fingerprint=current).count() < size:
        name = f"spare_{uuid.uuid4().hex[:12]}"
        with transaction.atomic():
            schema_clone_from_template(name)
            SpareSchema.objects.create(name=name, fingerprint=current)
        created += 1
    return created, dropped
