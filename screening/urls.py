from django.urls import path

from reviewapp.models import Stage

from .views import (
    agreement,
    conflicts,
    duplicates,
    fulltexts,
    prioritise,
    records,
    screen,
    sources,
    studies,
    textsearch,
)

TA = {"stage": Stage.TITLE_ABSTRACT}
FT = {"stage": Stage.FULL_TEXT}

app_name = "screening"
urlpatterns = [
    path("sources/", sources.sources, name="sources"),
    path("sources/jobs/<int:job_id>/", sources.import_job, name="import-job"),
    path("sources/jobs/<int:job_id>/retry/", sources.import_retry, name="import-retry"),
    path("sources/jobs/<int:job_id>/delete/", sources.import_delete, name="import-delete"),
    path("records/", records.record_list, name="records"),
    path("records/<int:record_id>/", records.record_detail, name="record-detail"),
    path("records/<int:record_id>/unmark/", records.record_unmark, name="record-unmark"),
    path("duplicates/", duplicates.duplicates, name="duplicates"),
    path("duplicates/run/", duplicates.duplicates_run, name="duplicates-run"),
    path("duplicates/<int:pair_id>/", duplicates.duplicate_decide, name="duplicate-decide"),
    path("screen/title-abstract/", screen.screen, TA, name="screen-ta"),
    path("screen/title-abstract/undo/", screen.screen_undo, TA, name="screen-ta-undo"),
    path("screen/full-text/", screen.screen, FT, name="screen-ft"),
    path("screen/full-text/undo/", screen.screen_undo, FT, name="screen-ft-undo"),
    path("full-texts/", fulltexts.fulltexts, name="fulltexts"),
    path("full-texts/bulk/", fulltexts.fulltext_bulk, name="fulltexts-bulk"),
    path("full-texts/search/", textsearch.fulltext_search, name="fulltext-search"),
    path("full-texts/<int:fulltext_id>/file/", fulltexts.fulltext_file, name="fulltext-file"),
    path("full-texts/<int:fulltext_id>/read/", fulltexts.fulltext_read, name="fulltext-read"),
    path("full-texts/<int:fulltext_id>/assign/", fulltexts.fulltext_assign, name="fulltext-assign"),
    path("full-texts/<int:fulltext_id>/remove/", fulltexts.fulltext_remove, name="fulltext-remove"),
    path("records/<int:record_id>/full-text/", fulltexts.fulltext_record, name="fulltext-record"),
    path("studies/", studies.studies, name="studies"),
    path("conflicts/", conflicts.conflicts, name="conflicts"),
    path("records/<int:record_id>/reopen/", conflicts.record_reopen, name="record-reopen"),
    path("records/bulk/", records.records_bulk, name="records-bulk"),
    path("agreement/", agreement.agreement_page, name="agreement"),
    path("agreement/pilot/", agreement.pilot_set, name="agreement-pilot"),
    path("prioritise/", prioritise.prioritise_panel, name="prioritise"),
    path("prioritise/stop/", prioritise.exclude_remaining, name="prioritise-stop"),
    path("prioritise/rules/<int:rule_id>/undo/", prioritise.undo_rule, name="prioritise-undo"),
]
