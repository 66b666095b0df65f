from django.apps import AppConfig


class DemoConfig(AppConfig):
    # The one app that may import every other: it seeds demo data across all of them.
    name = "demo"
    verbose_name = "Demo data"
