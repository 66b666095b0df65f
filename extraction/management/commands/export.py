from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from extraction.exports.kinds import KINDS
from extraction.services.exports import write_export
from reviewapp.models import Review

from ._output import open_output


class Command(BaseCommand):
    help = (
        "Export a review's data (the exports page's files, written here and now): "
        "extraction (table), themes, dictionary, records (with the decision trail), "
        "sources (search log), prisma."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("kind", choices=[*sorted(KINDS), "archive"])
        parser.add_argument("--format", default="csv", dest="fmt")
        parser.add_argument("-o", "--output", help="Write to this file instead of stdout.")
        parser.add_argument("--bom", action="store_true", help="Start a CSV with a BOM (Excel).")
        parser.add_argument(
            "--per-reviewer",
            action="store_true",
            help="Extraction table: one row per reviewer's chart instead of the consensus.",
        )

    def handle(self, *args, slug, kind, fmt, output, bom, per_reviewer, **options):
        if kind == "archive":  # the whole review as one zip: its own command
            if not output:
                raise CommandError("An archive is a zip file: name it with -o.")
            return call_command("export_review", slug, output=output, stdout=self.stdout)
        review = Review.objects.filter(slug=slug).first()
        if review is None:
            raise CommandError(f"No review is called '{slug}'.")
        spec = KINDS[kind].get(fmt)
        if spec is None:
            raise CommandError(f"'{kind}' exports as {', '.join(sorted(KINDS[kind]))}, not {fmt}.")
        if spec.binary and not output:
            raise CommandError(f"{fmt} is a binary format: name a file with -o.")
        handle = open_output(output, binary=spec.binary) if output else self.stdout
        try:
            write_export(
                handle=handle,
                review=review,
                kind=kind,
                fmt=fmt,
                options={"bom": bom, "per_reviewer": per_reviewer},
            )
        finally:
            if output:
                handle.close()
