"""A small charting form and an included study, shared by the charting and consensus tests."""

from django.urls import reverse

from tests.factories import (
    ChartFormFactory,
    FormFieldFactory,
    FormSectionFactory,
    RecordFactory,
    SourceFactory,
    StudyFactory,
)


def build_form(review, charters=1):
    """general: design (required), rq_relevance (RQ1/RQ2), sample (integer, with quote),
    published (date);
    rq1 (shown when rq_relevance includes RQ1): rq1_methods (required)."""
    form = ChartFormFactory(review=review, charters_per_study=charters)
    general = FormSectionFactory(form=form, key="general", title="Source characteristics", order=0)
    FormFieldFactory(section=general, key="design", label="Design", required=True, order=0)
    relevance = FormFieldFactory(
        section=general, key="rq_relevance", label="Relevant to", order=1,
        type="multiple_choice", choices=["RQ1", "RQ2"],
    )  # fmt: skip
    FormFieldFactory(
        section=general, key="sample", label="Sample size", type="integer", order=2,
        takes_quote=True,
    )  # fmt: skip
    FormFieldFactory(section=general, key="published", label="Published", type="date", order=3)
    rq1 = FormSectionFactory(
        form=form, key="rq1", title="RQ1: how they took part", order=1,
        depends_on=relevance, depends_on_choice="RQ1",
    )  # fmt: skip
    FormFieldFactory(section=rq1, key="rq1_methods", label="Methods", type="long_text",
                     required=True)  # fmt: skip
    return form


def included_study(review, label="Warrington 2013"):
    study = StudyFactory(review=review, label=label)
    RecordFactory(
        source=SourceFactory(review=review), ta_status="include", retrieval="retrieved",
        ft_status="include", study=study,
    )  # fmt: skip
    return study


def chart_url(review, study, name="chart"):
    return reverse(f"extraction:{name}", kwargs={"slug": review.slug, "study_id": study.pk})


def post_chart(client, review, study, data, revision, name="chart-save", htmx=True):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(
        chart_url(review, study, name), {**data, "revision": revision}, headers=headers
    )
