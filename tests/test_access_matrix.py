"""Every review-scoped URL against every role, built from the URL configuration.

A URL added under /reviews/<slug>/ without an entry in ACCESS fails
`test_every_review_url_is_in_the_matrix`, so nothing ships unguarded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from reviewapp.models import ROLE_RANK, Invitation, Membership, Review, Role
from screening.models import ExclusionRule, FullText, ImportJob
from tests.factories import DuplicatePairFactory, RecordFactory, SourceFactory

PERSONAS = ["lead", "reviewer", "viewer", "outsider", "anonymous"]


@dataclass(frozen=True)
class Access:
    get: Role | None  # lowest role that may GET; None: the URL takes no GET
    post: Role | None = None  # lowest role that may POST; None: the URL takes no POST
    kwargs: Callable[[Review, dict], dict] = field(default=lambda review, team: {})


def _member_id(review: Review, team: dict) -> dict:
    return {"member_id": Membership.objects.get(user=team["viewer"]).pk}


def _invitation_id(review: Review, team: dict) -> dict:
    invitation = Invitation.objects.create(
        review=review, invited_as="someone", invited_by=team["lead"], expires_at=timezone.now()
    )
    return {"invitation_id": invitation.pk}


def _job_id(review: Review, team: dict) -> dict:
    job = ImportJob.objects.create(review=review, file_name="x.ris", status="done")
    return {"job_id": job.pk}


def _refused_job_id(review: Review, team: dict) -> dict:
    job = ImportJob.objects.create(
        review=review, file_name="photo.jpg", status="failed", phase=ImportJob.REFUSED
    )
    return {"job_id": job.pk}


def _record_id(review: Review, team: dict) -> dict:
    return {"record_id": RecordFactory(source=SourceFactory(review=review)).pk}


def _fulltext_id(review: Review, team: dict) -> dict:
    record = RecordFactory(source=SourceFactory(review=review), ta_status="include")
    fulltext = FullText(review=review, record=record, original_name="a.pdf")
    fulltext.file.save("a.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    return {"fulltext_id": fulltext.pk}


def _unassigned_fulltext_id(review: Review, team: dict) -> dict:
    fulltext = FullText.objects.create(review=review, url="https://example.org/b")
    return {"fulltext_id": fulltext.pk}


def _sought_record_id(review: Review, team: dict) -> dict:
    record = RecordFactory(source=SourceFactory(review=review), ta_status="include")
    return {"record_id": record.pk}


def _rule_id(review: Review, team: dict) -> dict:
    rule = ExclusionRule.objects.create(review=review, rule="test rule", applied_by=team["lead"])
    return {"rule_id": rule.pk}


def _pair_id(review: Review, team: dict) -> dict:
    source = SourceFactory(review=review)
    pair = DuplicatePairFactory(
        keep=RecordFactory(source=source), duplicate=RecordFactory(source=source)
    )
    return {"pair_id": pair.pk}


def _export_id(review: Review, team: dict) -> dict:
    from django.conf import settings

    from extraction.models import ExportJob
    from extraction.services.exports import export_folder

    path = export_folder(review) / "done.csv"
    path.write_text("record_id\n", encoding="utf-8")
    job = ExportJob.objects.create(
        review=review,
        kind="records",
        format="csv",
        status="done",
        requested_by=team["reviewer"],  # the blind reviewer's own: every member may see it
        file_path=str(path.relative_to(settings.MEDIA_ROOT)),
    )
    return {"job_id": job.pk}


# Charting (form builder, charts, consensus).
def _chart_form(review: Review) -> None:
    from tests.factories import ChartFormFactory, FormFieldFactory, FormSectionFactory

    section = FormSectionFactory(form=ChartFormFactory(review=review), key="general")
    FormFieldFactory(section=section, key="design", type="short_text")


def _section_key(review: Review, team: dict) -> dict:
    _chart_form(review)
    return {"key": "general"}


def _field_key(review: Review, team: dict) -> dict:
    _chart_form(review)
    return {"key": "design"}


# Themes (s-themes): a code, and a study with a quote coded by the (blind) reviewer.
def _code_id(review: Review, team: dict) -> dict:
    from extraction.models import Code

    return {"code_id": Code.objects.create(review=review, code="T1", label="A theme").pk}


def _study_id(review: Review, team: dict) -> dict:
    from tests.factories import StudyFactory

    _chart_form(review)
    study = StudyFactory(review=review)
    RecordFactory(
        source=SourceFactory(review=review),
        ta_status="include",
        retrieval="retrieved",
        ft_status="include",
        study=study,
    )
    return {"study_id": study.pk}


def _submitted_chart_id(review: Review, team: dict) -> dict:
    from tests.factories import ChartFactory

    study_id = _study_id(review, team)["study_id"]
    chart = ChartFactory(
        study_id=study_id, form=review.chart_forms.get(), charted_by=team["reviewer"],
        status="submitted",
    )  # fmt: skip
    return {"study_id": study_id, "chart_id": chart.pk}


def _coded_quote_id(review: Review, team: dict) -> dict:
    from extraction.models import Code
    from extraction.services.themes import add_quote
    from screening.models import Study

    code = Code.objects.create(review=review, code="T1", label="A theme")
    study = Study.objects.get(pk=_study_id(review, team)["study_id"])  # included: coded
    coded = add_quote(study=study, code=code, by=team["reviewer"], quote="in their words")
    return {"study_id": study.pk, "quote_id": coded.pk}


ACCESS: dict[str, Access] = {
    "reviewapp:dashboard": Access(get=Role.VIEWER),
    "reviewapp:settings": Access(get=Role.LEAD, post=Role.LEAD),
    "reviewapp:team": Access(get=Role.VIEWER, post=Role.LEAD),
    "reviewapp:team-member": Access(get=None, post=Role.LEAD, kwargs=_member_id),
    # Team invitations (issue #13 item 8): the lead withdraws one
    "reviewapp:invitation-revoke": Access(get=None, post=Role.LEAD, kwargs=_invitation_id),
    "screening:sources": Access(get=Role.VIEWER, post=Role.LEAD),
    "screening:import-job": Access(get=Role.VIEWER, kwargs=_job_id),
    "screening:import-retry": Access(get=None, post=Role.LEAD, kwargs=_job_id),
    "screening:records": Access(get=Role.VIEWER),
    "screening:record-detail": Access(get=Role.VIEWER, kwargs=_record_id),
    "screening:record-unmark": Access(get=None, post=Role.LEAD, kwargs=_record_id),
    "screening:duplicates": Access(get=Role.VIEWER),
    "screening:duplicates-run": Access(get=None, post=Role.LEAD),
    "screening:duplicate-decide": Access(get=None, post=Role.LEAD, kwargs=_pair_id),
    "screening:screen-ta": Access(get=Role.REVIEWER, post=Role.REVIEWER),
    "screening:screen-ta-undo": Access(get=None, post=Role.REVIEWER),
    "screening:conflicts": Access(get=Role.LEAD, post=Role.LEAD),
    "screening:record-reopen": Access(get=None, post=Role.LEAD, kwargs=_record_id),
    "screening:records-bulk": Access(get=None, post=Role.LEAD),
    "screening:agreement": Access(get=Role.VIEWER),
    "screening:agreement-pilot": Access(get=None, post=Role.LEAD),
    "screening:prioritise": Access(get=Role.LEAD, post=Role.LEAD),
    "screening:prioritise-stop": Access(get=None, post=Role.LEAD),
    "screening:prioritise-undo": Access(get=None, post=Role.LEAD, kwargs=_rule_id),
    "screening:screen-ft": Access(get=Role.REVIEWER, post=Role.REVIEWER),
    "screening:screen-ft-undo": Access(get=None, post=Role.REVIEWER),
    "screening:fulltexts": Access(get=Role.VIEWER),
    "screening:fulltexts-bulk": Access(get=None, post=Role.REVIEWER),
    "screening:fulltext-file": Access(get=Role.VIEWER, kwargs=_fulltext_id),
    "screening:fulltext-assign": Access(get=None, post=Role.LEAD, kwargs=_unassigned_fulltext_id),
    "screening:fulltext-remove": Access(get=None, post=Role.LEAD, kwargs=_unassigned_fulltext_id),
    "screening:fulltext-record": Access(get=None, post=Role.REVIEWER, kwargs=_sought_record_id),
    "screening:studies": Access(get=Role.VIEWER, post=Role.LEAD),
    # Reader, text and search (issue 18)
    "screening:fulltext-read": Access(get=Role.VIEWER, kwargs=_fulltext_id),
    "screening:fulltext-search": Access(get=Role.VIEWER),
    "extraction:exports": Access(get=Role.VIEWER, post=Role.VIEWER),
    "extraction:export-job": Access(get=Role.VIEWER, kwargs=_export_id),
    "extraction:export-download": Access(get=Role.VIEWER, kwargs=_export_id),
    # Charting (form builder, charts, consensus).
    "extraction:index": Access(get=Role.VIEWER),
    "extraction:form": Access(get=Role.LEAD),
    "extraction:form-settings": Access(get=None, post=Role.LEAD),
    "extraction:form-section-add": Access(get=None, post=Role.LEAD),
    "extraction:form-sections-questions": Access(get=None, post=Role.LEAD),
    "extraction:form-section": Access(get=Role.LEAD, post=Role.LEAD, kwargs=_section_key),
    "extraction:form-section-delete": Access(get=None, post=Role.LEAD, kwargs=_section_key),
    "extraction:form-field-add": Access(get=None, post=Role.LEAD),
    "extraction:form-field": Access(get=Role.LEAD, post=Role.LEAD, kwargs=_field_key),
    "extraction:form-field-delete": Access(get=None, post=Role.LEAD, kwargs=_field_key),
    "extraction:study-start": Access(get=None, post=Role.REVIEWER),
    "extraction:chart": Access(get=Role.VIEWER, kwargs=_study_id),
    "extraction:chart-save": Access(get=None, post=Role.REVIEWER, kwargs=_study_id),
    "extraction:chart-submit": Access(get=None, post=Role.REVIEWER, kwargs=_study_id),
    "extraction:chart-reopen": Access(get=None, post=Role.LEAD, kwargs=_submitted_chart_id),
    "extraction:consensus": Access(get=Role.LEAD, post=Role.LEAD, kwargs=_study_id),
    "extraction:consensus-save": Access(get=None, post=Role.LEAD, kwargs=_study_id),
    "extraction:consensus-verify": Access(get=None, post=Role.LEAD, kwargs=_study_id),
    # Themes (s-themes): codebook, coding, theme table, data dictionary.
    "extraction:themes": Access(get=Role.VIEWER),
    "extraction:codebook": Access(get=Role.VIEWER, post=Role.LEAD),
    "extraction:code-edit": Access(get=Role.LEAD, post=Role.LEAD, kwargs=_code_id),
    "extraction:code-retire": Access(get=None, post=Role.LEAD, kwargs=_code_id),
    "extraction:code-delete": Access(get=None, post=Role.LEAD, kwargs=_code_id),
    "extraction:code-merge": Access(get=None, post=Role.LEAD, kwargs=_code_id),
    "extraction:study-codes": Access(get=Role.VIEWER, post=Role.REVIEWER, kwargs=_study_id),
    "extraction:coded-quote": Access(get=Role.REVIEWER, post=Role.REVIEWER, kwargs=_coded_quote_id),
    "extraction:coded-quote-delete": Access(get=None, post=Role.REVIEWER, kwargs=_coded_quote_id),
    "extraction:dictionary": Access(get=Role.VIEWER),
    # Exports (s-exports): "try again" on a failed job, by anyone who sees the job.
    "extraction:export-retry": Access(get=None, post=Role.VIEWER, kwargs=_export_id),
    # New-user fixes (#17): refused import attempts are deleted by a lead.
    "screening:import-delete": Access(get=None, post=Role.LEAD, kwargs=_refused_job_id),
    # PRISMA 2020 diagram and its downloads (issue 12)
    "extraction:prisma": Access(get=Role.VIEWER),
    "extraction:prisma-download": Access(get=Role.VIEWER, kwargs=lambda r, t: {"fmt": "svg"}),
}


def review_scoped_url_names() -> set[str]:
    """Names of every URL whose path carries a review slug, with namespaces."""
    names: set[str] = set()

    def walk(patterns, prefix: str, namespace: str) -> None:
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, route, ns)
            elif isinstance(entry, URLPattern) and "<slug:slug>" in route and entry.name:
                names.add(namespace + entry.name)

    walk(get_resolver().url_patterns, "", "")
    return names


def test_every_review_url_is_in_the_matrix():
    assert review_scoped_url_names() == set(ACCESS)


def _expected(persona: str, allowed: Role | None) -> int | None:
    if allowed is None:
        return 405
    if persona == "anonymous":
        return 302
    if persona == "outsider":
        return 404
    return None if ROLE_RANK[Role(persona)] >= ROLE_RANK[allowed] else 403


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(ACCESS))
@pytest.mark.parametrize("method", ["get", "post"])
def test_url_access_by_role(client, review, team, name, persona, method):
    spec = ACCESS[name]
    allowed = spec.get if method == "get" else spec.post
    url = reverse(name, kwargs={"slug": review.slug, **spec.kwargs(review, team)})
    if persona != "anonymous":
        client.force_login(team[persona])
    response = getattr(client, method)(url)
    expected = _expected(persona, allowed)
    if allowed is None and persona == "anonymous":
        expected = 302  # login comes first: anonymous users learn nothing, not even the methods
    if expected is None:
        # Allowed: anything but a refusal (an empty POST may well be a 400 with a message).
        assert response.status_code in {200, 204, 302, 400}, f"{persona} {method} {url}"
        if method == "get":
            assert response.status_code == 200
    else:
        assert response.status_code == expected, f"{persona} {method} {url}"
    if expected == 302:
        assert response["Location"].startswith("/accounts/login/")


def test_unknown_review_is_404_even_for_a_lead_elsewhere(client, outsider):
    client.force_login(outsider)
    assert client.get("/reviews/no-such-review/").status_code == 404
