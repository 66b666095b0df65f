"""A small review whose PRISMA 2020 numbers are known, built through the app's own services:
imports (with dedup), decisions by two reviewers, the lead's stopping rule, retrieval, full-text
decisions with reasons, and two reports of one study found in different columns.

Databases and registers (left column)
    PsycINFO p1..p6 (p6 is a copy of the website's w1, imported earlier: a left duplicate),
    Scopus s1..s4 (s1 a copy of p1), ClinicalTrials.gov t1 (a register).
    Title/abstract: p1 p2 p3 p4 t1 included, p5 excluded by both, s2 a conflict, s3 half-decided,
    s4 excluded by the stopping rule. Full text: p1 included (study "Warrington 2013", with w1),
    p2 excluded (Wrong population), p3 excluded (Wrong design), p4 not retrieved, t1 awaiting.
Other methods (right column; no title/abstract screening)
    Charity websites w1 (website), Reference lists c1..c3 (citation searching; c1 a copy of
    p2: a right duplicate), Experts e1 (other). Full text: w1 included (the study of p1), c2
    excluded (Wrong population), c3 not retrieved, e1 included (its own study).
"""

from __future__ import annotations

import zlib

from screening.models import Record
from screening.services.decisions import record_decision
from screening.services.fulltext import attach_url, mark_not_retrieved
from screening.services.imports import SourceFields, import_records
from screening.services.stopping import exclude_remaining
from screening.services.studies import link_reports
from tests.factories import ReasonFactory

TA, FT = "title_abstract", "full_text"

# Every box the diagram has, as this review must count it.
EXPECTED = {
    "identified_databases": 10,
    "identified_registers": 1,
    "duplicates": 2,
    "automation": 0,
    "removed_other": 0,
    "screened": 9,
    "excluded_screening": 2,
    "excluded_human": 1,
    "excluded_automation": 1,
    "sought": 5,
    "not_retrieved": 1,
    "assessed": 3,
    "excluded_fulltext": 2,
    "identified_websites": 1,
    "identified_organisations": 0,
    "identified_citations": 3,
    "identified_other_sources": 1,
    "other_duplicates": 1,
    "other_sought": 4,
    "other_not_retrieved": 1,
    "other_assessed": 3,
    "other_excluded_fulltext": 1,
    "included_studies": 2,
    "included_reports": 3,
    "awaiting_title_abstract": 1,
    "awaiting_conflicts": 1,
    "awaiting_full_text": 1,
    "other_awaiting_full_text": 0,
}
EXPECTED_PARTS = {
    "identified_databases": {"PsycINFO": 6, "Scopus": 4},
    "identified_registers": {"ClinicalTrials.gov": 1},
    "excluded_fulltext": {"Wrong population": 1, "Wrong design": 1},
    "identified_websites": {"Charity websites": 1},
    "identified_organisations": {},
    "identified_citations": {"Reference lists": 3},
    "identified_other_sources": {"Experts": 1},
    "other_excluded_fulltext": {"Wrong population": 1},
}


def ris(*titles: str) -> bytes:
    """One RIS record a title; a record's DOI follows from its title, so copies match."""
    entries = [
        f"TY  - JOUR\nTI  - {title}\nAU  - Author, {title.split()[0]}\nPY  - 2015\n"
        f"DO  - 10.5555/{zlib.crc32(title.encode())}\nER  - \n"
        for title in titles
    ]
    return "\n".join(entries).encode()


TITLES = {
    "w1": "Warrington participation report on a charity website",
    "p1": "Warrington young people participation in CSE services",
    "p2": "Peer mentoring for young people at risk of exploitation",
    "p3": "A survey of practitioners in sexual exploitation teams",
    "p4": "Youth advisory boards in safeguarding services",
    "p5": "Maize yields under drought in East Africa",
    "s2": "Voices of young people in care planning meetings",
    "s3": "Participation ladders revisited for social work",
    "s4": "Soil nitrogen cycling in temperate forests",
    "t1": "Trial of a participatory group intervention for girls",
    "c2": "Co-production with young survivors of exploitation",
    "c3": "An unpublished thesis on youth participation",
    "e1": "Expert-supplied evaluation of a youth panel",
}


def _import(review, lead, name: str, method: str, titles: list[str], other_kind: str = ""):
    fields = SourceFields(name=name, method=method, other_kind=other_kind)
    import_records(
        review=review,
        data=ris(*titles),
        file_name=f"{name}.ris",
        source_fields=fields,
        by=lead,
        force=True,  # the website's one-record file and p6's second PsycINFO file are the same
    )


def build_known_review(review, lead, reviewer, second_reviewer) -> dict[str, Record]:
    """The review above; returns its records by their short names (the copies included)."""
    t = TITLES
    _import(review, lead, "Charity websites", "other", [t["w1"]], "website")
    _import(review, lead, "PsycINFO", "database", [t[k] for k in ("p1", "p2", "p3", "p4", "p5")])
    # p6: the website's report, found again in a second PsycINFO file (same title and DOI).
    _import(review, lead, "PsycINFO", "database", [t["w1"]])
    _import(review, lead, "Scopus", "database", [t["p1"], t["s2"], t["s3"], t["s4"]])
    _import(review, lead, "ClinicalTrials.gov", "register", [t["t1"]])
    _import(review, lead, "Reference lists", "other", [t["p2"], t["c2"], t["c3"]], "citations")
    _import(review, lead, "Experts", "other", [t["e1"]], "other")
    records = _by_name(review)

    def decide(who, name, value, stage=TA, reason=None):
        record_decision(
            review=review,
            record_id=records[name].pk,
            stage=stage,
            reviewer=who,
            value=value,
            reason=reason,
        )

    def both(name, value, stage=TA, reason=None):
        decide(reviewer, name, value, stage, reason)
        decide(second_reviewer, name, value, stage, reason)

    for name in ("p1", "p2", "p3", "p4", "t1"):
        both(name, "include")
    both("p5", "exclude")
    decide(reviewer, "s2", "include")
    decide(second_reviewer, "s2", "exclude")
    decide(reviewer, "s3", "include")
    exclude_remaining(review=review, lead=lead, rule="Stopped after 100 irrelevant in a row")

    population = ReasonFactory(review=review, code="POP", label="Wrong population", number=1)
    design = ReasonFactory(review=review, code="DES", label="Wrong design", number=2)
    for name in ("p1", "p2", "p3", "t1", "w1", "c2", "e1"):
        record = Record.objects.get(pk=records[name].pk)
        attach_url(review=review, record=record, url=f"https://example.org/{name}", by=lead)
    for name in ("p4", "c3"):
        record = Record.objects.get(pk=records[name].pk)
        mark_not_retrieved(review=review, record=record, note="the library could not get it")
    for name in ("p1", "w1", "e1"):
        both(name, "include", FT)
    both("p2", "exclude", FT, population)
    both("c2", "exclude", FT, population)
    both("p3", "exclude", FT, design)
    decide(reviewer, "t1", "include", FT)
    link_reports(
        review=review,
        record_ids=[records["p1"].pk, records["w1"].pk],
        by=lead,
        new_label="Warrington 2013",
    )
    return _by_name(review)


def _by_name(review) -> dict[str, Record]:
    """Short names: the kept records by their titles, and the copies by where they were found."""
    found: dict[str, Record] = {}
    names = {title: name for name, title in TITLES.items()}
    for record in Record.objects.in_review(review).select_related("source").order_by("id"):
        name = names[record.title]
        if record.duplicate_of_id:
            name = {"w1": "p6", "p1": "s1", "p2": "c1"}[name]
        found[name] = record
    return found
