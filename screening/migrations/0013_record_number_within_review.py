from django.db import migrations, models


def number_existing_records(apps, schema_editor):
    """Records already imported: 1, 2, 3 … per review in import order (their ids' order)."""
    Record = apps.get_model("screening", "Record")
    table = schema_editor.quote_name(Record._meta.db_table)
    if schema_editor.connection.vendor == "postgresql":
        # Foreign-key checks now, not at the commit: PostgreSQL refuses to add the constraint
        # below while checks are pending on the table.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    # One statement whatever the size; ROW_NUMBER and UPDATE … FROM work on PostgreSQL and
    # SQLite (3.33+) alike.
    schema_editor.execute(
        f"UPDATE {table} SET number = numbered.n FROM ("  # noqa: S608 - names from the model
        f"SELECT id, ROW_NUMBER() OVER (PARTITION BY review_id ORDER BY id) AS n FROM {table}"
        f") AS numbered WHERE {table}.id = numbered.id"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0011_import_job_started_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="record",
            name="number",
            field=models.PositiveIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(number_existing_records, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="record",
            constraint=models.UniqueConstraint(
                fields=("review", "number"), name="record_number_in_review"
            ),
        ),
    ]
