from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from reviewapp.services import create_review


class Command(BaseCommand):
    help = "Create a review; the owner (if given) becomes its lead."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--title", required=True)
        parser.add_argument("--owner", help="Username of the review's first lead.")

    def handle(self, *args, slug: str, title: str, owner: str | None, **options):
        user = None
        if owner:
            user = get_user_model().objects.filter(username=owner).first()
            if user is None:
                raise CommandError(f"No user is called '{owner}'.")
        try:
            review = create_review(owner=user, slug=slug, title=title)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(f"Created review '{review.slug}': {review.title}")
