"""Theme codebook and coding: hierarchy without cycles, retire vs delete, merge, coded quotes with
history, and the theme table's counts (distinct studies) by study and by review question."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from extraction.models import Code, CodedQuote, CodedQuoteChange
from extraction.services.themes import (
    add_quote,
    delete_code,
    delete_quote,
    edit_quote,
    merge_code,
    save_code,
    set_retired,
)
from extraction.themes_table import theme_table
from tests.extraction.charting_setup import included_study
from tests.factories import QuestionFactory, StudyFactory


@pytest.fixture
def codebook(review, lead):
    """T1 with sub-codes T1.1 and T1.2, and T2; T1 linked to RQ1 and RQ2, T1.1 to RQ2, T2 to RQ3."""
    rq1, rq2, rq3 = (QuestionFactory(review=review, number=n) for n in (1, 2, 3))
    t1 = save_code(
        review=review, by=lead, code="T1", label="Distinct practice", order=1, questions=[rq1, rq2]
    )
    t11 = save_code(
        review=review, by=lead, code="T1.1", label="Knowledge", parent=t1, order=1, questions=[rq2]
    )
    t12 = save_code(review=review, by=lead, code="T1.2", label="Reflection", parent=t1, order=2)
    t2 = save_code(review=review, by=lead, code="T2", label="Expertise", order=2, questions=[rq3])
    return {"T1": t1, "T1.1": t11, "T1.2": t12, "T2": t2}


@pytest.fixture
def studies(review):
    return [included_study(review, label) for label in ("Adams 2010", "Brown 2012", "Clark 2014")]


def test_a_code_cannot_be_moved_under_its_own_sub_code(review, lead, codebook):
    with pytest.raises(ValidationError, match="under itself or one of its sub-codes"):
        save_code(review=review, by=lead, instance=codebook["T1"], parent=codebook["T1.1"])
    codebook["T1"].refresh_from_db()
    assert codebook["T1"].parent is None


def test_a_code_cannot_be_its_own_parent_even_in_the_database(codebook):
    with pytest.raises(IntegrityError), transaction.atomic():
        Code.objects.filter(pk=codebook["T2"].pk).update(parent=codebook["T2"])


def test_moving_a_code_takes_its_sub_codes_along(review, lead, codebook, studies, reviewer):
    add_quote(study=studies[0], code=codebook["T1.1"], by=reviewer, quote="knowing the routes")
    save_code(
        review=review,
        by=lead,
        instance=codebook["T1"],
        parent=codebook["T2"],
    )
    table = theme_table(review)
    assert codebook["T1"].questions.count() == 2  # a move leaves its question links alone
    assert [(r.code, r.depth, r.parent) for r in table.rows] == [
        ("T2", 0, ""),
        ("T1", 1, "T2"),
        ("T1.1", 2, "T1"),
        ("T1.2", 2, "T1"),
    ]
    assert [r.studies for r in table.rows] == [1, 1, 1, 0]


def test_codes_are_unique_in_a_review(review, lead, codebook):
    with pytest.raises(ValidationError, match="already has a code T2"):
        save_code(review=review, by=lead, code="T2", label="x")


def test_a_code_with_quotes_can_be_retired_but_not_deleted(codebook, studies, reviewer):
    add_quote(study=studies[0], code=codebook["T2"], by=reviewer, quote="they knew what worked")
    with pytest.raises(ValidationError, match="retire it, or merge it"):
        delete_code(code=codebook["T2"])
    set_retired(code=codebook["T2"], retired=True)
    assert Code.objects.filter(pk=codebook["T2"].pk, retired=True).exists()
    assert CodedQuote.objects.filter(code=codebook["T2"]).count() == 1


def test_an_unused_leaf_code_can_be_deleted_but_a_parent_cannot(codebook):
    with pytest.raises(ValidationError, match="has sub-codes"):
        delete_code(code=codebook["T1"])
    delete_code(code=codebook["T1.2"])
    assert not Code.objects.filter(code="T1.2").exists()


def test_a_retired_code_is_not_offered_for_new_quotes(codebook, studies, reviewer):
    set_retired(code=codebook["T2"], retired=True)
    with pytest.raises(ValidationError, match="T2 is retired"):
        add_quote(study=studies[0], code=codebook["T2"], by=reviewer, quote="x")


def test_merging_moves_quotes_and_sub_codes_and_keeps_the_history(
    review, lead, codebook, studies, reviewer
):
    quote = add_quote(study=studies[0], code=codebook["T1.2"], by=reviewer, quote="reflexive")
    moved = merge_code(code=codebook["T1"], into=codebook["T2"], by=lead)
    assert moved == 0  # T1 itself had no quotes: its sub-codes move, with theirs
    assert set(Code.objects.filter(parent=codebook["T2"]).values_list("code", flat=True)) == {
        "T1.1",
        "T1.2",
    }
    moved = merge_code(code=codebook["T1.2"], into=codebook["T1.1"], by=lead)
    assert moved == 1
    quote.refresh_from_db()
    assert quote.code == codebook["T1.1"]
    change = CodedQuoteChange.objects.filter(coded_quote=quote).last()
    assert (change.action, change.old["code"], change.new["code"]) == ("merged", "T1.2", "T1.1")
    merged = Code.objects.get(code="T1.2")
    assert merged.retired and merged.merged_into == codebook["T1.1"]
    assert [r.code for r in theme_table(review).rows] == ["T2", "T1.1"]


def test_a_code_cannot_be_merged_into_its_own_branch(lead, codebook):
    with pytest.raises(ValidationError, match="outside this one's own branch"):
        merge_code(code=codebook["T1"], into=codebook["T1.1"], by=lead)


def test_a_code_from_another_review_is_refused(review, lead, codebook, studies, reviewer):
    from tests.factories import ReviewFactory

    other = ReviewFactory()
    foreign = save_code(review=other, by=lead, code="X1", label="Elsewhere")
    with pytest.raises(ValidationError, match="another review"):
        save_code(review=review, by=lead, instance=codebook["T2"], parent=foreign)
    with pytest.raises(ValidationError, match="another review"):
        add_quote(study=studies[0], code=foreign, by=reviewer, quote="x")


def test_editing_and_deleting_a_quote_keeps_every_version(codebook, studies, reviewer):
    coded = add_quote(
        study=studies[0],
        code=codebook["T2"],
        by=reviewer,
        quote="first words",
        location="p. 3",
        page_number=3,
    )
    edit_quote(
        coded=coded,
        by=reviewer,
        code=codebook["T1.1"],
        quote="second words",
        location="p. 4",
        page_number=4,
    )
    delete_quote(coded=coded, by=reviewer)
    assert not CodedQuote.objects.exists()
    history = list(CodedQuoteChange.objects.filter(study=studies[0]))
    assert [h.action for h in history] == ["created", "edited", "deleted"]
    assert history[1].old["quote"] == "first words"
    assert history[1].new == {
        "code": "T1.1",
        "quote": "second words",
        "location": "p. 4",
        "page_number": 4,
        "char_start": None,
        "char_end": None,
    }
    assert history[2].old["quote"] == "second words" and history[2].new == {}


def test_an_edit_that_changes_nothing_writes_no_history(codebook, studies, reviewer):
    coded = add_quote(study=studies[0], code=codebook["T2"], by=reviewer, quote="same")
    edit_quote(coded=coded, by=reviewer, code=codebook["T2"], quote="same", location="")
    assert CodedQuoteChange.objects.filter(coded_quote=coded).count() == 1


def test_theme_table_counts_distinct_studies_rolled_up_to_parents(
    review, codebook, studies, reviewer, second_reviewer
):
    adams, brown, clark = studies
    add_quote(study=adams, code=codebook["T1.1"], by=reviewer, quote="a1")
    add_quote(study=adams, code=codebook["T1.1"], by=second_reviewer, quote="a2")
    add_quote(study=adams, code=codebook["T1.2"], by=reviewer, quote="a3")
    add_quote(study=brown, code=codebook["T1.2"], by=reviewer, quote="b1", location="p. 7")
    add_quote(study=brown, code=codebook["T1"], by=reviewer, quote="b2")
    add_quote(study=clark, code=codebook["T2"], by=reviewer, quote="c1", page_number=9)
    table = theme_table(review)
    assert table.studies == ("Adams 2010", "Brown 2012", "Clark 2014")
    got = {r.code: (r.depth, r.studies, r.direct_studies, r.cells) for r in table.rows}
    assert got == {
        "T1": (0, 2, 1, (3, 2, 0)),
        "T1.1": (1, 1, 1, (2, 0, 0)),
        "T1.2": (1, 2, 2, (1, 1, 0)),
        "T2": (0, 1, 1, (0, 0, 1)),
    }
    t12 = next(r for r in table.rows if r.code == "T1.2")
    assert [(q.study, q.quote, q.location) for q in t12.quotes] == [
        ("Adams 2010", "a3", ""),
        ("Brown 2012", "b1", "p. 7"),
    ]
    t1 = next(r for r in table.rows if r.code == "T1")
    assert [(q.code, q.study, q.quote) for q in t1.quotes] == [("T1", "Brown 2012", "b2")]
    assert sorted((q.code, q.quote) for q in t1.all_quotes) == [
        ("T1", "b2"),
        ("T1.1", "a1"),
        ("T1.1", "a2"),
        ("T1.2", "a3"),
        ("T1.2", "b1"),
    ]
    t2 = next(r for r in table.rows if r.code == "T2")
    assert [(q.quote, q.location, q.coded_by) for q in t2.quotes] == [("c1", "p. 9", "rev1")]


def test_theme_table_by_review_question(review, codebook, studies, reviewer):
    adams, brown, clark = studies
    add_quote(study=adams, code=codebook["T1.1"], by=reviewer, quote="a1")
    add_quote(study=brown, code=codebook["T1"], by=reviewer, quote="b1")
    add_quote(study=clark, code=codebook["T2"], by=reviewer, quote="c1")
    table = theme_table(review)
    by_question = {
        q.label: (q.studies, [(t.code, t.studies) for t in q.themes]) for q in table.questions
    }
    assert by_question == {
        "RQ1": (2, [("T1", 2)]),
        "RQ2": (2, [("T1", 2), ("T1.1", 1)]),
        "RQ3": (1, [("T2", 1)]),
    }
    assert table.question_rows()[1:] == [
        ["RQ1", 2, "T1", "Distinct practice", 2],
        ["RQ2", 2, "T1", "Distinct practice", 2],
        ["RQ2", 2, "T1.1", "Knowledge", 1],
        ["RQ3", 1, "T2", "Expertise", 1],
    ]


def test_theme_table_plain_rows_for_the_export(review, codebook, studies, reviewer):
    add_quote(study=studies[1], code=codebook["T1.1"], by=reviewer, quote="b1", location="p. 2")
    set_retired(code=codebook["T1.2"], retired=True)  # unused and retired: left out
    rows = theme_table(review).matrix_rows()
    assert rows == [
        [
            "code",
            "label",
            "parent",
            "level",
            "status",
            "questions",
            "studies",
            "Adams 2010",
            "Brown 2012",
            "Clark 2014",
        ],
        ["T1", "Distinct practice", "", 1, "Proposed", "RQ1; RQ2", 1, 0, 1, 0],
        ["T1.1", "Knowledge", "T1", 2, "Proposed", "RQ2", 1, 0, 1, 0],
        ["T2", "Expertise", "", 1, "Proposed", "RQ3", 0, 0, 0, 0],
    ]
    assert theme_table(review).quote_rows() == [
        ["code", "label", "study", "quote", "location", "coded_by"],
        ["T1.1", "Knowledge", "Brown 2012", "b1", "p. 2", "rev1"],
    ]


def test_theme_table_reads_in_a_fixed_number_of_queries(
    review, codebook, studies, reviewer, django_assert_num_queries
):
    for study in studies:
        add_quote(study=study, code=codebook["T1.1"], by=reviewer, quote="q")
    with django_assert_num_queries(5):  # codes, their questions, quotes, studies, questions
        theme_table(review)


# Through HTTP: the codebook page, coding on a study, the theme table page.


def test_lead_adds_a_sub_code_on_the_codebook_page(client_for, review, lead, codebook):
    rq1 = review.questions.get(number=1)
    response = client_for(lead).post(
        f"/reviews/{review.slug}/themes/codebook/",
        {
            "code": "T2.1",
            "label": "Evaluating services",
            "parent": codebook["T2"].pk,
            "status": "emergent",
            "order": 1,
            "definition": "YP evaluate services",
            "questions": [rq1.pk],
        },
    )
    assert response.status_code == 302
    added = Code.objects.get(review=review, code="T2.1")
    assert (added.parent, added.status, list(added.questions.all())) == (
        codebook["T2"],
        "emergent",
        [rq1],
    )
    page = client_for(lead).get(f"/reviews/{review.slug}/themes/codebook/").content.decode()
    assert page.index('data-code="T2"') < page.index('data-code="T2.1"')
    assert 'data-code="T2.1" data-depth="1"' in page


def test_codebook_page_refuses_a_move_under_its_own_sub_code(client_for, review, lead, codebook):
    response = client_for(lead).post(
        f"/reviews/{review.slug}/themes/codebook/{codebook['T1'].pk}/",
        {
            "code": "T1",
            "label": "Distinct practice",
            "parent": codebook["T1.1"].pk,
            "status": "proposed",
            "order": 1,
        },
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()  # its branch is not offered
    codebook["T1"].refresh_from_db()
    assert codebook["T1"].parent is None


def test_lead_moves_a_code_under_another(client_for, review, lead, codebook):
    response = client_for(lead).post(
        f"/reviews/{review.slug}/themes/codebook/{codebook['T1.2'].pk}/",
        {
            "code": "T1.2",
            "label": "Reflection",
            "parent": codebook["T2"].pk,
            "status": "proposed",
            "order": 3,
        },
    )
    assert response.status_code == 302
    codebook["T1.2"].refresh_from_db()
    assert (codebook["T1.2"].parent, codebook["T1.2"].order) == (codebook["T2"], 3)


def test_deleting_a_code_with_quotes_is_refused_and_says_retire(
    client_for, review, lead, codebook, studies, reviewer
):
    add_quote(study=studies[0], code=codebook["T2"], by=reviewer, quote="q")
    client = client_for(lead)
    response = client.post(
        f"/reviews/{review.slug}/themes/codebook/{codebook['T2'].pk}/delete/", follow=True
    )
    assert "T2 has coded quotes: retire it, or merge it" in response.content.decode()
    assert Code.objects.filter(pk=codebook["T2"].pk).exists()
    client.post(f"/reviews/{review.slug}/themes/codebook/{codebook['T2'].pk}/retire/")
    assert Code.objects.get(pk=codebook["T2"].pk).retired
    client.post(
        f"/reviews/{review.slug}/themes/codebook/{codebook['T2'].pk}/retire/", {"retired": "0"}
    )
    assert not Code.objects.get(pk=codebook["T2"].pk).retired


def test_lead_merges_a_code_through_the_page(client_for, review, lead, codebook, studies, reviewer):
    add_quote(study=studies[0], code=codebook["T1.2"], by=reviewer, quote="q")
    response = client_for(lead).post(
        f"/reviews/{review.slug}/themes/codebook/{codebook['T1.2'].pk}/merge/",
        {"into": codebook["T1.1"].pk},
    )
    assert response.status_code == 302
    assert list(CodedQuote.objects.values_list("code__code", flat=True)) == ["T1.1"]


def test_viewer_reads_the_codebook_without_the_add_form(client_for, review, viewer, codebook):
    page = client_for(viewer).get(f"/reviews/{review.slug}/themes/codebook/").content.decode()
    assert 'data-code="T1.1"' in page
    assert "Add a code" not in page and "Edit / move" not in page


def test_reviewer_codes_a_quote_through_htmx_and_gets_the_partial(
    client_for, review, reviewer, codebook, studies
):
    response = client_for(reviewer).post(
        f"/reviews/{review.slug}/studies/{studies[0].pk}/codes/",
        {
            "quote-code": codebook["T1.1"].pk,
            "quote-quote": "Workers who knew how CSE happens",
            "quote-page_number": "12",
            "quote-location": "Findings",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="study-codes"')  # the partial alone
    assert "Workers who knew how CSE happens" in body and "p. 12 · Findings" in body
    coded = CodedQuote.objects.get()
    assert (coded.code, coded.study, coded.page_number, coded.coded_by) == (
        codebook["T1.1"],
        studies[0],
        12,
        reviewer,
    )


def test_a_quote_without_text_or_code_is_refused_with_field_errors(
    client_for, review, reviewer, codebook, studies
):
    response = client_for(reviewer).post(
        f"/reviews/{review.slug}/studies/{studies[0].pk}/codes/",
        {"quote-code": "", "quote-quote": "   ", "quote-page_number": "x"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "This field is required." in body and "Enter a whole number." in body
    assert not CodedQuote.objects.exists()


def test_retired_codes_are_not_offered_when_coding(client_for, review, reviewer, codebook, studies):
    set_retired(code=codebook["T1.2"], retired=True)
    page = client_for(reviewer).get(f"/reviews/{review.slug}/studies/{studies[0].pk}/codes/")
    body = page.content.decode()
    assert "T1.1 Knowledge" in body and "T1.2 Reflection" not in body


def test_reviewer_edits_own_quote_but_not_a_colleagues(
    client_for, review, reviewer, second_reviewer, codebook, studies
):
    mine = add_quote(study=studies[0], code=codebook["T2"], by=reviewer, quote="mine")
    theirs = add_quote(study=studies[0], code=codebook["T2"], by=second_reviewer, quote="theirs")
    client = client_for(reviewer)
    base = f"/reviews/{review.slug}/studies/{studies[0].pk}/codes"
    response = client.post(
        f"{base}/{mine.pk}/",
        {
            "edit-code": codebook["T1.1"].pk,
            "edit-quote": "mine, corrected",
            "edit-page_number": "4",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and "mine, corrected" in response.content.decode()
    mine.refresh_from_db()
    assert (mine.code, mine.quote, mine.page_number) == (codebook["T1.1"], "mine, corrected", 4)
    assert client.post(f"{base}/{theirs.pk}/", {"edit-quote": "x"}).status_code == 403
    assert client.post(f"{base}/{theirs.pk}/delete/").status_code == 403
    assert client.post(f"{base}/{mine.pk}/delete/").status_code == 302
    assert list(CodedQuote.objects.values_list("quote", flat=True)) == ["theirs"]


def test_viewer_reads_a_studys_quotes_but_cannot_code(
    client_for, review, reviewer, viewer, codebook, studies
):
    add_quote(study=studies[0], code=codebook["T2"], by=reviewer, quote="seen by all")
    client = client_for(viewer)
    url = f"/reviews/{review.slug}/studies/{studies[0].pk}/codes/"
    body = client.get(url).content.decode()
    assert "seen by all" in body and "Code a quote" not in body
    response = client.post(url, {"quote-code": codebook["T2"].pk, "quote-quote": "x"})
    assert response.status_code == 403


def test_outsider_gets_404_on_every_theme_page(client_for, review, outsider, codebook, studies):
    client = client_for(outsider)
    for url in (
        f"/reviews/{review.slug}/themes/",
        f"/reviews/{review.slug}/themes/codebook/",
        f"/reviews/{review.slug}/studies/{studies[0].pk}/codes/",
        f"/reviews/{review.slug}/dictionary/",
    ):
        assert client.get(url).status_code == 404, url


def test_a_study_of_another_review_is_404(client_for, review, reviewer, codebook):
    from tests.factories import ReviewFactory

    elsewhere = StudyFactory(review=ReviewFactory())
    response = client_for(reviewer).get(f"/reviews/{review.slug}/studies/{elsewhere.pk}/codes/")
    assert response.status_code == 404


def test_theme_table_page_shows_counts_and_quotes(
    client_for, review, viewer, reviewer, codebook, studies
):
    add_quote(
        study=studies[0], code=codebook["T1.1"], by=reviewer, quote="from Adams", page_number=2
    )
    add_quote(study=studies[2], code=codebook["T1.2"], by=reviewer, quote="from Clark")
    body = client_for(viewer).get(f"/reviews/{review.slug}/themes/").content.decode()
    row = body[body.index('data-code="T1"') : body.index('data-code="T1.1"')]
    assert '<td class="text-end" data-testid="theme-studies">2</td>' in row
    assert "from Adams" in body and "Adams 2010, p. 2" in body
    rq2 = body[body.index('data-question="RQ2"') : body.index('data-question="RQ3"')]
    assert '<span data-testid="question-studies">2</span> studies' in rq2


def test_the_database_refuses_to_delete_a_used_code_but_a_review_goes_whole(
    review, codebook, reviewer
):
    from django.db.models import RestrictedError

    # A study without reports: a review with sources (PROTECT) is not deleted whole.
    add_quote(study=StudyFactory(review=review), code=codebook["T1.1"], by=reviewer, quote="q")
    with pytest.raises(RestrictedError), transaction.atomic():
        codebook["T1.1"].delete()
    with pytest.raises(RestrictedError), transaction.atomic():
        codebook["T1"].delete()  # it has sub-codes
    review.delete()
    assert not Code.objects.exists() and not CodedQuote.objects.exists()


def test_theme_pages_read_in_the_same_number_of_queries_however_many_codes(
    client_for, review, lead, reviewer, codebook, studies
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(lead)
    urls = [
        f"/reviews/{review.slug}/themes/",
        f"/reviews/{review.slug}/themes/codebook/",
        f"/reviews/{review.slug}/studies/{studies[0].pk}/codes/",
    ]

    def counts():
        out = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            out.append(len(queries))
        return out

    add_quote(study=studies[0], code=codebook["T1.1"], by=reviewer, quote="q")
    before = counts()
    for n in range(5):
        code = save_code(
            review=review, by=lead, code=f"T9.{n}", label="More", parent=codebook["T2"]
        )
        add_quote(study=studies[n % 3], code=code, by=reviewer, quote=f"q{n}")
    assert counts() == before


def test_a_new_code_without_an_order_goes_after_its_siblings(client_for, review, lead, codebook):
    response = client_for(lead).post(
        f"/reviews/{review.slug}/themes/codebook/",
        {
            "code": "T1.3",
            "label": "Third",
            "parent": codebook["T1"].pk,
            "status": "proposed",
            "order": "",
        },
    )
    assert response.status_code == 302
    assert Code.objects.get(code="T1.3").order == 3  # after T1.1 (1) and T1.2 (2)
    rows = [r.code for r in theme_table(review).rows]
    assert rows == ["T1", "T1.1", "T1.2", "T1.3", "T2"]


def test_a_study_excluded_at_full_text_is_neither_coded_nor_counted(
    client_for, review, codebook, studies, reviewer
):
    # Coded while included, then excluded at full text: the quote stays, the table leaves it out.
    adams = studies[0]
    add_quote(study=adams, code=codebook["T2"], by=reviewer, quote="kept")
    adams.reports.update(ft_status="exclude")
    table = theme_table(review)
    assert table.studies == ("Brown 2012", "Clark 2014")
    assert {r.code: r.studies for r in table.rows}["T2"] == 0
    assert CodedQuote.objects.filter(study=adams, quote="kept").exists()
    url = f"/reviews/{review.slug}/studies/{adams.pk}/codes/"
    data = {"quote-code": codebook["T2"].pk, "quote-quote": "new", "quote-location": "p. 2"}
    response = client_for(reviewer).post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 404
    assert CodedQuote.objects.filter(study=adams).count() == 1
