from django.db import migrations, models


def other_methods_skip_title_abstract(apps, schema_editor):
    """Records found by other methods enter at "reports sought" (PRISMA 2020): those nobody has
    screened yet are included at title/abstract, as an import now does. Records that already have
    title/abstract decisions keep them (never overwrite a decision)."""
    Source = apps.get_model("screening", "Source")
    Record = apps.get_model("screening", "Record")
    Source.objects.filter(method="other", other_kind="").update(other_kind="other")
    Record.objects.filter(
        source__method="other", ta_status="", ta_count=0, resolutions__isnull=True
    ).update(ta_status="include")


class Migration(migrations.Migration):
    # After main's 0013 and 0014 (which kept 0012's number free for this one): one leaf.
    dependencies = [
        ("screening", "0014_full_text_page_text"),
    ]

    operations = [
        migrations.AddField(
            model_name="source",
            name="other_kind",
            field=models.CharField(
                blank=True,
                choices=[
                    ("citations", "Citation searching"),
                    ("website", "Websites"),
                    ("organisation", "Organisations"),
                    ("other", "Other (hand searching, experts, ...)"),
                ],
                max_length=12,
                verbose_name="other method",
            ),
        ),
        migrations.RunPython(other_methods_skip_title_abstract, migrations.RunPython.noop),
    ]
