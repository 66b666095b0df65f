from django.core.management.base import BaseCommand, CommandError

from extraction.exports.prisma import prisma_json, write_prisma2020_csv, write_prisma_csv
from extraction.exports.prisma_svg import prisma_svg
from reviewapp.models import Review
from screening.prisma import prisma_flow

from ._output import open_output


class Command(BaseCommand):
    help = "Print the review's PRISMA 2020 flow counts (or the diagram as SVG)."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument(
            "--format",
            choices=["json", "csv", "prisma2020", "svg"],
            default="json",
            dest="fmt",
            help="json (DESIGN.md's keys), csv (tidy: one row a box), prisma2020 (the PRISMA2020 "
            "R package's template CSV), svg (the flow diagram).",
        )
        parser.add_argument("-o", "--output", help="Write to this file instead of stdout.")

    def handle(self, *args, slug, fmt, output, **options):
        review = Review.objects.filter(slug=slug).first()
        if review is None:
            raise CommandError(f"No review is called '{slug}'.")
        flow = prisma_flow(review)
        handle = open_output(output) if output else self.stdout
        try:
            if fmt == "json":
                handle.write(prisma_json(flow) + "\n")
            elif fmt == "svg":
                handle.write(prisma_svg(flow, title=review.title) + "\n")
            elif fmt == "prisma2020":
                write_prisma2020_csv(handle, flow)
            else:
                write_prisma_csv(handle, flow)
        finally:
            if output:
                handle.close()
