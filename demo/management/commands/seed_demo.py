from django.core.management.base import BaseCommand

from demo.seed import seed_demo


class Command(BaseCommand):
    help = "Load the demo reviews and users (idempotent: running it again changes nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--password", help="Password for the demo users (default review-demo).")

    def handle(self, *args, password: str | None, **options):
        for line in seed_demo(password=password):
            self.stdout.write(line)
