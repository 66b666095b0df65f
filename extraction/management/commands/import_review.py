from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from extraction.archive import ArchiveError
from extraction.archive.read import load_archive


class Command(BaseCommand):
    help = (
        "Load a review archive (from export_review) as a new review on this instance, all or "
        "nothing. People are matched by username; anyone missing gets an inactive account with "
        "an unusable password, listed here, for an administrator to activate."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--slug", help="Load under this slug instead of the archive's.")

    def handle(self, *args, file: str, slug: str | None, **options):
        try:
            result = load_archive(path=Path(file), slug=slug)
        except ArchiveError as error:
            raise CommandError(f"{file}: {error}") from error
        rows = sum(result.counts.values())
        self.stdout.write(f"{file}: review '{result.review.slug}' loaded, {rows:,} rows")
        if result.created_users:
            self.stdout.write(
                "Inactive accounts created (no password; activate to let them log in): "
                + ", ".join(result.created_users)
            )
