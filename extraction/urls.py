from django.urls import path

from .views import builder, charting, consensus, exports, prisma, themes

app_name = "extraction"
urlpatterns = [
    path("exports/", exports.exports, name="exports"),
    path("exports/<int:job_id>/", exports.export_job, name="export-job"),
    path("exports/<int:job_id>/download/", exports.export_download, name="export-download"),
    path("prisma/", prisma.prisma_page, name="prisma"),
    path("prisma/download/<str:fmt>/", prisma.prisma_download, name="prisma-download"),
    # Charting: form builder, charts per study, consensus.
    path("extraction/", charting.extraction_index, name="index"),
    path("extraction/form/", builder.form_builder, name="form"),
    path("extraction/form/settings/", builder.form_settings, name="form-settings"),
    path("extraction/form/sections/new/", builder.section_add, name="form-section-add"),
    path(
        "extraction/form/sections/questions/",
        builder.sections_for_questions,
        name="form-sections-questions",
    ),
    path("extraction/form/sections/<str:key>/", builder.section_edit, name="form-section"),
    path(
        "extraction/form/sections/<str:key>/delete/",
        builder.section_delete,
        name="form-section-delete",
    ),
    path("extraction/form/fields/new/", builder.field_add, name="form-field-add"),
    path("extraction/form/fields/<str:key>/", builder.field_edit, name="form-field"),
    path(
        "extraction/form/fields/<str:key>/delete/", builder.field_delete, name="form-field-delete"
    ),
    path("extraction/start/", charting.study_start, name="study-start"),
    path("extraction/studies/<int:study_id>/", charting.chart_page, name="chart"),
    path("extraction/studies/<int:study_id>/save/", charting.chart_save, name="chart-save"),
    path("extraction/studies/<int:study_id>/submit/", charting.chart_submit, name="chart-submit"),
    path(
        "extraction/studies/<int:study_id>/charts/<int:chart_id>/reopen/",
        charting.chart_reopen,
        name="chart-reopen",
    ),
    path(
        "extraction/studies/<int:study_id>/consensus/", consensus.consensus_page, name="consensus"
    ),
    path(
        "extraction/studies/<int:study_id>/consensus/save/",
        consensus.consensus_save,
        name="consensus-save",
    ),
    path(
        "extraction/studies/<int:study_id>/consensus/verify/",
        consensus.consensus_verify,
        name="consensus-verify",
    ),
    # Themes: codebook, coding quotes on a study, the theme table, the data dictionary.
    path("themes/", themes.themes, name="themes"),
    path("themes/codebook/", themes.codebook, name="codebook"),
    path("themes/codebook/<int:code_id>/", themes.code_edit, name="code-edit"),
    path("themes/codebook/<int:code_id>/retire/", themes.code_retire, name="code-retire"),
    path("themes/codebook/<int:code_id>/delete/", themes.code_delete, name="code-delete"),
    path("themes/codebook/<int:code_id>/merge/", themes.code_merge, name="code-merge"),
    path("studies/<int:study_id>/codes/", themes.study_codes, name="study-codes"),
    path("studies/<int:study_id>/codes/<int:quote_id>/", themes.coded_quote, name="coded-quote"),
    path(
        "studies/<int:study_id>/codes/<int:quote_id>/delete/",
        themes.coded_quote_delete,
        name="coded-quote-delete",
    ),
    path("dictionary/", themes.dictionary, name="dictionary"),
    path("exports/<int:job_id>/retry/", exports.export_retry, name="export-retry"),
]
