from django.core.management.base import BaseCommand, CommandError

from extraction.exports.prisma import prisma_json, write_prisma_csv
from extraction.exports.records import write_records_csv, write_sources_csv
from reviewapp.models import Review

from ._output import open_output

# KIND -> {format: writer(handle, review)}; later issues add extraction, themes, dictionary.
EXPORTS = {
    "records": {"csv": write_records_csv},
    "sources": {"csv": write_sources_csv},
    "prisma": {
        "csv": write_prisma_csv,
        "json": lambda handle, review: handle.write(prisma_json(review) + "\n"),
    },
}


class Command(BaseCommand):
    help = "Export a review's data: records (with each stage's outcome), sources, prisma."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("kind", choices=sorted(EXPORTS))
        parser.add_argument("--format", default="csv", dest="fmt")
        parser.add_argument("-o", "--output", help="Write to this file instead of stdout.")

    def handle(self, *args, slug, kind, fmt, output, **options):
        review = Review.objects.filter(slug=slug).first()
        if review is None:
            raise CommandError(f"No review is called '{slug}'.")
        writer = EXPORTS[kind].get(fmt)
        if writer is None:
            raise CommandError(
                f"'{kind}' exports as {', '.join(sorted(EXPORTS[kind]))}, not {fmt}."
            )
        handle = open_output(output) if output else self.stdout
        try:
            writer(handle, review)
        finally:
            if output:
                handle.close()
