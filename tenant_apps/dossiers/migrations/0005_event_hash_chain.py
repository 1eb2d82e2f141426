"""Tamper-evident history (tenant_apps/dossiers/chain.py): prev_hash/hash on every event, computed by
a BEFORE INSERT trigger whose functions live in the public schema; existing events are sealed."""

from django.db import migrations, models

FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION public.dossier_event_content(
    seq integer, action text, from_state text, to_state text, actor_id bigint, actor_name text,
    at timestamptz, note text, old_values jsonb, new_values jsonb, step text, giver_name text,
    receiver_name text, step_due_at timestamptz, step_timeliness text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT seq::text || chr(31) || coalesce(action, '') || chr(31) || coalesce(from_state, '') || chr(31)
        || coalesce(to_state, '') || chr(31) || coalesce(actor_id::text, '') || chr(31)
        || coalesce(actor_name, '') || chr(31)
        || to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || chr(31)
        || coalesce(note, '') || chr(31) || coalesce(old_values::text, '{}') || chr(31)
        || coalesce(new_values::text, '{}') || chr(31) || coalesce(step, '') || chr(31)
        || coalesce(giver_name, '') || chr(31) || coalesce(receiver_name, '') || chr(31)
        || coalesce(to_char(step_due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), '') || chr(31)
        || coalesce(step_timeliness, '')
$$;

CREATE OR REPLACE FUNCTION public.dossier_event_hash(prev_hash text, content text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT encode(sha256(convert_to(coalesce(prev_hash, '') || chr(10) || content, 'UTF8')), 'hex')
$$;

CREATE OR REPLACE FUNCTION public.dossier_event_seal() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    prev text;
BEGIN
    IF coalesce(NEW.hash, '') <> '' THEN
        RETURN NEW;  -- a copy (merger, restore) keeps its seal
    END IF;
    EXECUTE format('SELECT hash FROM %I.%I WHERE dossier_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT 1',
                   TG_TABLE_SCHEMA, TG_TABLE_NAME) INTO prev USING NEW.dossier_id, NEW.seq;
    NEW.prev_hash := coalesce(prev, '');
    NEW.hash := public.dossier_event_hash(NEW.prev_hash, public.dossier_event_content(
        NEW.seq, NEW.action, NEW.from_state, NEW.to_state, NEW.actor_id, NEW.actor_name, NEW.at, NEW.note,
        NEW.old_values, NEW.new_values, NEW.step, NEW.giver_name, NEW.receiver_name, NEW.step_due_at,
        NEW.step_timeliness));
    RETURN NEW;
END
$$;
"""

SEAL_EXISTING = r"""
DO $$
DECLARE
    r record;
    prev text := '';
    last_dossier bigint := NULL;
BEGIN
    FOR r IN SELECT * FROM dossiers_dossierevent ORDER BY dossier_id, seq LOOP
        IF last_dossier IS DISTINCT FROM r.dossier_id THEN
            prev := '';
            last_dossier := r.dossier_id;
        END IF;
        UPDATE dossiers_dossierevent SET prev_hash = prev, hash = public.dossier_event_hash(prev,
            public.dossier_event_content(r.seq, r.action, r.from_state, r.to_state, r.actor_id, r.actor_name,
            r.at, r.note, r.old_values, r.new_values, r.step, r.giver_name, r.receiver_name, r.step_due_at,
            r.step_timeliness)) WHERE id = r.id RETURNING hash INTO prev;
    END LOOP;
END
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0004_interagency")]

    operations = [
        migrations.AddField("dossierevent", "prev_hash", models.CharField(blank=True, default="", max_length=64)),
        migrations.AddField("dossierevent", "hash", models.CharField(blank=True, default="", max_length=64)),
        migrations.RunSQL(FUNCTIONS, reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL(SEAL_EXISTING, reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL(
            "CREATE TRIGGER dossier_event_seal BEFORE INSERT ON dossiers_dossierevent "
            "FOR EACH ROW EXECUTE FUNCTION public.dossier_event_seal()",
            reverse_sql="DROP TRIGGER IF EXISTS dossier_event_seal ON dossiers_dossierevent"),
    ]
