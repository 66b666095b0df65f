from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "screening"
    verbose_name = "Screening"

    def ready(self) -> None:
        from reviewapp.signals import decisions_needed_changed

        from .signals import settle_when_fewer_decisions_are_needed

        decisions_needed_changed.connect(
            settle_when_fewer_decisions_are_needed, dispatch_uid="screening-settle-open-records"
        )
