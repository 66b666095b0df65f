"""Charting a study: autosave keeps every input, stale saves are refused, submit lists problems."""

import pytest
from django.urls import reverse

from extraction.models import Chart, ChartForm, ChartValue, ChartValueChange
from screening.models import Record
from tests.extraction.charting_setup import build_form, chart_url, included_study, post_chart
from tests.factories import RecordFactory, SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def study(review, lead):
    build_form(review)
    return included_study(review)


def values(chart):
    return {v.field.key: v for v in chart.values.select_related("field")}


def test_autosave_stores_a_valid_value_and_its_history(client_for, review, reviewer, study):
    client = client_for(reviewer)
    response = post_chart(client, review, study, {"design": "Interviews", "sample": "12",
                                                  "sample__quote": "twelve young people",
                                                  "sample__location": "p. 4"}, 0)  # fmt: skip
    assert response.status_code == 200
    assert b'data-testid="save-status">Saved.' in response.content
    assert b'id="chart-revision" value="1" hx-swap-oob="true"' in response.content
    chart = Chart.objects.get(study=study, charted_by=reviewer)
    stored = values(chart)
    assert stored["design"].value == "Interviews"
    assert (stored["sample"].value, stored["sample"].quote) == (12, "twelve young people")
    assert stored["sample"].location == "p. 4"
    assert "rq1_methods" not in stored  # nothing typed there: no row
    change = ChartValueChange.objects.get(value=stored["sample"])
    assert change.old == {}
    assert change.new["value"] == 12 and change.changed_by == reviewer


def test_control_characters_never_reach_a_quote_or_location(client_for, review, reviewer, study):
    # NUL would make PostgreSQL refuse the whole autosave; the others make Excel refuse the file.
    data = {"sample": "12", "sample__quote": "twelve\x00 young\x0b people\x1b",
            "sample__location": "\x00p.\x01 4"}  # fmt: skip
    assert post_chart(client_for(reviewer), review, study, data, 0).status_code == 200
    stored = values(Chart.objects.get(study=study, charted_by=reviewer))["sample"]
    assert (stored.quote, stored.location) == ("twelve young people", "p. 4")
    change = ChartValueChange.objects.get(value=stored)
    assert (change.new["quote"], change.new["location"]) == ("twelve young people", "p. 4")


def test_an_invalid_value_is_kept_as_typed_with_its_error(client_for, review, reviewer, study):
    client = client_for(reviewer)
    response = post_chart(client, review, study, {"design": "Survey", "sample": "about 40"}, 0)
    assert response.status_code == 200
    assert b"1 value to fix, kept as typed" in response.content
    assert b'id="error-sample"' in response.content
    assert b"Enter a whole number, such as 42." in response.content
    sample = values(Chart.objects.get(study=study))["sample"]
    assert (sample.draft, sample.value, sample.is_valid) == ("about 40", None, False)
    # Reloaded, the page shows what was typed and why it does not count yet.
    page = client.get(chart_url(review, study))
    assert b'value="about 40"' in page.content
    assert b"Enter a whole number, such as 42." in page.content


def test_fixing_a_value_clears_its_error_and_keeps_both_in_history(
    client_for, review, reviewer, study
):
    client = client_for(reviewer)
    post_chart(client, review, study, {"sample": "about 40"}, 0)
    response = post_chart(client, review, study, {"sample": "40"}, 1)
    assert b'data-testid="save-status">Saved.' in response.content
    sample = values(Chart.objects.get(study=study))["sample"]
    assert (sample.value, sample.is_valid) == (40, True)
    history = list(ChartValueChange.objects.filter(value=sample).order_by("id"))
    assert [h.new["draft"] for h in history] == ["about 40", "40"]
    assert history[1].old["draft"] == "about 40"


def test_a_stale_save_is_refused_not_overwritten(client_for, review, reviewer, study):
    client = client_for(reviewer)
    post_chart(client, review, study, {"design": "From tab one"}, 0)
    # Another tab loaded at revision 0 saves afterwards.
    response = post_chart(client, review, study, {"design": "From tab two"}, 0)
    assert response.status_code == 409
    assert b"changed in another tab or window" in response.content
    chart = Chart.objects.get(study=study)
    assert values(chart)["design"].value == "From tab one"
    assert chart.revision == 1


def test_an_unchanged_save_writes_no_history(client_for, review, reviewer, study):
    client = client_for(reviewer)
    post_chart(client, review, study, {"design": "Survey"}, 0)
    post_chart(client, review, study, {"design": "Survey"}, 1)
    assert ChartValueChange.objects.count() == 1
    assert Chart.objects.get(study=study).revision == 1


def test_a_stale_save_that_changes_nothing_brings_the_page_up_to_date(
    client_for, review, reviewer, study
):
    client = client_for(reviewer)
    post_chart(client, review, study, {"design": "Survey"}, 0)
    post_chart(client, review, study, {"design": "Survey", "sample": "3"}, 1)
    # A page loaded at revision 1 (before the sample landed) that now shows the same values.
    response = post_chart(client, review, study, {"design": "Survey", "sample": "3"}, 1)
    assert response.status_code == 200
    assert b'id="chart-revision" value="2" hx-swap-oob="true"' in response.content


def test_unticking_every_option_clears_a_multiple_choice(client_for, review, reviewer, study):
    client = client_for(reviewer)
    post_chart(client, review, study, {"design": "x", "rq_relevance": ["RQ2", "RQ1"]}, 0)
    chart = Chart.objects.get(study=study)
    assert values(chart)["rq_relevance"].value == ["RQ1", "RQ2"]
    post_chart(client, review, study, {"design": "x"}, 1)  # the page posts no ticked box
    assert values(chart)["rq_relevance"].value is None


def test_a_dependent_section_is_hidden_until_its_choice_is_ticked(
    client_for, review, reviewer, study
):
    client = client_for(reviewer)
    page = client.get(chart_url(review, study)).content.decode()
    assert 'id="section-rq1"' in page
    assert 'data-depends-choice="RQ1" data-depends-on="rq_relevance"' in page
    assert "card mb-3 chart-section d-none" in page
    post_chart(client, review, study, {"design": "x", "rq_relevance": ["RQ1"]}, 0)
    page = client.get(chart_url(review, study)).content.decode()
    assert "card mb-3 chart-section d-none" not in page


def test_submit_lists_every_problem_and_asks_only_for_shown_sections(
    client_for, review, reviewer, study
):
    client = client_for(reviewer)
    response = post_chart(client, review, study, {"sample": "lots"}, 0, "chart-submit", False)
    assert response.status_code == 400
    problems = response.content.decode()
    assert "Design</a>: This field is required." in problems
    assert "Sample size</a>: Enter a whole number" in problems
    assert "Methods</a>" not in problems  # rq1 is hidden: RQ1 is not ticked
    assert Chart.objects.get(study=study).status == Chart.Status.DRAFT
    assert values(Chart.objects.get(study=study))["sample"].draft == "lots"

    data = {"design": "Survey", "sample": "40", "rq_relevance": ["RQ1"]}
    response = post_chart(client, review, study, data, 1, "chart-submit", False)
    assert response.status_code == 400
    assert "Methods</a>: This field is required." in response.content.decode()

    data["rq1_methods"] = "Peer research"
    response = post_chart(client, review, study, data, 2, "chart-submit", False)
    assert response.status_code == 302
    chart = Chart.objects.get(study=study)
    assert chart.status == Chart.Status.SUBMITTED and chart.submitted_at is not None


def test_hidden_sections_keep_their_drafts(client_for, review, reviewer, study):
    client = client_for(reviewer)
    post_chart(client, review, study, {"design": "x", "rq_relevance": ["RQ1"],
                                       "rq1_methods": "Peer research"}, 0)  # fmt: skip
    response = post_chart(client, review, study, {"design": "x", "rq1_methods": "Peer research"},
                          1, "chart-submit", False)  # fmt: skip
    assert response.status_code == 302
    assert values(Chart.objects.get(study=study))["rq1_methods"].value == "Peer research"


def test_a_submitted_chart_no_longer_changes(client_for, review, reviewer, study):
    client = client_for(reviewer)
    post_chart(client, review, study, {"design": "Survey"}, 0, "chart-submit", False)
    response = post_chart(client, review, study, {"design": "Changed"}, 2)
    assert response.status_code == 400
    assert b"was submitted" in response.content
    assert values(Chart.objects.get(study=study))["design"].value == "Survey"


def test_a_chart_keeps_its_form_version_when_the_form_changes(client_for, review, reviewer, lead,
                                                              study):  # fmt: skip
    client_for(reviewer)
    post_chart(client_for(reviewer), review, study, {"design": "Survey"}, 0)
    client_for(lead).post(
        reverse("extraction:form-field-add", kwargs={"slug": review.slug}),
        {"section_key": "general", "key": "country", "label": "Country", "type": "short_text",
         "order": 5},
    )  # fmt: skip
    assert ChartForm.objects.filter(review=review).count() == 2
    page = client_for(reviewer).get(chart_url(review, study)).content.decode()
    assert 'name="design"' in page and 'name="country"' not in page


def test_with_one_charter_a_second_reviewer_is_told_someone_charts_it(
    client_for, review, reviewer, second_reviewer, study
):
    post_chart(client_for(reviewer), review, study, {"design": "Survey"}, 0)
    page = client_for(second_reviewer).get(chart_url(review, study))
    assert b"Someone is already charting this study." in page.content
    response = post_chart(client_for(second_reviewer), review, study, {"design": "Mine"}, 0)
    assert response.status_code == 400
    assert Chart.objects.filter(study=study).count() == 1


def test_a_viewer_reads_the_submitted_chart_and_cannot_save(
    client_for, review, reviewer, viewer, study
):
    post_chart(client_for(reviewer), review, study, {"design": "Survey"}, 0, "chart-submit", False)
    page = client_for(viewer).get(chart_url(review, study)).content.decode()
    assert 'value="Survey"' in page and "disabled" in page
    assert 'id="chart-form"' not in page
    response = post_chart(client_for(viewer), review, study, {"design": "Mine"}, 1)
    assert response.status_code == 403


def test_an_outsider_gets_404_for_a_chart(client_for, review, outsider, study):
    assert client_for(outsider).get(chart_url(review, study)).status_code == 404


def test_a_study_of_another_review_is_404(client_for, review, reviewer, outsider, study):
    from reviewapp.models import Review

    other_study = included_study(Review.objects.get(slug="someone-elses"))
    assert client_for(reviewer).get(chart_url(review, other_study)).status_code == 404


def test_studies_page_links_each_study_to_its_chart_with_status(
    client_for, review, reviewer, study
):
    post_chart(client_for(reviewer), review, study, {"design": "Survey"}, 0)
    lone = RecordFactory(source=SourceFactory(review=review), ta_status="include",
                         retrieval="retrieved", ft_status="include")  # fmt: skip
    page = client_for(reviewer).get(reverse("screening:studies", kwargs={"slug": review.slug}))
    content = page.content.decode()
    assert chart_url(review, study) in content
    assert "1 in progress" in content
    # A report standing alone becomes a study of its own when someone opens its chart.
    start = reverse("extraction:study-start", kwargs={"slug": review.slug})
    response = client_for(reviewer).post(start, {"record": lone.pk})
    lone.refresh_from_db()
    assert lone.study is not None
    assert response["Location"] == chart_url(review, lone.study)
    assert Record.objects.get(pk=study.reports.get().pk).study == study


def test_extraction_index_shows_my_chart_status(client_for, review, reviewer, study):
    post_chart(client_for(reviewer), review, study, {"design": "Survey"}, 0)
    page = client_for(reviewer).get(reverse("extraction:index", kwargs={"slug": review.slug}))
    assert b"Warrington 2013" in page.content
    assert b"In progress" in page.content
    assert ChartValue.objects.count() == 1


def test_with_one_charter_the_lead_reads_the_submitted_chart_only_once_submitted(
    client_for, review, reviewer, lead, study
):
    post_chart(client_for(reviewer), review, study, {"design": "Survey"}, 0)
    page = client_for(lead).get(chart_url(review, study)).content.decode()
    assert "Someone is already charting this study." in page
    assert "No settled chart of this study yet." in page
    assert 'value="Survey"' not in page
    post_chart(client_for(reviewer), review, study, {"design": "Survey"}, 1, "chart-submit", False)
    page = client_for(lead).get(chart_url(review, study)).content.decode()
    assert 'value="Survey"' in page and 'id="chart-form"' not in page


def test_a_half_typed_date_is_kept_with_its_error(client_for, review, reviewer, study):
    client = client_for(reviewer)
    response = post_chart(client, review, study, {"published": "2013-06"}, 0)
    assert b"Enter a date as YYYY-MM-DD" in response.content
    page = client.get(chart_url(review, study)).content.decode()
    assert 'name="published" value="2013-06"' in page


def test_the_chart_page_shows_its_history(client_for, review, reviewer, study):
    client = client_for(reviewer)
    post_chart(client, review, study, {"sample": "about 40"}, 0)
    post_chart(client, review, study, {"sample": "40"}, 1)
    page = client.get(chart_url(review, study)).content.decode()
    assert "History of this chart (2 latest changes)" in page
    assert "about 40 (not valid)" in page
    assert '<td class="text-prewrap">40</td>' in page


def test_the_lead_reopens_a_submitted_chart_for_its_charter(client_for, review, reviewer, lead,
                                                             study):  # fmt: skip
    post_chart(client_for(reviewer), review, study, {"design": "Survey"}, 0, "chart-submit", False)
    chart = Chart.objects.get(study=study)
    page = client_for(lead).get(chart_url(review, study)).content.decode()
    assert "Reopen for rev1 to correct" in page
    kwargs = {"slug": review.slug, "study_id": study.pk, "chart_id": chart.pk}
    reopen = reverse("extraction:chart-reopen", kwargs=kwargs)
    assert client_for(lead).post(reopen).status_code == 302
    chart.refresh_from_db()
    assert chart.status == Chart.Status.DRAFT and chart.submitted_at is None
    response = post_chart(client_for(reviewer), review, study, {"design": "Cohort"}, chart.revision)
    assert b"Saved." in response.content
    assert values(chart)["design"].value == "Cohort"
    assert ChartValueChange.objects.filter(value__chart=chart).count() == 2


def test_moving_a_charted_studys_reports_elsewhere_keeps_its_charts(
    client_for, review, reviewer, lead, study
):
    from screening.services.studies import link_reports, unlink_report

    post_chart(client_for(reviewer), review, study, {"design": "Survey"}, 0)
    report = study.reports.get()
    link_reports(review=review, record_ids=[report.pk], by=lead, new_label="Other")
    unlink_report(review=review, record_id=report.pk)
    assert Chart.objects.get(study=study).values.get().value == "Survey"
