"""Issue 15 item 3, the pages: untrusted text (titles, abstracts, notes, chart values, theme
quotes) is shown escaped, formulas are neutralised in exports, a zip bomb of full texts is
refused unread, and a chart form of 500 fields renders and saves."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from extraction.models import ChartValue, FormField
from extraction.services.themes import add_quote, save_code
from screening.models import FullText, Record
from screening.services.decisions import record_decision
from tests.extraction.charting_setup import chart_url, included_study, post_chart
from tests.factories import ChartFormFactory, FormSectionFactory, RecordFactory, SourceFactory

pytestmark = pytest.mark.django_db
BAD = Path(__file__).resolve().parents[1] / "data" / "bad"
SCRIPT = "<script>alert('x')</script>"
ESCAPED = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"


def _import(review, name: str) -> None:
    call_command("import_records", review.slug, str(BAD / name), "--source", "X",
                 stdout=io.StringIO())  # fmt: skip


def _shown_escaped(html: str, text: str) -> None:
    assert text.replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#x27;") in html
    assert text not in html


def test_script_tags_in_a_title_and_abstract_are_escaped_on_every_page(
    client_for, lead, reviewer, review
):
    _import(review, "script_tags.ris")
    record = Record.objects.get()
    client = client_for(reviewer)
    pages = [
        client.get(reverse("screening:records", kwargs={"slug": review.slug})),
        client.get(f"/reviews/{review.slug}/records/{record.pk}/"),
        client.get(f"/reviews/{review.slug}/screen/title-abstract/"),
    ]
    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200
        _shown_escaped(html, "<script>alert('title')</script>")
    for page in pages[1:]:
        _shown_escaped(page.content.decode(), "<script>alert('abstract')</script>")
    _shown_escaped(pages[1].content.decode(), "<img src=x onerror=alert(1)>")


def test_a_script_tag_in_a_decision_note_is_escaped_in_the_history(
    client_for, lead, reviewer, review
):
    record = RecordFactory(source=SourceFactory(review=review))
    record_decision(review=review, record_id=record.pk, stage="title_abstract",
                    reviewer=reviewer, value="include", note=SCRIPT)  # fmt: skip
    html = client_for(lead).get(f"/reviews/{review.slug}/records/{record.pk}/").content
    assert ESCAPED in html.decode()
    assert SCRIPT not in html.decode()


def test_a_script_tag_in_a_chart_value_is_escaped_on_the_chart_page(client_for, review, reviewer):
    form = ChartFormFactory(review=review)
    section = FormSectionFactory(form=form, key="general", order=0)
    FormField.objects.create(
        section=section, key="design", label="Design", order=0, type="short_text", takes_quote=True
    )
    study = included_study(review)
    client = client_for(reviewer)
    saved = post_chart(client, review, study, {"design": SCRIPT, "design__quote": SCRIPT}, 0)
    assert saved.status_code == 200
    assert ChartValue.objects.get().value == SCRIPT  # kept as typed
    html = client.get(chart_url(review, study)).content.decode()
    assert ESCAPED in html
    assert SCRIPT not in html


def test_a_script_tag_in_a_theme_quote_is_escaped_on_the_study_and_theme_pages(
    client_for, review, lead, reviewer
):
    study = included_study(review)
    code = save_code(review=review, by=lead, code="T1", label="Trust")
    add_quote(study=study, code=code, by=reviewer, quote=SCRIPT)
    client = client_for(reviewer)
    for url in (
        reverse("extraction:study-codes", kwargs={"slug": review.slug, "study_id": study.pk}),
        reverse("extraction:themes", kwargs={"slug": review.slug}),
    ):
        html = client.get(url).content.decode()
        assert SCRIPT not in html
    study_page = client.get(
        reverse("extraction:study-codes", kwargs={"slug": review.slug, "study_id": study.pk})
    ).content.decode()
    assert ESCAPED in study_page


def test_formula_looking_titles_are_neutralised_in_the_exports(review, tmp_path):
    _import(review, "formula_titles.ris")
    out = tmp_path / "records.csv"
    call_command("export", review.slug, "records", "-o", str(out))
    text = out.read_text()
    assert "'=HYPERLINK(" in text and ",=HYPERLINK(" not in text
    assert "'@SUM(A1:A9)" in text and ",@SUM" not in text
    assert "'+Smith, J." in text  # an author cell too
    assert Record.objects.filter(title__startswith="=HYPERLINK").count() == 1  # stored as given


def _zip(members: dict[str, int]) -> bytes:
    handle = io.BytesIO()
    with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, size in members.items():
            with archive.open(name, "w", force_zip64=True) as member:
                for _ in range(size // (1 << 20)):
                    member.write(bytes(1 << 20))
    return handle.getvalue()


def _bulk(client, review, data: bytes):
    upload = SimpleUploadedFile("papers.zip", data, content_type="application/zip")
    url = reverse("screening:fulltexts-bulk", kwargs={"slug": review.slug})
    return client.post(url, {"files": [upload]}, follow=True)


def test_a_zip_bomb_of_full_texts_is_refused_without_unpacking(client_for, review, lead):
    RecordFactory(source=SourceFactory(review=review), ta_status="include", doi="10.1/a")
    bomb = _zip({"10.1_a.pdf": 200 << 20})  # 200 MB of zeros in a zip of about 200 KB
    assert len(bomb) < 1 << 20
    page = _bulk(client_for(lead), review, bomb).content.decode()
    assert "10.1_a.pdf: 200 MB is over the 50 MB limit." in page
    assert not FullText.objects.exists()


def test_a_zip_that_unpacks_past_the_batch_limit_stores_nothing(client_for, review, lead, settings):
    settings.FULLTEXT_MAX_BYTES, settings.FULLTEXT_BATCH_MAX_BYTES = 4 << 20, 8 << 20
    RecordFactory(source=SourceFactory(review=review), ta_status="include", doi="10.1/a")
    bomb = _zip({f"part{n}.pdf": 3 << 20 for n in range(4)})  # each under the limit, 12 MB in all
    page = _bulk(client_for(lead), review, bomb).content.decode()
    assert "Nothing was stored: papers.zip: this upload comes to more than 8 MB of files" in page
    assert not FullText.objects.exists()


def test_a_chart_form_of_500_fields_renders_and_saves_every_value(client_for, review, reviewer):
    form = ChartFormFactory(review=review)
    section = FormSectionFactory(form=form, key="general", order=0)
    FormField.objects.bulk_create(
        FormField(section=section, key=f"f{n}", label=f"Field {n}", type="short_text", order=n)
        for n in range(500)
    )
    study = included_study(review)
    client = client_for(reviewer)
    page = client.get(chart_url(review, study))
    assert page.status_code == 200
    assert page.content.decode().count('name="f') >= 500
    saved = post_chart(client, review, study, {f"f{n}": f"value {n}" for n in range(500)}, 0)
    assert saved.status_code == 200
    stored = dict(ChartValue.objects.values_list("field__key", "value"))
    assert len(stored) == 500
    assert stored["f499"] == "value 499"
