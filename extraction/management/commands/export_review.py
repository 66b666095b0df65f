from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from extraction.archive.write import write_archive_file
from reviewapp.models import Review


class Command(BaseCommand):
    help = (
        "Write a whole review (protocol, team, sources, records, decisions with history, full "
        "texts and their files, charts, codebook) as one zip archive, for import_review. "
        "Also `export SLUG archive -o FILE`."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("-o", "--output", required=True, help="The .zip file to write.")

    def handle(self, *args, slug: str, output: str, **options):
        review = Review.objects.filter(slug=slug).first()
        if review is None:
            raise CommandError(f"No review is called '{slug}'.")
        try:
            counts = write_archive_file(review=review, path=Path(output))
        except OSError as error:
            raise CommandError(f"{output}: cannot be written ({error}).") from error
        rows = sum(counts.values())
        self.stdout.write(f"{output}: review '{slug}', {rows:,} rows in {len(counts)} tables")
