"""The clock the services read, set to instants in the past while the demo history is written.

Every service takes its time from ``django.utils.timezone.now()`` (and so do ``auto_now`` fields),
looked up on the module at each call. ``services_clock()`` puts a settable clock there for the
duration of a block and always puts the real one back; tests/reports/test_handover_merger.py moves
time the same way. Meant for one-off commands (the demo seeding), never for a serving process."""

from __future__ import annotations

from contextlib import contextmanager

from django.utils import timezone


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now

    def at(self, instant):
        self.now = instant
        return instant


@contextmanager
def services_clock(start):
    real = timezone.now
    clock = Clock(start)
    timezone.now = clock
    try:
        yield clock
    finally:
        timezone.now = real
