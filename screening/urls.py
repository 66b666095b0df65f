from django.urls import path  # noqa: F401  (screening pages land with the import issue)

app_name = "screening"
urlpatterns: list = []
