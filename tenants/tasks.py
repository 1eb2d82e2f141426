from celery import shared_task
from django.db import connection


@shared_task(name="tenants.schema_pool_refill")
def schema_pool_refill():
    """Keep SCHEMA_POOL_SIZE spare agency schemas cloned from the current template."""
    from django.core.cache import caches

    from .pool import schema_pool_fill

    caches["shared"].delete("schema-pool:refill-queued")
    connection.set_schema_to_public()
    created, dropped = schema_pool_fill()
    return {"created": created, "dropped": dropped}
