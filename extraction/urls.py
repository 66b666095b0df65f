from django.urls import path  # noqa: F401  (extraction pages land with the extraction issue)

app_name = "extraction"
urlpatterns: list = []
