from django.urls import path

from .views import duplicates, records, sources

app_name = "screening"
urlpatterns = [
    path("sources/", sources.sources, name="sources"),
    path("sources/jobs/<int:job_id>/", sources.import_job, name="import-job"),
    path("records/", records.record_list, name="records"),
    path("records/<int:record_id>/", records.record_detail, name="record-detail"),
    path("records/<int:record_id>/unmark/", records.record_unmark, name="record-unmark"),
    path("duplicates/", duplicates.duplicates, name="duplicates"),
    path("duplicates/run/", duplicates.duplicates_run, name="duplicates-run"),
    path("duplicates/<int:pair_id>/", duplicates.duplicate_decide, name="duplicate-decide"),
]
