from django.core.management.base import BaseCommand, CommandError

from extraction.exports.prisma import prisma_json, write_prisma_csv
from reviewapp.models import Review

from ._output import open_output


class Command(BaseCommand):
    help = "Print the review's PRISMA 2020 flow counts."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--format", choices=["json", "csv"], default="json", dest="fmt")
        parser.add_argument("-o", "--output", help="Write to this file instead of stdout.")

    def handle(self, *args, slug, fmt, output, **options):
        review = Review.objects.filter(slug=slug).first()
        if review is None:
            raise CommandError(f"No review is called '{slug}'.")
        handle = open_output(output) if output else self.stdout
        try:
            if fmt == "json":
                handle.write(prisma_json(review) + "\n")
            else:
                write_prisma_csv(handle, review)
        finally:
            if output:
                handle.close()
