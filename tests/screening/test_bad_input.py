"""Issue 15 item 3: the bad-input corpus (tests/data/bad/, big files made here), each file with
its expected outcome, through the web upload and the command line alike. A refused file: one
line naming it and what is wrong, nothing of it imported; an accepted one: its text intact."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from screening.models import ImportJob, Record

from .test_sources_views import upload

BAD = Path(__file__).resolve().parent.parent / "data" / "bad"
TITLE = "Über Müller: participation"

# file -> what the one line says after "name: " (the web's words may be friendlier around it),
# or None for a file that imports.
OUTCOMES = {
    "bom.ris": None,
    "utf16.ris": None,
    "latin1.ris": None,
    "formula_titles.ris": None,
    "script_tags.ris": None,
    "nul_bytes.ris": "binary (it contains NUL bytes)",
    "binary_renamed.ris": "a PNG image",
    "empty.ris": "the file is empty",
    "external_entity.xml": "the XML declares entities, which are refused",
    "entity_bomb.xml": "the XML declares entities, which are refused",
}
TITLES = {
    "bom.ris": [TITLE],
    "utf16.ris": [TITLE],
    "latin1.ris": [TITLE],
    "formula_titles.ris": ['=HYPERLINK("http://evil.example","click")', "@SUM(A1:A9)"],
    "script_tags.ris": ["<script>alert('title')</script> Participation"],
}


def test_the_corpus_is_what_the_table_says():
    assert sorted(p.name for p in BAD.iterdir()) == sorted(OUTCOMES)


def _command(review, path: Path) -> tuple[int, str]:
    err, out = io.StringIO(), io.StringIO()
    try:
        call_command(
            "import_records", review.slug, str(path), "--source", "X", stdout=out, stderr=err
        )
    except SystemExit as exit_info:
        return exit_info.code, err.getvalue()
    return 0, out.getvalue()


def _web(client, review, name: str, data: bytes, capture) -> ImportJob:
    with capture(execute=True):
        upload(client, review, SimpleUploadedFile(name, data))
    return ImportJob.objects.get(file_name=name)


@pytest.mark.parametrize("name", sorted(OUTCOMES))
def test_each_file_on_the_command_line(review, name):
    status, text = _command(review, BAD / name)
    reason = OUTCOMES[name]
    if reason is None:
        assert status == 0, text
        assert sorted(Record.objects.values_list("title", flat=True)) == sorted(TITLES[name])
    else:
        assert status == 1
        assert text.strip().splitlines() == [f"{name}: {text.strip().removeprefix(name + ': ')}"]
        assert text.startswith(f"{name}: ")
        assert reason in text
        assert not Record.objects.exists()


@pytest.mark.parametrize("name", sorted(OUTCOMES))
def test_each_file_through_the_web_upload(
    client_for, lead, review, name, django_capture_on_commit_callbacks
):
    job = _web(
        client_for(lead),
        review,
        name,
        (BAD / name).read_bytes(),
        django_capture_on_commit_callbacks,
    )
    reason = OUTCOMES[name]
    if reason is None:
        assert job.status == "done", job.message
        assert sorted(Record.objects.values_list("title", flat=True)) == sorted(TITLES[name])
    else:
        assert job.status == "failed"
        assert job.message.startswith(f"{name}: ")
        assert reason in job.message
        assert not Record.objects.exists()


def test_authors_survive_every_encoding(review):
    for name in ("bom.ris", "utf16.ris", "latin1.ris"):
        _command(review, BAD / name)
    # Three encodings of the same record: the same letters each time.
    assert [r.authors for r in Record.objects.order_by("number")] == [["Müller, Jörg"]] * 3


def _ris(*, abstract: str = "An abstract.", authors: int = 2) -> bytes:
    lines = ["TY  - JOUR", "TI  - A big record", "PY  - 2020", f"AB  - {abstract}"]
    lines += [f"AU  - Author{n}, A." for n in range(authors)]
    return ("\n".join([*lines, "ER  - ", ""])).encode()


def test_a_one_megabyte_abstract_is_cut_to_the_limit_and_the_summary_says_so(
    client_for, lead, review, settings, django_capture_on_commit_callbacks, tmp_path
):
    abstract = "a" * 1_000_000  # 1 MB
    path = tmp_path / "long.ris"
    path.write_bytes(_ris(abstract=abstract))
    status, text = _command(review, path)
    assert status == 0
    assert "abstract truncated from 1,000,000 to 100,000 characters" in text
    job = _web(
        client_for(lead),
        review,
        "long2.ris",
        _ris(abstract=abstract + "x"),
        django_capture_on_commit_callbacks,
    )
    assert job.status == "done"
    assert "abstract truncated from 1,000,001 to 100,000 characters" in job.message
    lengths = sorted(len(a) for a in Record.objects.values_list("abstract", flat=True))
    assert lengths == [settings.IMPORT_MAX_FIELD_CHARS] * 2


def test_a_record_with_ten_thousand_authors_keeps_them_all_and_its_page_shows(
    client_for, lead, review, django_capture_on_commit_callbacks, tmp_path
):
    path = tmp_path / "authors.ris"
    path.write_bytes(_ris(authors=10_000))
    assert _command(review, path)[0] == 0
    job = _web(
        client_for(lead),
        review,
        "authors2.ris",
        _ris(authors=10_000).replace(b"A big record", b"Another big record"),
        django_capture_on_commit_callbacks,
    )
    assert job.status == "done", job.message
    for record in Record.objects.all():
        assert len(record.authors) == 10_000
        assert record.authors[-1] == "Author9999, A."
    record = Record.objects.order_by("number").first()
    page = client_for(lead).get(f"/reviews/{review.slug}/records/{record.pk}/")
    assert page.status_code == 200
    assert "Author0, A.; Author1, A.;" in page.content.decode()
    assert "Author9999, A." in page.content.decode()


def test_a_100_mb_file_of_zeros_is_refused_in_one_line(review, tmp_path):
    path = tmp_path / "huge.ris"
    with path.open("wb") as handle:
        handle.truncate(100 * 1024 * 1024)  # sparse: 100 MB of NUL bytes, no disk used
    status, text = _command(review, path)
    assert status == 1
    assert text.startswith("huge.ris: ")
    assert len(text.strip().splitlines()) == 1
    assert not Record.objects.exists()
