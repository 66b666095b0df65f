"""The lead builds the charting form; a change after charting began makes a new version."""

import pytest

from extraction.models import ChartForm, FieldType, FormField, FormSection
from tests.factories import ChartFactory, QuestionFactory

pytestmark = pytest.mark.django_db


def url(review, name, **kwargs):
    from django.urls import reverse

    return reverse(f"extraction:{name}", kwargs={"slug": review.slug, **kwargs})


def add_section(client, review, key, **extra):
    data = {"key": key, "title": key.title(), "order": 0, **extra}
    return client.post(url(review, "form-section-add"), data)


def add_field(client, review, section, key, type_, **extra):
    data = {"section_key": section, "key": key, "label": key, "type": type_, "order": 0, **extra}
    return client.post(url(review, "form-field-add"), data)


def test_lead_builds_a_section_per_question_with_fields_of_every_type(client_for, review, lead):
    client = client_for(lead)
    question = QuestionFactory(review=review)
    assert add_section(client, review, "rq1", question=question.pk).status_code == 302
    for field_type in FieldType:
        options = "Low\nMedium\nHigh" if field_type in ("single_choice", "multiple_choice",
                                                         "ordinal") else ""  # fmt: skip
        response = add_field(
            client, review, "rq1", f"f_{field_type}", field_type, choices=options,
            required="on", help_text="Say <what>", takes_quote="on",
        )  # fmt: skip
        assert response.status_code == 302, response.content
    form = ChartForm.objects.get(review=review)
    section = FormSection.objects.get(form=form)
    assert section.question == question
    fields = {f.type: f for f in FormField.objects.filter(section=section)}
    assert set(fields) == set(FieldType.values)
    assert fields["ordinal"].choices == ["Low", "Medium", "High"]
    assert fields["integer"].choices == []  # options only where they mean something
    assert fields["date"].required and fields["date"].takes_quote
    assert form.version == 1
    page = client.get(url(review, "form"))
    assert page.status_code == 200
    assert b"f_yes_no" in page.content


def test_what_the_lead_types_is_shown_as_text_on_the_chart_page(client_for, review, lead):
    from tests.extraction.charting_setup import chart_url, included_study

    client = client_for(lead)
    add_section(client, review, "general")
    FormSection.objects.filter(key="general").update(title="Sample {{ 7|add:1 }} <b>x</b>")
    add_field(client, review, "general", "design", "short_text", help_text="Say <i>what</i>")
    page = client.get(chart_url(review, included_study(review))).content.decode()
    assert "Say &lt;i&gt;what&lt;/i&gt;" in page and "<i>what</i>" not in page
    assert "Sample &#123;&#123; 7|add:1 &#125;&#125; &lt;b&gt;x&lt;/b&gt;" in page


def test_a_choice_field_without_options_is_refused_with_a_message(client_for, review, lead):
    client = client_for(lead)
    add_section(client, review, "general")
    response = add_field(client, review, "general", "design", "single_choice", choices="Only")
    assert response.status_code == 400
    assert b"needs at least two options" in response.content
    assert not FormField.objects.exists()


def test_a_field_key_is_unique_across_the_form(client_for, review, lead):
    client = client_for(lead)
    add_section(client, review, "one")
    add_section(client, review, "two")
    add_field(client, review, "one", "design", "short_text")
    response = add_field(client, review, "two", "design", "short_text")
    assert response.status_code == 400
    assert b"already has a field" in response.content


def test_a_section_depends_on_a_multiple_choice_fields_option(client_for, review, lead):
    client = client_for(lead)
    add_section(client, review, "general")
    add_field(client, review, "general", "rq_relevance", "multiple_choice", choices="RQ1\nRQ2")
    add_field(client, review, "general", "design", "short_text")
    refused = add_section(
        client, review, "rq9", depends_on_key="rq_relevance", depends_on_choice="RQ9"
    )
    assert refused.status_code == 400
    assert b"is not one of the options" in refused.content
    assert add_section(
        client, review, "rq2", depends_on_key="rq_relevance", depends_on_choice="RQ2"
    ).status_code == 302  # fmt: skip
    section = FormSection.objects.get(key="rq2")
    assert section.depends_on.key == "rq_relevance"
    assert section.depends_on_choice == "RQ2"
    # The option a section depends on cannot be taken away from its field.
    response = client.post(
        url(review, "form-field", key="rq_relevance"),
        {"section_key": "general", "key": "rq_relevance", "label": "Relevant to",
         "type": "multiple_choice", "choices": "RQ1\nRQ3", "order": 0},
    )  # fmt: skip
    assert response.status_code == 400
    assert b"A section depends on the option(s) RQ2" in response.content


def test_editing_before_any_chart_changes_the_version_in_place(client_for, review, lead):
    client = client_for(lead)
    add_section(client, review, "general")
    add_field(client, review, "general", "design", "short_text")
    response = client.post(
        url(review, "form-field", key="design"),
        {"section_key": "general", "key": "design", "label": "Study design",
         "type": "short_text", "order": 0},
    )  # fmt: skip
    assert response.status_code == 302
    assert ChartForm.objects.filter(review=review).count() == 1
    assert FormField.objects.get().label == "Study design"


def test_editing_a_form_a_chart_uses_makes_a_new_version_and_the_chart_keeps_its_own(
    client_for, review, lead
):
    client = client_for(lead)
    add_section(client, review, "general")
    add_field(client, review, "general", "rq_relevance", "multiple_choice", choices="RQ1\nRQ2")
    add_section(client, review, "rq1", depends_on_key="rq_relevance", depends_on_choice="RQ1")
    add_field(client, review, "rq1", "rq1_methods", "long_text")
    v1 = ChartForm.objects.get(review=review)
    chart = ChartFactory(form=v1)
    assert b"your next change makes version 2" in client.get(url(review, "form")).content

    response = client.post(
        url(review, "form-field", key="rq1_methods"),
        {"section_key": "rq1", "key": "rq1_methods", "label": "How they took part",
         "type": "long_text", "order": 0, "required": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    v2 = ChartForm.objects.get(review=review, version=2)
    chart.refresh_from_db()
    assert chart.form == v1
    old = FormField.objects.get(section__form=v1, key="rq1_methods")
    new = FormField.objects.get(section__form=v2, key="rq1_methods")
    assert (old.label, old.required) == ("rq1_methods", False)
    assert (new.label, new.required) == ("How they took part", True)
    # The copy's dependency points at the copy's own field, not at version 1's.
    copied = FormSection.objects.get(form=v2, key="rq1")
    assert copied.depends_on == FormField.objects.get(section__form=v2, key="rq_relevance")
    assert copied.depends_on_choice == "RQ1"
    # A second change goes to version 2 itself: no chart uses it yet.
    add_field(client, review, "general", "country", "short_text")
    assert ChartForm.objects.filter(review=review).count() == 2
    assert FormField.objects.filter(section__form=v2, key="country").exists()
    assert not FormField.objects.filter(section__form=v1, key="country").exists()


def test_removing_a_field_is_versioned_too(client_for, review, lead):
    client = client_for(lead)
    add_section(client, review, "general")
    add_field(client, review, "general", "design", "short_text")
    v1 = ChartForm.objects.get(review=review)
    ChartFactory(form=v1)
    assert client.post(url(review, "form-field-delete", key="design")).status_code == 302
    assert FormField.objects.filter(section__form=v1, key="design").exists()
    assert not FormField.objects.filter(section__form__version=2).exists()


def test_dual_charting_is_a_setting_of_the_form(client_for, review, lead):
    client = client_for(lead)
    assert client.post(url(review, "form-settings"), {"charters_per_study": "2"}).status_code == 302
    assert ChartForm.objects.get(review=review).charters_per_study == 2
    assert client.post(url(review, "form-settings"), {"charters_per_study": "3"}).status_code == 400


def test_the_number_of_charters_is_fixed_once_charting_began(client_for, review, lead):
    # Two to one with rev1's chart in would make it the study's single chart, shown to everyone.
    client = client_for(lead)
    client.post(url(review, "form-settings"), {"charters_per_study": "2"})
    ChartFactory(form=ChartForm.objects.get(review=review))
    response = client.post(url(review, "form-settings"), {"charters_per_study": "1"})
    assert response.status_code == 400
    assert "can no longer change" in response.content.decode()
    assert ChartForm.objects.get(review=review).charters_per_study == 2
    assert client.post(url(review, "form-settings"), {"charters_per_study": "2"}).status_code == 302


@pytest.mark.parametrize(
    ("persona", "status"), [("reviewer", 403), ("viewer", 403), ("outsider", 404)]
)
def test_only_the_lead_changes_the_form(client_for, review, team, persona, status):
    response = add_section(client_for(team[persona]), review, "general")
    assert response.status_code == status
    assert not FormSection.objects.exists()


def test_one_section_per_review_question_plus_source_characteristics(client_for, review, lead):
    QuestionFactory(review=review, number=1, text="How do young people take part?")
    QuestionFactory(review=review, number=2, text="What helps?")
    client = client_for(lead)
    assert client.post(url(review, "form-sections-questions")).status_code == 302
    sections = list(FormSection.objects.order_by("order").values_list("key", "question__number"))
    assert sections == [("source", None), ("rq1", 1), ("rq2", 2)]
    client.post(url(review, "form-sections-questions"))  # twice: nothing doubles
    assert FormSection.objects.count() == 3
