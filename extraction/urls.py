from django.urls import path

from .views import exports, themes

app_name = "extraction"
urlpatterns = [
    path("exports/", exports.exports, name="exports"),
    path("exports/<int:job_id>/", exports.export_job, name="export-job"),
    path("exports/<int:job_id>/download/", exports.export_download, name="export-download"),
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
