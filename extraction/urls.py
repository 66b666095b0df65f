from django.urls import path

from .views import exports

app_name = "extraction"
urlpatterns = [
    path("exports/", exports.exports, name="exports"),
    path("exports/<int:job_id>/", exports.export_job, name="export-job"),
    path("exports/<int:job_id>/download/", exports.export_download, name="export-download"),
    path("exports/<int:job_id>/retry/", exports.export_retry, name="export-retry"),
]
