"""Long texts (abstracts, the raw parsed record) compress with lz4 on PostgreSQL.

lz4 stores a large import markedly faster than the default pglz at a similar size (measured in
bench/import_dedup.py). Servers built without lz4, and other databases, are left as they are.
"""

from django.db import migrations

COLUMNS = ("abstract", "raw")


def use_lz4(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql" or connection.pg_version < 140000:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' "
            "AND 'lz4' = ANY(enumvals)"
        )
        if cursor.fetchone() is None:
            return
        for column in COLUMNS:
            cursor.execute(
                f'ALTER TABLE screening_record ALTER COLUMN "{column}" SET COMPRESSION lz4'
            )


class Migration(migrations.Migration):
    dependencies = [("screening", "0001_sources_records_duplicates")]

    operations = [migrations.RunPython(use_lz4, migrations.RunPython.noop, elidable=True)]
