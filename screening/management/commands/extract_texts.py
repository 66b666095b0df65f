from django.core.management.base import BaseCommand, CommandError

from reviewapp.models import Review
from screening.models import FullText
from screening.services.texts import extract_text


class Command(BaseCommand):
    help = (
        "Extract the text of uploaded PDFs not yet extracted (those stored before extraction "
        "existed, or whose worker was lost); --again redoes every one."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", nargs="?", help="Only this review (default: every review).")
        parser.add_argument("--again", action="store_true", help="Also PDFs already extracted.")

    def handle(self, *args, slug=None, again=False, **options):
        fulltexts = FullText.objects.exclude(file="")
        if slug:
            review = Review.objects.filter(slug=slug).first()
            if review is None:
                raise CommandError(f"No review is called '{slug}'.")
            fulltexts = fulltexts.filter(review=review)
        if not again:
            fulltexts = fulltexts.filter(text_state=FullText.TextState.PENDING)
        counts = dict.fromkeys(FullText.TextState.values, 0)
        for fulltext_id in fulltexts.order_by("pk").values_list("pk", flat=True).iterator():
            done = extract_text(fulltext_id)
            if done is not None:
                counts[done.text_state] += 1
        self.stdout.write(
            f"{sum(counts.values())} PDF(s) read: {counts['done']} with text, "
            f"{counts['no_text']} without text (scans), {counts['failed']} unreadable"
        )
