"""Dual charting: independent charts, a comparison of what differs, the lead's consensus."""

import pytest

from extraction.models import Chart, ChartValueChange
from tests.extraction.charting_setup import build_form, chart_url, included_study, post_chart

pytestmark = pytest.mark.django_db


@pytest.fixture
def study(review, lead):
    build_form(review, charters=2)
    return included_study(review)


def submit(client, review, study, data):
    response = post_chart(client, review, study, data, 0, "chart-submit", htmx=False)
    assert response.status_code == 302, response.content
    return response


def both_submitted(client_for, review, study, reviewer, second_reviewer):
    submit(client_for(reviewer), review, study, {"design": "Interviews", "sample": "12"})
    submit(client_for(second_reviewer), review, study, {"design": "Focus groups", "sample": "12"})


def test_a_reviewer_never_sees_the_other_chart(
    client_for, review, reviewer, second_reviewer, study
):
    submit(client_for(reviewer), review, study, {"design": "Interviews"})
    page = client_for(second_reviewer).get(chart_url(review, study)).content.decode()
    assert "Interviews" not in page
    assert 'id="chart-form"' in page  # their own, empty chart


def test_a_third_charter_is_refused_in_dual_mode(
    client_for, review, lead, reviewer, second_reviewer, study
):
    post_chart(client_for(reviewer), review, study, {"design": "a"}, 0)
    post_chart(client_for(second_reviewer), review, study, {"design": "b"}, 0)
    page = client_for(lead).get(chart_url(review, study))
    assert b"Two reviewers are already charting this study." in page.content
    assert b'value="a"' not in page.content and b'value="b"' not in page.content


def test_the_comparison_waits_for_both_charts(client_for, review, lead, reviewer, study):
    submit(client_for(reviewer), review, study, {"design": "Interviews"})
    page = client_for(lead).get(chart_url(review, study, "consensus")).content.decode()
    assert "opens once both reviewers have submitted" in page
    assert "Interviews" not in page
    client_for(lead).post(chart_url(review, study, "consensus"))
    assert not Chart.objects.filter(kind="consensus").exists()


def test_the_comparison_highlights_the_fields_that_differ(
    client_for, review, lead, reviewer, second_reviewer, study
):
    both_submitted(client_for, review, study, reviewer, second_reviewer)
    page = client_for(lead).get(chart_url(review, study, "consensus")).content.decode()
    assert '<tr class="chart-differs" data-testid="differs" data-key="design">' in page
    assert 'data-key="sample"' in page
    assert '<tr class="chart-differs" data-testid="differs" data-key="sample">' not in page
    assert page.count('data-testid="differs"') == 1
    assert "Interviews" in page and "Focus groups" in page


def test_the_lead_records_a_consensus_changed_after_discussion(
    client_for, review, lead, reviewer, second_reviewer, study
):
    both_submitted(client_for, review, study, reviewer, second_reviewer)
    client = client_for(lead)
    assert client.post(chart_url(review, study, "consensus")).status_code == 302
    consensus = Chart.objects.get(study=study, kind="consensus")
    prefilled = {v.field.key: v.value for v in consensus.values.select_related("field")}
    assert prefilled == {"sample": 12}  # what both gave alike; the design is for the lead
    assert consensus.charted_by == lead

    # Not complete yet: the design is required.
    response = client.post(chart_url(review, study, "consensus-verify"), {"verification": "agreed"})
    assert response.status_code == 400
    assert b"Design: This field is required." in response.content

    response = post_chart(
        client, review, study, {"design": "Interviews and focus groups", "sample": "12"},
        consensus.revision, "consensus-save",
    )  # fmt: skip
    assert b"Saved." in response.content
    response = client.post(
        chart_url(review, study, "consensus-verify"), {"verification": "changed"}
    )
    assert response.status_code == 302
    consensus.refresh_from_db()
    assert consensus.verification_status == Chart.Verification.CHANGED
    assert consensus.verified_by == lead and consensus.verified_at is not None
    assert consensus.status == Chart.Status.SUBMITTED
    design = consensus.values.get(field__key="design")
    assert design.value == "Interviews and focus groups"
    assert ChartValueChange.objects.filter(value=design, changed_by=lead).count() == 1
    page = client.get(chart_url(review, study, "consensus")).content.decode()
    assert "Changed after discussion" in page and "verified by lead" in page
    # The reviewers' own charts are untouched.
    mine = Chart.objects.get(study=study, charted_by=reviewer, kind="reviewer")
    assert mine.values.get(field__key="design").value == "Interviews"


def test_a_verification_status_must_be_one_of_the_two(
    client_for, review, lead, reviewer, second_reviewer, study
):
    both_submitted(client_for, review, study, reviewer, second_reviewer)
    client = client_for(lead)
    client.post(chart_url(review, study, "consensus"))
    client.post(chart_url(review, study, "consensus-verify"), {"verification": "unverified"})
    consensus = Chart.objects.get(kind="consensus")
    assert consensus.verification_status == Chart.Verification.UNVERIFIED


def test_a_viewer_reads_the_verified_consensus(
    client_for, review, lead, reviewer, second_reviewer, viewer, study
):
    both_submitted(client_for, review, study, reviewer, second_reviewer)
    client = client_for(lead)
    client.post(chart_url(review, study, "consensus"))
    post_chart(client, review, study, {"design": "Mixed", "sample": "12"}, 0, "consensus-save")
    client.post(chart_url(review, study, "consensus-verify"), {"verification": "changed"})
    page = client_for(viewer).get(chart_url(review, study)).content.decode()
    assert 'value="Mixed"' in page
    assert "Consensus · Changed after discussion" in page


@pytest.mark.parametrize(("persona", "status"), [("reviewer", 403), ("viewer", 403),
                                                 ("outsider", 404)])  # fmt: skip
def test_only_the_lead_compares_and_records_consensus(
    client_for, review, team, persona, status, study
):
    client = client_for(team[persona])
    assert client.get(chart_url(review, study, "consensus")).status_code == status
    assert client.post(chart_url(review, study, "consensus")).status_code == status


def test_a_chart_a_consensus_was_made_from_is_not_reopened(
    client_for, review, lead, reviewer, second_reviewer, study
):
    from django.urls import reverse

    both_submitted(client_for, review, study, reviewer, second_reviewer)
    client = client_for(lead)
    mine = Chart.objects.get(study=study, charted_by=reviewer)
    kwargs = {"slug": review.slug, "study_id": study.pk, "chart_id": mine.pk}
    reopen = reverse("extraction:chart-reopen", kwargs=kwargs)
    page = client.get(chart_url(review, study, "consensus")).content.decode()
    assert f'id="reopen-{mine.pk}"' in page
    client.post(chart_url(review, study, "consensus"))
    response = client.post(reopen, follow=True)
    assert b"A consensus was started from this chart" in response.content
    mine.refresh_from_db()
    assert mine.status == Chart.Status.SUBMITTED


def test_charts_on_two_form_versions_are_compared_over_every_key(
    review, lead, reviewer, second_reviewer
):
    # rev1 charted on v1 (design, setting); the form then became v2 (design, participants) and
    # rev2 charted on it: no answer is left out, and the consensus is charted on v2.
    from extraction.services.consensus import compare, start_consensus
    from tests.factories import (
        ChartFactory,
        ChartFormFactory,
        ChartValueFactory,
        FormFieldFactory,
        FormSectionFactory,
    )

    study = included_study(review)
    fields = {}
    for version, keys in ((1, ("design", "setting")), (2, ("design", "participants"))):
        form = ChartFormFactory(review=review, version=version, charters_per_study=2)
        section = FormSectionFactory(form=form, key="general", order=0)
        for order, key in enumerate(keys):
            fields[version, key] = FormFieldFactory(section=section, key=key, order=order)
    answers = ((1, reviewer, {"design": "Interviews", "setting": "School"}),
               (2, second_reviewer, {"design": "Interviews", "participants": "40"}))  # fmt: skip
    for version, who, values in answers:
        chart = ChartFactory(
            study=study, form=fields[version, "design"].section.form, charted_by=who,
            status="submitted",
        )  # fmt: skip
        for key, value in values.items():
            ChartValueFactory(chart=chart, field=fields[version, key], value=value, draft=value)
    rows = {r.field.key: (r.answers, r.differs) for r in compare(study)}
    assert rows == {
        "design": (["Interviews", "Interviews"], False),
        "participants": (["", "40"], True),
        "setting": (["School", ""], True),
    }
    consensus = start_consensus(study=study, by=lead)
    assert consensus.form.version == 2
    assert list(consensus.values.values_list("field__key", "value")) == [("design", "Interviews")]
