"""PRISMA counts as JSON, a tidy CSV, or the PRISMA2020 R package's template CSV: the same
numbers as the dashboard and the diagram (all read `screening.prisma.prisma_flow`)."""

from __future__ import annotations

import json
import re

from screening.prisma import PrismaFlow

from .csvsafe import write_csv

TIDY_HEADER = ["column", "box", "label", "n"]
SEPARATORS = re.compile(r"\s*[;,]\s*")
TEMPLATE_HEADER = ["data", "node", "box", "description", "boxtext", "tooltips", "url", "n"]


def prisma_json(flow: PrismaFlow) -> str:
    return json.dumps(flow.as_json(), indent=2, ensure_ascii=False)


def write_prisma_csv(handle, flow: PrismaFlow) -> int:
    """Tidy: one row a box (`column,box,label,n`); per-source and per-reason boxes one row a
    source or reason, labelled with it. A hidden number (blind mode) is an empty cell."""
    return write_csv(handle, TIDY_HEADER, flow.rows())


def _listed(parts: dict[str, int]) -> str:
    """The template's "Name, n; Name, n" cells: the package splits on '; ' then ', ', so a name
    keeps neither."""
    return "; ".join(f"{SEPARATORS.sub(' - ', name)}, {n}" for name, n in parts.items())


def _template_rows(flow: PrismaFlow) -> list[tuple[str, str, str, str, str, str, str, object]]:
    """The rows of inst/extdata/PRISMA.csv of the PRISMA2020 package (Haddaway et al. 2022), in
    its order and wording, with this review's numbers. No previous version of the review: 0."""
    n, parts = flow.n, flow.parts
    # The template has three lines for other methods: sources of kind "other" (hand searching,
    # experts) join the organisations, and the box text says so.
    organisations = n["identified_organisations"] + n["identified_other_sources"]
    organisations_text = (
        "Organisations and other sources" if n["identified_other_sources"] else "Organisations"
    )
    other_excluded = parts["other_excluded_fulltext"]
    dbr_excluded = parts["excluded_fulltext"]
    excluded_screening = n["excluded_human"] + n["excluded_automation"]
    new_studies, new_reports = n["included_studies"], n["included_reports"]
    grey = "Grey title box; "
    return [
        ("NA", "node4", "prevstud", f"{grey}Previous studies", "Previous studies",
         f"{grey}Previous studies", "prevstud.html", 0),
        ("previous_studies", "node5", "box1", "Studies included in previous version of review",
         "Studies included in previous version of review",
         "Studies included in previous version of review", "previous_studies.html", 0),
        ("previous_reports", "NA", "box1",
         "Reports of studies included in previous version of review",
         "Reports of studies included in previous version of review", "NA",
         "previous_reports.html", 0),
        ("NA", "node6", "newstud",
         "Yellow title box; Identification of new studies via databases and registers",
         "Identification of new studies via databases and registers",
         "Yellow title box; Identification of new studies via databases and registers",
         "newstud.html", 0),
        ("database_results", "node7", "box2", "Records identified from: Databases", "Databases",
         "Records identified from: Databases and Registers", "database_results.html",
         n["identified_databases"]),
        ("database_specific_results", "NA", "box2",
         "Records identified from: specific databases", "Specific Databases", "NA",
         "database_results.html", _listed(parts["identified_databases"])),
        ("register_results", "NA", "box2", "Records identified from: Registers", "Registers",
         "NA", "NA", n["identified_registers"]),
        ("register_specific_results", "NA", "box2",
         "Records identified from: specific registers", "Specific Registers", "NA",
         "database_results.html", _listed(parts["identified_registers"])),
        ("NA", "node16", "othstud",
         f"{grey}Identification of new studies via other methods",
         "Identification of new studies via other methods",
         f"{grey}Identification of new studies via other methods", "othstud.html", 0),
        ("website_results", "node17", "box11", "Records identified from: Websites", "Websites",
         "Records identified from: Websites, Organisations and Citation Searching",
         "website_results.html", n["identified_websites"]),
        ("organisation_results", "", "box11", "Records identified from: Organisations",
         organisations_text, "NA", "NA", organisations),
        ("citations_results", "NA", "box11", "Records identified from: Citation searching",
         "Citation searching", "NA", "NA", n["identified_citations"]),
        ("duplicates", "node8", "box3", "Duplicate records", "Duplicate records",
         "Duplicate records", "duplicates.html", n["duplicates"]),
        ("excluded_automatic", "NA", "box3", "Records marked as ineligible by automation tools",
         "Records marked as ineligible by automation tools", "NA", "NA", n["automation"]),
        ("excluded_other", "NA", "box3", "Records removed for other reasons",
         "Records removed for other reasons", "NA", "NA", n["removed_other"]),
        ("records_screened", "node9", "box4", "Records screened (databases and registers)",
         "Records screened", "Records screened (databases and registers)",
         "records_screened.html", n["screened"]),
        ("records_excluded", "node10", "box5", "Records excluded (databases and registers)",
         "Records excluded", "Records excluded (databases and registers)",
         "records_excluded.html", excluded_screening),
        ("dbr_sought_reports", "node11", "box6",
         "Reports sought for retrieval (databases and registers)", "Reports sought for retrieval",
         "Reports sought for retrieval (databases and registers)", "dbr_sought_reports.html",
         n["sought"]),
        ("dbr_notretrieved_reports", "node12", "box7",
         "Reports not retrieved (databases and registers)", "Reports not retrieved",
         "Reports not retrieved (databases and registers)", "dbr_notretrieved_reports.html",
         n["not_retrieved"]),
        ("other_sought_reports", "node18", "box12", "Reports sought for retrieval (other)",
         "Reports sought for retrieval", "Reports sought for retrieval (other)",
         "other_sought_reports.html", n["other_sought"]),
        ("other_notretrieved_reports", "node19", "box13", "Reports not retrieved (other)",
         "Reports not retrieved", "Reports not retrieved (other)",
         "other_notretrieved_reports.html", n["other_not_retrieved"]),
        ("dbr_assessed", "node13", "box8",
         "Reports assessed for eligibility (databases and registers)",
         "Reports assessed for eligibility",
         "Reports assessed for eligibility (databases and registers)", "dbr_assessed.html",
         n["assessed"]),
        ("dbr_excluded", "node14", "box9",
         "Reports excluded (databases and registers): [separate reasons and numbers using ; "
         "e.g. Reason1, xxx; Reason2, xxx; Reason3, xxx]", "Reports excluded",
         "Reports excluded (databases and registers)", "dbrexcludedrecords.html",
         _listed(dbr_excluded)),
        ("other_assessed", "node20", "box14", "Reports assessed for eligibility (other)",
         "Reports assessed for eligibility", "Reports assessed for eligibility (other)",
         "other_assessed.html", n["other_assessed"]),
        ("other_excluded", "node21", "box15",
         "Reports excluded (other): [separate reasons and numbers using ; e.g. Reason1, xxx; "
         "Reason2, xxx; Reason3, xxx]", "Reports excluded", "Reports excluded (other)",
         "other_excluded.html", _listed(other_excluded)),
        ("new_studies", "node15", "box10", "New studies included in review",
         "New studies included in review", "New studies included in review",
         "new_studies.html", new_studies),
        ("new_reports", "NA", "box10", "Reports of new included studies",
         "Reports of new included studies", "NA", "NA", new_reports),
        ("total_studies", "node22", "box16", "Total studies included in review",
         "Total studies included in review", "Total studies included in review",
         "total_studies.html", new_studies),
        ("total_reports", "NA", "box16", "Reports of total included studies",
         "Reports of total included studies", "NA", "NA", new_reports),
        ("identification", "node1", "identification", "Blue identification box",
         "Identification", "Blue identification box", "identification.html", 0),
        ("screening", "node2", "screening", "Blue screening box", "Screening",
         "Blue screening box", "screening.html", 0),
        ("included", "node3", "included", "Blue included box", "Included", "Blue included box",
         "included.html", 0),
    ]  # fmt: skip


def write_prisma2020_csv(handle, flow: PrismaFlow) -> int:
    """The PRISMA2020 package's template CSV (`PRISMA_data(read.csv(file))` draws it)."""
    return write_csv(handle, TEMPLATE_HEADER, _template_rows(flow))


def template_counts(flow: PrismaFlow) -> dict[str, object]:
    """data -> n of the template rows that carry data (what the package reads)."""
    return {row[0]: row[7] for row in _template_rows(flow) if row[0] != "NA"}
