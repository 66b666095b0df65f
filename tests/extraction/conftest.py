"""A small known review for the export tests: three records, two reviewers, one resolution."""

import pytest

from screening.models import Record
from screening.services.decisions import record_decision, resolve_record
from tests.factories import RecordFactory, SourceFactory

TA = "title_abstract"


@pytest.fixture
def known(review, lead, reviewer, second_reviewer):
    """r1 agreed include (then included at full text), r2 a conflict the lead resolved as an
    exclusion, r3 decided by rev1 only."""
    source = SourceFactory(review=review, name="PsycINFO", file_name="psycinfo.ris")
    r1 = RecordFactory(source=source, title="Youth voice in CSE services", year=2013, doi="10.1/a")
    r2 = RecordFactory(source=source, title="Maize yields", year=2020)
    r3 = RecordFactory(source=source, title='=HYPERLINK("http://evil.example")', year=2019)

    def decide(who, record, value, note=""):
        record_decision(
            review=review, record_id=record.pk, stage=TA, reviewer=who, value=value, note=note
        )

    decide(reviewer, r1, "include")
    decide(second_reviewer, r1, "include", note="clear yes")
    decide(reviewer, r2, "include", note="maybe relevant")
    decide(second_reviewer, r2, "exclude", note="not CSE")
    resolve_record(
        review=review, record_id=r2.pk, stage=TA, lead=lead, value="exclude", note="off topic"
    )
    decide(reviewer, r3, "exclude")
    Record.objects.filter(pk=r1.pk).update(retrieval="retrieved", ft_status="include")
    return {"r1": r1, "r2": r2, "r3": r3}
