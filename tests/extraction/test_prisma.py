"""PRISMA 2020: every box of both columns on a small known review (tests/extraction/
prisma_review.py), the invariants, the records behind each number, and the same numbers in the
page, the SVG, the JSON, both CSVs, the export kind and the `prisma` command."""

import csv
import html
import io
import json
import re

import pytest
from defusedxml import ElementTree as ET
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from extraction.exports.prisma import TEMPLATE_HEADER, template_counts
from extraction.exports.prisma_svg import prisma_svg
from extraction.services.exports import write_export
from screening.models import Record, Source
from screening.prisma import BOXES, box_filter, prisma_counts, prisma_flow
from screening.queues import next_record
from screening.services.decisions import record_decision
from screening.services.record_state import FoundByOtherMethods
from tests.extraction.prisma_review import EXPECTED, EXPECTED_PARTS, build_known_review
from tests.factories import RecordFactory, SourceFactory

# The `data` column of the PRISMA2020 package's inst/extdata/PRISMA.csv, in its order.
TEMPLATE_DATA = [
    "NA", "previous_studies", "previous_reports", "NA", "database_results",
    "database_specific_results", "register_results", "register_specific_results", "NA",
    "website_results", "organisation_results", "citations_results", "duplicates",
    "excluded_automatic", "excluded_other", "records_screened", "records_excluded",
    "dbr_sought_reports", "dbr_notretrieved_reports", "other_sought_reports",
    "other_notretrieved_reports", "dbr_assessed", "dbr_excluded", "other_assessed",
    "other_excluded", "new_studies", "new_reports", "total_studies", "total_reports",
    "identification", "screening", "included",
]  # fmt: skip
NUMBER = re.compile(r"\(n\xa0=\xa0([\d,]+)\)")


@pytest.fixture
def known(review, lead, reviewer, second_reviewer):
    return build_known_review(review, lead, reviewer, second_reviewer)


def listed(client, review, **params) -> int:
    response = client.get(reverse("screening:records", kwargs={"slug": review.slug}), params)
    assert response.status_code == 200
    return response.context["page"].paginator.count


def test_every_box_of_both_columns_has_its_known_number(review, known, django_assert_num_queries):
    with django_assert_num_queries(3):  # every box; per source; per reason
        flow = prisma_flow(review)
    assert flow.n == EXPECTED
    assert flow.parts == EXPECTED_PARTS
    assert set(EXPECTED) == {box.key for box in BOXES}


def test_the_json_has_the_design_key_set_with_the_known_values(review, known):
    counts = prisma_counts(review)
    assert counts == {
        "identified": {
            "databases": {"PsycINFO": 6, "Scopus": 4},
            "registers": {"ClinicalTrials.gov": 1},
            "other": {"Charity websites": 1, "Reference lists": 3, "Experts": 1},
        },
        "removed_before_screening": {"duplicates": 2, "automation": 0, "other": 0},
        "screened": 9,
        "excluded_screening": {"human": 1, "automation": 1},
        "sought": 5,
        "not_retrieved": 1,
        "assessed": 3,
        "excluded_fulltext": {"Wrong population": 1, "Wrong design": 1},
        "other_methods": {
            "identified": {
                "websites": {"Charity websites": 1},
                "organisations": {},
                "citation_searching": {"Reference lists": 3},
                "other": {"Experts": 1},
            },
            "duplicates": 1,
            "sought": 4,
            "not_retrieved": 1,
            "assessed": 3,
            "excluded_fulltext": {"Wrong population": 1},
            "awaiting": {"full_text": 0},
        },
        "included_studies": 2,
        "included_reports": 3,
        "awaiting": {"title_abstract": 1, "full_text": 1, "conflicts": 1},
    }


def test_the_design_invariants_hold_in_both_columns(review, known):
    p = prisma_counts(review)
    left = sum(p["identified"]["databases"].values()) + sum(p["identified"]["registers"].values())
    assert p["screened"] == left - sum(p["removed_before_screening"].values()) == 9
    waiting = p["awaiting"]
    assert (
        p["sought"]
        == p["screened"]
        - sum(p["excluded_screening"].values())
        - waiting["title_abstract"]
        - waiting["conflicts"]
        == 5
    )
    assert p["assessed"] == p["sought"] - p["not_retrieved"] - waiting["full_text"] == 3
    other = p["other_methods"]
    identified_other = sum(sum(found.values()) for found in other["identified"].values())
    assert identified_other == sum(p["identified"]["other"].values()) == 5
    assert other["sought"] == identified_other - other["duplicates"] == 4
    assert (
        other["assessed"]
        == other["sought"] - other["not_retrieved"] - other["awaiting"]["full_text"]
        == 3
    )
    included = (p["assessed"] - sum(p["excluded_fulltext"].values())) + (
        other["assessed"] - sum(other["excluded_fulltext"].values())
    )
    assert p["included_reports"] == included == 3
    # Two reports of one study, one from each column, make one study.
    assert p["included_studies"] == 2


def test_the_records_list_behind_every_number_has_as_many_records(client_for, review, lead, known):
    client = client_for(lead)
    flow = prisma_flow(review)
    for row in flow.table():
        params = {"box": row["box"], **({"label": row["part"]} if row["part"] else {})}
        assert listed(client, review, **params) == row["n"], row
        assert box_filter(review, row["box"], row["part"] or None).count() == row["n"]
    names = {r.pk: name for name, r in known.items()}
    behind = box_filter(review, "other_duplicates")
    assert [names[r.pk] for r in behind] == ["c1"]
    assert sorted(names[r.pk] for r in box_filter(review, "duplicates")) == ["p6", "s1"]
    assert [names[r.pk] for r in box_filter(review, "excluded_automation")] == ["s4"]
    studies = box_filter(review, "included_studies")
    assert sorted(names[r.pk] for r in studies) == ["e1", "w1"]  # w1 came first


def test_every_number_in_the_diagram_links_to_its_records(client_for, review, lead, known):
    client = client_for(lead)
    page = client.get(reverse("extraction:prisma", kwargs={"slug": review.slug}))
    assert page.status_code == 200
    svg = page.content.decode()
    svg = svg[svg.index("<svg") : svg.index("</svg>") + 6]
    ET.fromstring(svg)  # well-formed XML, inline as it is
    links = re.findall(r'<a href="([^"]+)"><text[^>]*>([^<]*)</text></a>', svg)
    numbered = [(html.unescape(href), NUMBER.search(text)) for href, text in links]
    numbered = [(href, int(m.group(1).replace(",", ""))) for href, m in numbered if m]
    assert len(numbered) >= 30
    for href, n in numbered:
        path = href.split("?", 1)[0]
        assert path == reverse("screening:records", kwargs={"slug": review.slug})
        response = client.get(href)
        assert response.context["page"].paginator.count == n, href
    assert ("?box=screened" in svg) and ("Records screened (n\xa0=\xa09)" in svg)
    assert "Reports sought for retrieval (n\xa0=\xa04)" in svg  # the right-hand column


def test_the_diagram_has_the_template_boxes_and_no_style_attribute(review, known):
    svg = prisma_svg(prisma_flow(review), title="Known <review> & co")
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    text = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    for wording in (
        "Identification of new studies via databases and registers",
        "Identification of new studies via other methods",
        "Records identified from*:",
        "Records removed before screening:",
        "Records marked as ineligible by automation tools (n\xa0=\xa00)",
        "Reports not retrieved (n\xa0=\xa01)",
        "Wrong design (n\xa0=\xa01)",
        "Citation searching (n\xa0=\xa03)",
        "Studies included in review (n\xa0=\xa02)",
        "Reports of included studies (n\xa0=\xa03)",
        "Identification",
        "Screening",
        "Included",
    ):
        assert wording in text, wording
    assert "style=" not in svg
    assert "<a " not in svg  # no links without a `link` (a downloaded file)
    assert "Known &lt;review&gt; &amp; co" in svg


def test_source_names_and_reasons_are_escaped_in_the_svg(review):
    source = SourceFactory(review=review, name='Ovid <script>alert("x")</script> & co')
    RecordFactory(source=source)
    svg = prisma_svg(prisma_flow(review), link=lambda box, label: f"/r/?box={box}&x=<{label}>")
    ET.fromstring(svg)
    assert "<script>" not in svg
    assert "Ovid &lt;script&gt;" in svg
    assert 'href="/r/?box=identified_databases&amp;x=&lt;None&gt;"' in svg


def test_records_found_by_other_methods_skip_title_abstract(review, reviewer, known):
    website = known["w1"]
    assert website.ta_status == "include" and website.ta_count == 0
    assert Source.objects.get(name="Charity websites").other_kind == "website"
    assert next_record(review, reviewer, "title_abstract") not in {
        known[name] for name in ("w1", "c2", "c3", "e1")
    }
    with pytest.raises(FoundByOtherMethods, match="skips title/abstract screening"):
        record_decision(
            review=review,
            record_id=known["c3"].pk,
            stage="title_abstract",
            reviewer=reviewer,
            value="exclude",
        )
    assert Record.objects.get(pk=known["c3"].pk).ta_status == "include"


def test_the_tidy_csv_has_a_row_a_box_with_parts_labelled(client_for, review, lead, known):
    url = reverse("extraction:prisma-download", kwargs={"slug": review.slug, "fmt": "csv"})
    response = client_for(lead).get(url)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{review.slug}-prisma.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["column", "box", "label", "n"]
    body = rows[1:]
    assert ["databases_registers", "identified_databases", "PsycINFO", "6"] in body
    assert ["databases_registers", "identified_databases", "Scopus", "4"] in body
    assert ["databases_registers", "screened", "Records screened", "9"] in body
    assert ["databases_registers", "excluded_fulltext", "Wrong design", "1"] in body
    assert ["other_methods", "identified_organisations", "Organisations", "0"] in body
    assert ["other_methods", "other_sought", "Reports sought for retrieval", "4"] in body
    assert ["included", "included_studies", "Studies included in review", "2"] in body
    conflicts = "Records in conflict at title/abstract (for the lead)"
    assert ["awaiting", "awaiting_conflicts", conflicts, "1"] in body
    assert len(body) == len(BOXES) + 2  # databases and full-text reasons: two parts each


def test_the_prisma2020_template_csv_carries_the_same_numbers(client_for, review, lead, known):
    url = reverse("extraction:prisma-download", kwargs={"slug": review.slug, "fmt": "prisma2020"})
    response = client_for(lead).get(url)
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == TEMPLATE_HEADER
    assert [row[0] for row in rows[1:]] == TEMPLATE_DATA
    n = {row[0]: row[7] for row in rows[1:] if row[0] != "NA"}
    assert n == {
        "previous_studies": "0",
        "previous_reports": "0",
        "database_results": "10",
        "database_specific_results": "PsycINFO, 6; Scopus, 4",
        "register_results": "1",
        "register_specific_results": "ClinicalTrials.gov, 1",
        "website_results": "1",
        "organisation_results": "1",  # the experts join the organisations, and the text says so
        "citations_results": "3",
        "duplicates": "2",
        "excluded_automatic": "0",
        "excluded_other": "0",
        "records_screened": "9",
        "records_excluded": "2",
        "dbr_sought_reports": "5",
        "dbr_notretrieved_reports": "1",
        "other_sought_reports": "4",
        "other_notretrieved_reports": "1",
        "dbr_assessed": "3",
        "dbr_excluded": "Wrong population, 1; Wrong design, 1",
        "other_assessed": "3",
        "other_excluded": "Wrong population, 1",
        "new_studies": "2",
        "new_reports": "3",
        "total_studies": "2",
        "total_reports": "3",
        "identification": "0",
        "screening": "0",
        "included": "0",
    }
    organisations = next(row for row in rows if row[0] == "organisation_results")
    assert organisations[4] == "Organisations and other sources"
    assert {k: str(v) for k, v in template_counts(prisma_flow(review)).items()} == n


def test_the_export_kind_and_the_command_give_the_page_s_numbers(
    client_for, review, lead, known, capsys
):
    client = client_for(lead)
    slug = review.slug

    def download(fmt: str) -> str:
        url = reverse("extraction:prisma-download", kwargs={"slug": slug, "fmt": fmt})
        return client.get(url).content.decode()

    for fmt in ("json", "csv", "svg"):
        buffer = io.StringIO()
        write_export(handle=buffer, review=review, kind="prisma", fmt=fmt)
        assert buffer.getvalue().strip() == download(fmt).strip(), fmt
    assert json.loads(download("json")) == prisma_counts(review)
    for fmt in ("json", "csv", "prisma2020", "svg"):
        capsys.readouterr()
        call_command("prisma", slug, "--format", fmt)
        printed = capsys.readouterr().out
        assert (
            printed.replace("\r\n", "\n").strip() == download(fmt).replace("\r\n", "\n").strip()
        ), fmt


def test_a_blind_reviewer_cannot_tell_a_conflict_from_an_open_record(
    client_for, review, reviewer, known
):
    assert review.blind_mode
    flow = prisma_flow(review, blind=True)
    assert flow.n["awaiting_title_abstract"] == 2 and flow.n["awaiting_conflicts"] is None
    client = client_for(reviewer)
    slug = review.slug
    page = client.get(reverse("extraction:prisma", kwargs={"slug": slug})).content.decode()
    assert "box=awaiting_conflicts" not in page
    assert "Records awaiting a title/abstract outcome (n\xa0=\xa02)" in page
    url = reverse("extraction:prisma-download", kwargs={"slug": slug, "fmt": "json"})
    counts = json.loads(client.get(url).content)
    assert counts["awaiting"] == {"title_abstract": 2, "full_text": 1, "conflicts": None}
    response = client.get(reverse("screening:records", kwargs={"slug": slug}), {"box": "nope"})
    assert "There is no PRISMA box" in response.content.decode()
    assert listed(client, review, box="awaiting_conflicts") == Record.objects.count()
    assert listed(client, review, box="awaiting_title_abstract") == 2


def test_a_blind_reviewers_prisma_export_hides_conflicts_as_the_page_does(
    review, reviewer, lead, known
):
    buffer = io.StringIO()
    write_export(handle=buffer, review=review, kind="prisma", fmt="json", user=reviewer)
    assert json.loads(buffer.getvalue())["awaiting"]["conflicts"] is None
    buffer = io.StringIO()
    write_export(handle=buffer, review=review, kind="prisma", fmt="json", user=lead)
    assert json.loads(buffer.getvalue())["awaiting"]["conflicts"] == 1


def test_the_records_list_names_the_box_it_shows(client_for, review, lead, known):
    client = client_for(lead)
    url = reverse("screening:records", kwargs={"slug": review.slug})
    response = client.get(url, {"box": "excluded_fulltext", "label": "Wrong population"})
    page = response.content.decode()
    assert "Records behind the PRISMA 2020 box <strong>Reports excluded: Wrong population" in page
    assert response.context["page"].paginator.count == 1
    assert 'name="box" value="excluded_fulltext"' in page  # kept when the bar filters further


def test_an_empty_review_draws_zeros(client_for, review, viewer):
    client = client_for(viewer)
    page = client.get(reverse("extraction:prisma", kwargs={"slug": review.slug}))
    assert page.status_code == 200
    assert "Records screened (n\xa0=\xa00)" in page.content.decode()
    assert all(v == 0 for v in prisma_flow(review).n.values())
    url = reverse("extraction:prisma-download", kwargs={"slug": review.slug, "fmt": "png"})
    assert client.get(url).status_code == 404


def test_an_upload_of_citation_searching_goes_straight_to_full_text(
    client_for, lead, review, django_capture_on_commit_callbacks
):
    from tests.screening.test_sources_views import ris, upload

    client = client_for(lead)
    refused = upload(client, review, ris("c.ris"), method="database", other_kind="citations")
    assert refused.status_code == 400
    assert "Only a source of method" in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(
            client, review, ris("refs.ris"), name="Reference lists", method="other",
            other_kind="citations",
        )  # fmt: skip
    assert response.status_code == 302
    source = Source.objects.get(name="Reference lists")
    assert (source.method, source.other_kind) == ("other", "citations")
    assert set(source.records.values_list("ta_status", flat=True)) == {"include"}
    counts = prisma_counts(review)
    assert counts["screened"] == 0
    assert counts["other_methods"]["identified"]["citation_searching"] == {"Reference lists": 3}
    assert counts["other_methods"]["sought"] == 3


def test_the_import_command_takes_the_other_method(review):
    from pathlib import Path

    data = Path(__file__).resolve().parent.parent / "data" / "small.ris"
    call_command(
        "import_records", review.slug, str(data), "--source", "Google", "--method", "other",
        "--other-kind", "website",
    )  # fmt: skip
    assert Source.objects.get().other_kind == "website"
    assert prisma_counts(review)["other_methods"]["identified"]["websites"] == {"Google": 3}
    with pytest.raises(CommandError, match="only a source of method 'other'"):
        call_command(
            "import_records", review.slug, str(data), "--source", "X", "--other-kind", "website"
        )


def _import_titles(review, lead, name, method, titles, other_kind="", dedup=True):
    from screening.services.imports import SourceFields, import_records
    from tests.extraction.prisma_review import ris

    fields = SourceFields(name=name, method=method, other_kind=other_kind)
    data = ris(*titles)
    return import_records(
        review=review, data=data, file_name=f"{name}.ris", source_fields=fields, by=lead,
        force=True, dedup=dedup,
    ).source  # fmt: skip


def test_a_citation_found_again_is_removed_in_the_right_hand_column(review, lead):
    _import_titles(review, lead, "PsycINFO", "database", ["Youth voice in CSE services"])
    _import_titles(
        review, lead, "Reference lists", "other", ["Youth voice in CSE services"], "citations"
    )
    counts = prisma_counts(review)
    assert counts["removed_before_screening"]["duplicates"] == 0
    assert counts["other_methods"]["duplicates"] == 1
    assert counts["screened"] == 1 and counts["other_methods"]["sought"] == 0


def test_dedup_leaves_to_the_lead_a_copy_whose_full_text_work_it_would_hide(review, lead):
    """A record found by other methods is included unread on import, so dedup may hide it; once
    its full text is retrieved, hiding it would drop that work, as for a screened record."""
    from screening.models import DuplicatePair
    from screening.services.dedup import find_duplicates
    from screening.services.fulltext import attach_url

    _import_titles(review, lead, "PsycINFO", "database", ["Youth voice in CSE services"])
    refs = _import_titles(
        review, lead, "Reference lists", "other", ["Youth voice in CSE services"], "citations",
        dedup=False,
    )  # fmt: skip
    copy = refs.records.get()
    attach_url(review=review, record=copy, url="https://example.org/voice", by=lead)
    find_duplicates(review=review)
    pair = DuplicatePair.objects.get()
    assert (pair.duplicate_id, pair.status) == (copy.pk, "pending")
    assert Record.objects.get(pk=copy.pk).duplicate_of_id is None
    assert prisma_counts(review)["other_methods"]["sought"] == 1


def test_the_migration_sends_unread_other_method_records_to_full_text(review, reviewer):
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "screening.migrations.0015_source_other_kind_and_other_methods_skip_title_abstract"
    )
    source = SourceFactory(review=review, name="Hand search", method="other", other_kind="")
    unread = RecordFactory(source=source, title="Unread")
    decided = RecordFactory(source=source, title="Decided", ta_count=1)
    database = RecordFactory(source=SourceFactory(review=review), title="From a database")
    migration.other_methods_skip_title_abstract(apps, None)
    assert Record.objects.get(pk=unread.pk).ta_status == "include"
    assert Record.objects.get(pk=decided.pk).ta_status == ""  # its decision stays the reviewers'
    assert Record.objects.get(pk=database.pk).ta_status == ""
    assert Source.objects.get(pk=source.pk).other_kind == "other"
