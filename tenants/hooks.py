"""Hooks through which tenants/ asks the apps above it to do their share of a whole-agency operation.

tenants/ sits below the apps (core → tenants → shared_apps → tenant_apps → config) and never imports
them; where one of its raw-SQL writers replaces rows that an app keeps copies of (caches, process-local
snapshots), it sends a signal here and each app forgets its own copies in a receiver it connects in
its AppConfig.ready.

`agency_data_replaced` (keyword `agency`): the agency's rows — its schema and its rows in the shared
tables — were or are about to be replaced wholesale, by SQL that no model signal sees (a restore).
Writers send it through `replacing_agency_data`, once before the write (receivers can still read the
rows that go away, e.g. memberships the restore drops) and once after it (the rows that came in),
both inside the writer's transaction. A receiver forgets at once and again after commit, so no other
process re-caches an old row in between."""

from __future__ import annotations

from contextlib import contextmanager

from django.dispatch import Signal

agency_data_replaced = Signal()


@contextmanager
def replacing_agency_data(agency):
    """Wrap a raw write that replaces the agency's rows: receivers run before and after it."""
    agency_data_replaced.send(sender=type(agency), agency=agency)
    yield
    agency_data_replaced.send(sender=type(agency), agency=agency)
