"""The city-wide look-up: a dossier by its code, from the public index only (never an agency schema)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import psycopg
from django.db import InterfaceError, OperationalError, connection

from core.dossier import NATIONAL_STATUS_LABELS, NEXT_STEP, public_event_label

from .models import DossierIndex
from .proofs import proof_matches


@dataclass(frozen=True)
class LookupAgency:
    name: str


@dataclass(frozen=True)
class LookupEntry:
    """The columns of the index row the look-up shows or checks (not a model instance: the look-up
    is one raw statement)."""

    id: int
    code: str
    procedure_name: str
    national_status: int
    received_at: datetime | None
    due_at: datetime | None
    finished_at: datetime | None
    returned_at: datetime | None
    applicant_name: str
    applicant_phone_digest: str
    applicant_id_digest: str
    owner_user_id: int | None
    agency: LookupAgency


@dataclass(frozen=True)
class LookupResult:
    """What a visitor sees. Without proof (`verified` False) only where the dossier stands: code,
    status, dates and the steps of its timeline — not what it is about (the procedure: a
    criminal-record certificate, a divorce...), not where (the agencies, whose names say as much),
    not who (the applicant). Codes are sequential: anyone can type a neighbour's."""

    entry: LookupEntry
    events: list
    verified: bool

    @property
    def procedure_name(self):
        return self.entry.procedure_name if self.verified else None

    @property
    def agency_name(self):
        return self.entry.agency.name if self.verified else None

    @property
    def status_label(self):
        return str(NATIONAL_STATUS_LABELS.get(self.entry.national_status, ""))


def _normalise(code):
    return (code or "").strip().upper().replace(" ", "")


# The index row, its agency's name and its public timeline (four arrays in timeline order) in ONE
# statement: a unique-index probe on code plus an index range scan on the events. Prepared on each
# connection (server-side binding): PostgreSQL plans it once instead of on every look-up.
LOOKUP_SQL = (
    "SELECT i.id, i.code, i.procedure_name, i.national_status, i.received_at, i.due_at, i.finished_at, "
    "i.returned_at, i.applicant_name, i.applicant_phone_digest, i.applicant_id_digest, i.owner_user_id, a.name, "
    "t.ats, t.actions, t.agencies, t.statuses "
    "FROM tracking_dossierindex i JOIN tenants_agency a ON a.id = i.agency_id "
    "CROSS JOIN LATERAL (SELECT array_agg(e.at ORDER BY e.at, e.id) AS ats, "
    "array_agg(e.action ORDER BY e.at, e.id) AS actions, array_agg(e.agency_name ORDER BY e.at, e.id) AS agencies, "
    "array_agg(e.national_status ORDER BY e.at, e.id) AS statuses "
    "FROM tracking_indexevent e WHERE e.entry_id = i.id) t "
    "WHERE i.code = %s AND i.transferred_out_at IS NULL"  # the live row (a merger leaves history rows)
)


NEVER_AUTOMATICALLY = 2**62


class _PreparedCursor(psycopg.Cursor):
    """Server-side binding, prepared on first use (the project's connections bind client-side and
    never prepare), results in binary (timestamps and arrays decode faster than from text)."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=True)


def _fetch_one_prepared(sql, params):
    """One row of a read-only statement, prepared. The connection health check (CONN_HEALTH_CHECKS:
    a `SELECT 1` round trip before the first statement of every request) is replaced by one retry on
    a fresh connection when the persistent one turns out dead: the same outcome, one round trip less
    per look-up. Inside a transaction nothing is retried (the error is the caller's)."""
    retry = not connection.in_atomic_block
    if retry and connection.connection is not None:
        connection.health_check_done = True  # checked by the statement itself, see below
    try:
        return _execute_prepared(sql, params)
    except (OperationalError, InterfaceError):
        if not retry:
            raise
        connection.close()
        return _execute_prepared(sql, params)


def _execute_prepared(sql, params):
    # Django's cursor() first: connection (re)opened, django-tenants' search_path, then a driver
    # cursor of our own wrapped like Django's (execute wrappers, query log, error translation).
    with connection.cursor() as base:
        pg_connection = base.cursor.connection
    if pg_connection.prepare_threshold is None:
        # Django opens connections with preparation off (prepare_threshold=None), which also refuses
        # an explicit prepare=True. A threshold nothing reaches enables it for explicit requests only;
        # Django's own cursors (client-side binding) never prepare either way.
        pg_connection.prepare_threshold = NEVER_AUTOMATICALLY
    driver = _PreparedCursor(pg_connection)
    wrap = connection.make_debug_cursor if connection.queries_logged else connection.make_cursor
    with wrap(driver) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def dossier_lookup(*, code, proof="", user=None):
    """The index row and public timeline of `code`, or None. `verified` says whether the visitor
    proved to be the applicant (the full phone or ID number given on the dossier, or the logged-in
    owner): only then may the applicant, the procedure and the agencies be shown (see
    `LookupResult` and docs/architecture.md, "Look-up")."""
    code = _normalise(code)
    if not code:
        return None
    row = _fetch_one_prepared(LOOKUP_SQL, [code])
    if row is None:
        return None
    ats, actions, agencies, statuses = row[13:]
    entry = LookupEntry(*row[:12], agency=LookupAgency(row[12]))
    events = [
        {
            "at": at,
            "label": public_event_label(action),
            "agency": agency_name,
            "status": str(NATIONAL_STATUS_LABELS.get(status, "")),
        }
        for at, action, agency_name, status in zip(
            ats or (), actions or (), agencies or (), statuses or (), strict=True
        )
    ]
    verified = bool(
        (user is not None and user.is_authenticated and entry.owner_user_id == user.pk)
        or proof_matches(proof, entry.applicant_phone_digest, entry.applicant_id_digest)
    )
    return LookupResult(entry=entry, events=events, verified=verified)


def my_dossiers(*, user):
    """Every dossier of this citizen in every agency, newest first (one query, from the index)."""
    if not user.is_authenticated:
        return []
    rows = list(
        DossierIndex.objects.select_related("agency")
        .filter(owner_user_id=user.pk)
        .order_by("-received_at", "-id")
    )
    for row in rows:
        row.status_label = str(NATIONAL_STATUS_LABELS.get(row.national_status, ""))
        row.next_step = str(NEXT_STEP.get(row.national_status, ""))
    return rows
