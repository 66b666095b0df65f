from django.core.management.base import BaseCommand, CommandError

from reviewapp.models import Review
from screening.services.dedup import find_duplicates


class Command(BaseCommand):
    help = "Look for duplicates across the whole review: mark sure ones, queue likely ones."

    def add_arguments(self, parser):
        parser.add_argument("slug")

    def handle(self, *args, slug, **options):
        review = Review.objects.filter(slug=slug).first()
        if review is None:
            raise CommandError(f"No review is called '{slug}'.")
        result = find_duplicates(review=review)
        self.stdout.write(
            f"{result.hidden} records hidden as duplicates "
            f"({result.marked} sure pairs among {result.candidates} candidate pairs), "
            f"{result.pending} pairs newly waiting for the lead"
        )
