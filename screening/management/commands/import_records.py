import argparse
from datetime import date
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from reviewapp.models import Review
from screening.importers import ImportFormatError, resolve_format
from screening.models import Source
from screening.services import prioritise
from screening.services.imports import ImportRejected, SourceFields, import_records, size_problem


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"'{value}' is not a date as YYYY-MM-DD") from error


class Command(BaseCommand):
    help = "Import search-export files into a review; each file lands whole or not at all."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument("--source", required=True, help="Source name, e.g. PsycINFO")
        parser.add_argument("--method", choices=Source.Method.values, default="database")
        parser.add_argument(
            "--other-kind",
            choices=Source.OtherKind.values,
            default="",
            help="With --method other: which other method (PRISMA 2020's right-hand column).",
        )
        parser.add_argument(
            "--format",
            default="auto",
            dest="fmt",
            help="auto|ris|bibtex|medline|pubmed-xml|wos|endnote|csv",
        )
        parser.add_argument("--searched-on", type=iso_date, help="YYYY-MM-DD")
        parser.add_argument("--search-string", default="")
        parser.add_argument("--platform", default="")
        parser.add_argument("--by", help="Username recorded as the importer.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Import a file even if the same bytes were imported before.",
        )

    def handle(
        self,
        *args,
        slug,
        files,
        source,
        method,
        other_kind,
        fmt,
        searched_on,
        search_string,
        platform,
        by,
        force,
        **options,
    ):
        review = Review.objects.filter(slug=slug).first()
        if review is None:
            raise CommandError(f"No review is called '{slug}'.")
        user = None
        if by:
            user = get_user_model().objects.filter(username=by).first()
            if user is None:
                raise CommandError(f"No user is called '{by}' (--by).")
        fields = SourceFields(
            name=source,
            method=method,
            other_kind=other_kind,
            platform=platform,
            searched_on=searched_on,
            search_string=search_string,
        )
        if fields.problems():
            raise CommandError(f"Nothing imported: {'; '.join(fields.problems())}.")
        try:
            resolve_format(fmt)  # once, not once per file (and before any other complaint)
        except ImportFormatError as error:
            raise CommandError(f"Nothing imported: {error}.") from error
        with prioritise.training_in_foreground():
            failed = self._import_all(review, files, fields, user, fmt, force)
        if failed:
            raise SystemExit(1)

    def _import_all(self, review, files, fields, user, fmt, force) -> bool:
        """Import each file on its own; True if any failed."""
        failed = False
        for path in files:
            try:
                # Before reading: a file over the limit must not be loaded whole to be refused.
                problem = size_problem(path.stat().st_size, path.name)
                data = None if problem else path.read_bytes()
            except OSError as error:
                self.stderr.write(f"{path}: cannot be read ({error.strerror})")
                failed = True
                continue
            if problem:
                self.stderr.write(problem)
                failed = True
                continue
            try:
                outcome = import_records(
                    review=review,
                    data=data,
                    file_name=path.name,
                    source_fields=fields,
                    by=user,
                    fmt=fmt,
                    force=force,
                )
            except ImportRejected as error:
                self.stderr.write(str(error))
                failed = True
                continue
            self.stdout.write(
                f"{path.name}: {outcome.source.record_count} records "
                f"({outcome.source.file_format}); "
                f"{outcome.duplicates_hidden} hidden as duplicates, "
                f"{outcome.duplicates_pending} pairs to check"
            )
            for note in outcome.notes:
                self.stdout.write(f"{path.name}: note: {note}")
        return failed
