from django.urls import path

from .views import agreement, conflicts, duplicates, records, screen, sources

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
    path("screen/title-abstract/", screen.screen_title_abstract, name="screen-ta"),
    path("screen/title-abstract/undo/", screen.screen_undo, name="screen-ta-undo"),
    path("conflicts/", conflicts.conflicts, name="conflicts"),
    path("records/<int:record_id>/reopen/", conflicts.record_reopen, name="record-reopen"),
    path("records/bulk/", records.records_bulk, name="records-bulk"),
    path("agreement/", agreement.agreement_page, name="agreement"),
    path("agreement/pilot/", agreement.pilot_set, name="agreement-pilot"),
]
