from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "screening"
    verbose_name = "Screening"

    def ready(self) -> None:
        from reviewapp.signals import reviewers_per_record_changed

        from .signals import settle_after_reviewers_change

        reviewers_per_record_changed.connect(
            settle_after_reviewers_change, dispatch_uid="screening-settle-open-records"
        )
