"""Hooks through which tenants/ asks the apps above it to do their share of a whole-agency operation.

tenants/ sits below the apps (core → tenants → shared_apps → tenant_apps → config) and never imports
them; where one of its raw-SQL writers changes rows that an app keeps copies of (caches, process-local
snapshots), it sends a signal here and each app forgets its own copies in a receiver it connects in
its AppConfig.ready (with weak=False when the receiver is a local function).

`agency_data_changed` (keyword `agency`): rows of the agency — in its schema or its rows in the shared
tables — were changed by SQL that no model signal sees. Writers send it
- through `replacing_agency_data` when rows may go away (a restore): once before the write, so that
  receivers can still read the rows that go (e.g. memberships the restore drops), and once after it;
- through `agency_data_added` when rows only come in (the adoptions a merger or a split carries over).
Both inside the writer's transaction: a receiver forgets at once and again after commit, so no other
process re-caches an old row in between."""

from __future__ import annotations

from contextlib import contextmanager

from django.dispatch import Signal

agency_data_changed = Signal()


@contextmanager
def replacing_agency_data(agency):
    """Wrap a raw write that replaces the agency's rows: receivers run before and after it."""
    agency_data_changed.send(sender=type(agency), agency=agency)
    yield
    agency_data_changed.send(sender=type(agency), agency=agency)


def agency_data_added(agency):
    """Call after a raw write that added rows to the agency (nothing went away)."""
    agency_data_changed.send(sender=type(agency), agency=agency)
