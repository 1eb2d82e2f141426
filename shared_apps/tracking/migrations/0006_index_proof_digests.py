"""The look-up's proof becomes the full phone or ID number (issue #21, item 9): digests of both in the
index, filled in for the rows that exist from each agency's own dossiers."""

from django.db import migrations, models


def backfill(apps, schema_editor):
    from shared_apps.tracking.proofs import id_digest, phone_digest

    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT id, schema_name FROM tenants_agency")
        for agency_id, schema in cursor.fetchall():
            cursor.execute("SELECT to_regclass(%s)", [f'"{schema}".dossiers_dossier'])
            if cursor.fetchone()[0] is None:  # the public row, or an agency not migrated yet
                continue
            cursor.execute(
                f'SELECT d.id, d.applicant_phone, d.applicant_id_number FROM "{schema}".dossiers_dossier d '
                "JOIN tracking_dossierindex i ON i.agency_id = %s AND i.dossier_id = d.id",
                [agency_id],
            )
            rows = [(phone_digest(p), id_digest(n), agency_id, pk) for pk, p, n in cursor.fetchall()]
            cursor.executemany(
                "UPDATE tracking_dossierindex SET applicant_phone_digest = %s, applicant_id_digest = %s "
                "WHERE agency_id = %s AND dossier_id = %s",
                rows,
            )


class Migration(migrations.Migration):
    dependencies = [
        ("tracking", "0005_index_transfers"),
    ]

    operations = [
        migrations.AddField(
            model_name="dossierindex",
            name="applicant_id_digest",
            field=models.CharField(blank=True, db_default="", default="", max_length=64),
        ),
        migrations.AddField(
            model_name="dossierindex",
            name="applicant_phone_digest",
            field=models.CharField(blank=True, db_default="", default="", max_length=64),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
