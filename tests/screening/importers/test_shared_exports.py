"""Every real export file in shared/data/formats parses to the number of records it holds.

How the expected counts were verified, by hand, on the files themselves (not by running the
parser):

* RIS: ``sed '1s/^\\xEF\\xBB\\xBF//' FILE | tr -d '\\r' | grep -c '^TY  -'`` and
  ``tr -d '\\r' < FILE | grep -c '^ER  -'`` agree for every RIS file (the BOM has to go first:
  a plain ``grep '^TY'`` misses the first record of the three files with a UTF-8 BOM, which is
  also why rispy finds 99 records in asreview___baseline.ris, and 5 in asreview__embase.ris).
* MEDLINE: ``grep -c '^PMID-'`` and the number of blank-line separated blocks
  (``awk 'BEGIN{RS=""}END{print NR}'``) agree.
* Web of Science tagged: ``grep -c '^PT '`` and ``grep -c '^ER'`` agree (one ``EF`` each).
* BibTeX: ``grep -c '^@'`` (3 entries; the first repeats ``funding_details``).

The spot checks (title, first author, year, DOI, PMID of the first record) were read off the
head of each file.
"""

import json

import pytest

from screening.importers import ImportFormatError, detect_format, parse_bytes

from .conftest import format_file, formats_dir

# file, format, records, first title starts with, first author, year, DOI, PMID
EXPECTED = [
    (
        "asreview___baseline.ris",
        "ris",
        100,
        "The Value of Radiologic Interventions and 18 F-DOPA PET",
        "Blomberg, Björn A.",
        2012,
        "10.1007/s11307-012-0572-0",
        "22752652",  # from its L2 link http://www.ncbi.nlm.nih.gov/pubmed/22752652
    ),
    (
        "asreview__baseline_zotero.ris",
        "ris",
        100,
        "An open source machine learning framework for efficient and transparent",
        "van de Schoot, Rens",
        2021,
        "10.1038/s42256-020-00287-7",
        "",
    ),
    (
        "asreview__embase.ris",
        "ris",
        6,
        "Duplication cysts: Diagnosis, management, and the role of endoscopic ultrasound",
        "Liu R.",
        2014,
        "10.4103/2303-9027.138783",
        "",
    ),
    (
        "asreview__ovid_psycinfo.ris",
        "ris",
        6,
        "The influence of self-criticism on depression symptoms among ambulatory patients",
        "Trindade, Ines A",
        2019,
        "10.1002/cpp.2398",  # written as DO  - http://dx.doi.org/10.1002/cpp.2398
        "",
    ),
    (
        "asreview__proquest.ris",
        "ris",
        6,
        "Predictors of posttraumatic stress symptom trajectories following the fatal 2011",
        "Jones, Hannah",
        2019,
        "10.1002/jts.22387",
        "",
    ),
    (
        "asreview__pubmed_endnote.txt",
        "ris",
        6,
        "Boswellia serrata: an overall assessment of in vitro, preclinical",
        "Abdel-Tawab, M.",
        2011,
        "10.2165/11586800-000000000-00000",
        "21553931",  # AN with DP - NLM
    ),
    (
        "asreview__pubmed_zotero.ris",
        "ris",
        6,
        "The importance of cognitive flexibility and flexibility in coping with stress",
        "Rudnik, Agata",
        2019,
        "10.5114/pg.2018.81081",
        "",
    ),
    (
        "asreview__scopus.ris",
        "ris",
        6,
        "Stress and the brain-gut axis in functional and chronic-inflammatory",
        "Labanski, A.",
        2020,
        "10.1016/j.psyneuen.2019.104501",
        "",
    ),
    (
        "asreview__web_of_science.txt",
        "ris",
        10,
        "Holding Yourself Captive: Perceptions of Custody During Interviews",
        "Alceste, F",
        2018,
        "10.1016/j.jarmac.2018.03.001",
        "",
    ),
    (
        "nbib__pmc_medlars.nbib",
        "medline",
        5,
        "A method package for electrophysiological evaluation of reconstructed or regenerated",
        "Takeuchi, Yuichi",
        2018,
        "10.1016/j.mex.2018.03.007",
        "30042925",
    ),
    (
        "rispy__example_full.ris",
        "ris",
        2,
        "Title of reference",
        "Marx, Karl",
        2014,
        "",
        "",
    ),
    (
        "rispy__example_wos.ris",
        "wos",
        2,
        "Interactions stabilizing the structure of the core light-harvesting complex (LHl)",
        "Parkes-Loach, PS",
        2004,
        "10.1021/bi049798f",
        "15170338",
    ),
    (
        "synthesisr__ASP_ris_example.ris",
        "ris",
        4,
        "“Living on the edge”: The role of field margins for common vole",
        "Rodríguez-Pastor, Ruth",
        2016,
        "",
        "",
    ),
    (
        "synthesisr__Ovid_ris_example.ris",
        "ris",
        4,
        "Detection of retention trees on clearcuts, a 50-year perspective.",
        "Holmstrom, E.",
        2020,
        "10.4236/ojf.2020.101008",
        "",
    ),
    (
        "synthesisr__PubMed_example.txt",
        "medline",
        3,
        "Differences in nitrate and phosphorus export between wooded and grassed riparian zones",
        "Neilen, Amanda D",
        2017,
        "10.1016/j.scitotenv.2017.04.075",
        "28441597",
    ),
    (
        "synthesisr__Scopus_bib_example.bib",
        "bibtex",
        3,
        "Soil fauna diversity at different stages of reed restoration",
        "Li, W.",
        2020,
        "10.1080/20964129.2020.1722034",
        "",
    ),
    (
        "synthesisr__WoS_ciw_example.ciw",
        "wos",
        5,
        "Soil fauna diversity at different stages of reed restoration in a lakeshore wetland",
        "Li, Wei",
        2020,
        "10.1080/20964129.2020.1722034",
        "",
    ),
    (
        "synthesisr__citesource_issue_24.ris",
        "ris",
        17,
        "Effects of artificial light on bird movement and distribution: a systematic map",
        "Adams, Carrie Ann",
        2021,
        "10.1186/s13750-021-00246-8",
        "",
    ),
    (
        "synthesisr__scopus.ris",
        "ris",
        92,
        "Black-backed woodpecker occupancy in burned and beetle-killed forests",
        "Tingley, M.W.",
        2020,
        "10.1016/j.foreco.2019.117694",
        "",
    ),
    (
        "synthesisr__zoorec.txt",
        "wos",
        134,
        "Nest site selection and nest survival of Black-backed Woodpeckers after wildfire.",
        "Stillman, Andrew N.",  # the file adds "(andrew.stillman@uconn.edu)"
        2019,
        "",
        "",
    ),
]


@pytest.mark.parametrize(
    ("name", "fmt", "count", "title", "author", "year", "doi", "pmid"),
    EXPECTED,
    ids=[row[0] for row in EXPECTED],
)
def test_shared_export_parses_completely(name, fmt, count, title, author, year, doi, pmid):
    data = format_file(name).read_bytes()
    result = parse_bytes(data, filename=name)
    assert result.format == fmt
    assert len(result.records) == count
    first = result.records[0]
    assert first.title.startswith(title)
    assert "\n" not in first.title and "  " not in first.title
    assert first.authors[0] == author
    assert first.year == year
    assert first.doi == doi
    assert first.pmid == pmid
    # the whole record survives as JSON
    json.dumps([record.raw for record in result.records])
    # content decides the format, whatever the file is called
    assert detect_format(data, "upload.dat") == fmt


def test_every_shared_export_is_covered():
    names = {path.name for path in formats_dir().iterdir() if path.is_file()}
    assert names == {row[0] for row in EXPECTED}


@pytest.mark.parametrize("name", [row[0] for row in EXPECTED if row[1] == "ris"])
def test_ris_export_forced_as_medline_is_refused(name):
    # the tags of RIS fit MEDLINE's tag pattern: read as MEDLINE, every year, DOI and journal
    # of synthesisr__scopus.ris was lost
    with pytest.raises(ImportFormatError, match="the file looks like RIS"):
        parse_bytes(format_file(name).read_bytes(), filename=name, fmt="medline")


def test_scopus_ris_details():
    records = parse_bytes(format_file("asreview__scopus.ris").read_bytes()).records
    # Scopus writes the PMID as C2 (5 of the 6 records have one: grep -c '^C2  -' = 5)
    assert sum(1 for r in records if r.pmid) == 5
    assert records[1].pmid == "31421429"
    first = records[0]
    assert first.journal == "Psychoneuroendocrinology"
    assert first.volume == "111"
    assert first.type == "JOUR"
    assert "Brain-gut axis" in first.keywords
    assert first.url.startswith("https://www.scopus.com/")
    assert first.raw["DB"] == ["Scopus"]


def test_embase_pmid_from_c5():
    records = parse_bytes(format_file("asreview__embase.ris").read_bytes()).records
    # grep -n '^C5' asreview__embase.ris: lines 63, 210, 279
    assert [r.pmid for r in records if r.pmid] == ["15368318", "30396417", "21218094"]
    assert records[0].authors == ["Liu R.", "Adler D.G."]  # A1 tags


def test_ovid_trailing_tags_and_junk_lines():
    # Ovid numbers records ("1."), writes NL after ER and a "Link to the Ovid Full Text" line
    records = parse_bytes(format_file("asreview__ovid_psycinfo.ris").read_bytes()).records
    assert len(records) == 6
    assert records[0].raw["NL"] == ["Clin Psychol Psychother"]
    assert records[0].pages == ""  # Ovid's SP - No / EP - Specified


def test_endnote_ris_keyword_continuation_lines():
    # EndNote writes one KW tag followed by one keyword per untagged line
    record = parse_bytes(format_file("asreview__pubmed_endnote.txt").read_bytes()).records[0]
    assert record.keywords[:3] == [
        "Animals",
        "Anti-Inflammatory Agents/adverse effects/pharmacokinetics/*pharmacology",
        "Boswellia/*chemistry",
    ]
    assert len(record.keywords) == 10


def test_repeated_abstract_tag_kept():
    # EBSCO writes the abstract and a copyright line as two AB tags
    record = parse_bytes(format_file("synthesisr__ASP_ris_example.ris").read_bytes()).records[0]
    assert len(record.raw["AB"]) == 2
    assert record.abstract.startswith("Small rodents are common inhabitants")
    assert "Copyright of Agriculture" in record.abstract


def test_medline_fields():
    records = parse_bytes(format_file("synthesisr__PubMed_example.txt").read_bytes()).records
    first = records[0]
    assert first.journal == "The Science of the total environment"
    assert first.volume == "598"
    assert first.pages == "188-197"
    assert first.type == "Journal Article"
    assert first.abstract.startswith("Agricultural activities in catchments")
    assert "\n" not in first.abstract  # wrapped lines are joined
    assert "Buffer strips" in first.keywords  # OT keywords
    # FAU preferred over AU
    assert first.raw["AU"][0] == "Neilen AD"


def test_wos_fields():
    records = parse_bytes(format_file("synthesisr__WoS_ciw_example.ciw").read_bytes()).records
    first = records[0]
    assert first.authors[:2] == ["Li, Wei", "Dou, Zhiguo"]  # AF preferred over AU
    assert first.journal == "ECOSYSTEM HEALTH AND SUSTAINABILITY"
    assert first.volume == "6"
    assert first.abstract.startswith("Introduction: Wetland soil fauna support material")
    wos = parse_bytes(format_file("rispy__example_wos.ris").read_bytes()).records[0]
    assert wos.pages == "7003-7016"
    assert "CHEMICALLY SYNTHESIZED POLYPEPTIDES" in wos.keywords  # ID, split on "; "
    assert wos.type == "Article"


def test_scopus_bibtex_repeated_field_kept():
    records = parse_bytes(format_file("synthesisr__Scopus_bib_example.bib").read_bytes()).records
    first = records[0]
    assert first.raw["ID"] == "Li2020"
    assert isinstance(first.raw["funding_details"], list)
    assert len(first.raw["funding_details"]) == 2
    assert first.journal == "Ecosystem Health and Sustainability"
    assert first.keywords[:2] == ["Environmental factors", "Lake Taihu"]


# The ASReview-style labelled sets (shared/data/labelled): record counts from the data README,
# confirmed with csv.DictReader row counts.
@pytest.mark.parametrize(
    ("name", "count"),
    [
        ("cohen2006_antihistamines.csv", 310),
        ("cohen2006_adhd.csv", 851),
        ("kitchenham2010.csv", 1704),
        ("bannach_brown2019.csv", 1993),
    ],
)
def test_labelled_asreview_csv(name, count):
    path = formats_dir().parent / "labelled" / name
    result = parse_bytes(path.read_bytes(), filename=name)
    assert result.format == "csv"
    assert len(result.records) == count
    assert all(r.title or r.abstract or r.pmid for r in result.records)
    assert all("label_included" in r.raw for r in result.records)


def test_missing_shared_folder_fails_in_ci_and_skips_elsewhere(monkeypatch, tmp_path):
    import tests.conftest

    from . import conftest

    monkeypatch.setattr(tests.conftest, "SHARED_DATA", tmp_path / "nowhere")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="shared data set not found"):
        conftest.formats_dir()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="shared data set not found"):
        conftest.formats_dir()
