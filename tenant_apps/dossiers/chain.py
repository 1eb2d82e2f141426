"""Tamper-evident history: each dossier's events form a hash chain.

Every event stores `prev_hash` (the hash of the dossier's previous event, "" for the first) and
`hash` = SHA-256 (hex) of `prev_hash + "\\n" + content`, where `content` is the event's fields joined
by U+001F in this order:

    seq, action, from_state, to_state, actor_id ("" when none), actor_name,
    at (UTC, YYYY-MM-DDTHH:MM:SS.ffffffZ), note, old_values, new_values (PostgreSQL's jsonb text),
    step, giver_name, receiver_name, step_due_at (UTC as above, or ""), step_timeliness

`agency_name` is not sealed: it is a display annotation that a merger fills in for history written
at the merged agency.

The chain is computed by PostgreSQL itself — a BEFORE INSERT trigger on every agency's event table
(public.dossier_event_seal, installed by migration 0005) — so every writer is covered: the ORM, the
one-statement counter intake, bulk inserts and the merger's set-based copy. A row inserted with a
hash already set (a copy carried by a merger, a restored backup) keeps it, so a history broken before
it was copied stays visibly broken after. Changing or deleting an event afterwards breaks the chain at
that event (its hash no longer matches its content) or at the next one (its prev_hash no longer
matches); `history_verify` reports the first broken link of each dossier.

A chain is evidence against silent edits, not against someone who rewrites the whole chain with
database access: publish or store elsewhere the agency's `head` digest (verify_history prints it)
to anchor it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db import connection

CONTENT_SQL = """public.dossier_event_content(e.seq, e.action, e.from_state, e.to_state, e.actor_id,
    e.actor_name, e.at, e.note, e.old_values, e.new_values, e.step, e.giver_name, e.receiver_name,
    e.step_due_at, e.step_timeliness)"""


def chain_hash(prev_hash, content):
    """What an outside checker computes for one event (the same as PostgreSQL's function)."""
    return hashlib.sha256(f"{prev_hash}\n{content}".encode()).hexdigest()


@dataclass(frozen=True)
class Broken:
    dossier_id: int
    code: str | None
    seq: int
    reason: str


AUDIT_ROLES = ("leader", "agency_admin")


def _ensure_auditor(agency, acting_user):
    """Leaders and agency administrators check histories; None = the system (commands)."""
    from shared_apps.accounts.services import ensure_member

    from .services.core import ensure_in_agency

    ensure_in_agency(agency)
    if acting_user is not None:
        ensure_member(user=acting_user, agency=agency, roles=list(AUDIT_ROLES))


def history_verify(*, agency, acting_user, dossier_ids=None):
    """Check the chains of the agency's dossiers (all, or `dossier_ids`) in one statement.
    Returns (events checked, list of Broken — the first broken link of each broken dossier)."""
    _ensure_auditor(agency, acting_user)
    where = "WHERE e.dossier_id = ANY(%(ids)s)" if dossier_ids is not None else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH chk AS (
                SELECT e.dossier_id, e.seq, e.hash, e.prev_hash,
                       coalesce(lag(e.hash) OVER w, '') AS expected_prev,
                       row_number() OVER w AS position,
                       public.dossier_event_hash(e.prev_hash, {CONTENT_SQL}) AS expected_hash
                  FROM dossiers_dossierevent e {where}
                WINDOW w AS (PARTITION BY e.dossier_id ORDER BY e.seq))
            SELECT count(*) OVER (), chk.dossier_id, d.code, chk.seq,
                   CASE WHEN chk.seq <> chk.position THEN 'missing'
                        WHEN chk.prev_hash <> chk.expected_prev THEN 'prev'
                        WHEN chk.hash <> chk.expected_hash THEN 'content' END
              FROM chk JOIN dossiers_dossier d ON d.id = chk.dossier_id
             ORDER BY (chk.seq <> chk.position OR chk.prev_hash <> chk.expected_prev
                       OR chk.hash <> chk.expected_hash) DESC, chk.dossier_id, chk.seq""",
            {"ids": list(dossier_ids or [])},
        )
        rows = cursor.fetchall()
    total = rows[0][0] if rows else 0
    broken, seen = [], set()
    for _n, dossier_id, code, seq, reason in rows:
        if reason is None:
            break  # broken rows sort first
        if dossier_id not in seen:
            seen.add(dossier_id)
            broken.append(Broken(dossier_id, code, seq, REASONS[reason]))
    return total, broken


REASONS = {
    "missing": "thiếu sự kiện trước đó (số thứ tự bị ngắt)",
    "prev": "mã băm của sự kiện trước không khớp (sự kiện trước đã bị sửa hoặc xóa)",
    "content": "nội dung sự kiện không khớp mã băm (sự kiện đã bị sửa)",
}


def history_head(*, agency, acting_user):
    """One digest over every event hash of the agency, in order: anchor it elsewhere."""
    _ensure_auditor(agency, acting_user)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT encode(sha256(convert_to(coalesce(string_agg(hash, '' ORDER BY dossier_id, seq), ''),"
            " 'UTF8')), 'hex'), count(*) FROM dossiers_dossierevent"
        )
        return cursor.fetchone()


def history_export(*, agency, dossier, acting_user):
    """A dossier's history with its chain: each event's fields, its canonical content, prev_hash and
    hash — enough for anyone to recompute the chain with `chain_hash`. Any member of the agency may
    export (they may read the dossier anyway)."""
    from shared_apps.accounts.services import ensure_member

    from .services.core import ensure_in_agency

    ensure_in_agency(agency)
    if acting_user is not None:
        ensure_member(user=acting_user, agency=agency)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT e.seq, e.action, e.from_state, e.to_state, e.actor_name, e.at, e.note,
                                  {CONTENT_SQL}, e.prev_hash, e.hash
                             FROM dossiers_dossierevent e WHERE e.dossier_id = %s ORDER BY e.seq""",
            [dossier.pk],
        )
        columns = [
            "seq",
            "action",
            "from_state",
            "to_state",
            "actor_name",
            "at",
            "note",
            "content",
            "prev_hash",
            "hash",
        ]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
