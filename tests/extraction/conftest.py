"""A small known review for the export tests: three records, two reviewers, one resolution."""

import pytest

from extraction.services.themes import add_quote, save_code
from screening.models import Record
from screening.services.decisions import record_decision, resolve_record
from tests.extraction.charting_setup import included_study
from tests.factories import (
    ChartFactory,
    ChartFormFactory,
    ChartValueFactory,
    FormFieldFactory,
    FormSectionFactory,
    QuestionFactory,
    RecordFactory,
    SourceFactory,
    StudyFactory,
)

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


@pytest.fixture
def charted(review, lead, reviewer, second_reviewer):
    """Form v1 (source: country, setting) and v2 (source: country, participants; RQ1: forms,
    quoted). Study A: two reviewers and a consensus on v2, two reports. Study B: a consensus on
    v1. Study C: included, not charted. Study D: excluded at full text, charted."""
    v1 = ChartFormFactory(review=review, version=1, charters_per_study=2)
    v2 = ChartFormFactory(review=review, version=2, charters_per_study=2)
    rq1 = QuestionFactory(review=review, number=1, text="How do young people take part?")
    s1 = FormSectionFactory(form=v1, key="source", title="Source characteristics", order=0)
    old_country = FormFieldFactory(section=s1, key="country", label="Country", order=0)
    setting = FormFieldFactory(section=s1, key="setting", label="Setting", order=1)
    s2 = FormSectionFactory(form=v2, key="source", title="Source characteristics", order=0)
    country = FormFieldFactory(section=s2, key="country", label="Country", order=0)
    people = FormFieldFactory(
        section=s2, key="participants", label="Participants", type="integer", order=1
    )
    q = FormSectionFactory(form=v2, key="rq1", title="RQ1: participation", order=1, question=rq1)
    forms = FormFieldFactory(
        section=q,
        key="forms",
        label="Forms of participation",
        type="multiple_choice",
        choices=["Consultation", "Co-production", "Peer support"],
        takes_quote=True,
        required=True,
        order=0,
    )
    source = SourceFactory(review=review, name="ERIC")

    def study(label, *, included=True, reports=1):
        s = StudyFactory(review=review, label=label)
        status = "include" if included else "exclude"
        for _ in range(reports):
            RecordFactory(source=source, study=s, ta_status="include", ft_status=status)
        return s

    a, b, c = study("Warrington 2013", reports=2), study("Brodie 2016"), study("Lefevre 2019")
    d = study("Maize 2020", included=False)

    def chart(s, form, who, kind="reviewer", status="submitted", **values):
        ch = ChartFactory(study=s, form=form, charted_by=who, kind=kind, status=status)
        fields = {f.key: f for f in (old_country, setting) if f.section.form == form}
        fields |= {f.key: f for f in (country, people, forms) if f.section.form == form}
        for key, value in values.items():
            extra = value if isinstance(value, dict) else {"value": value}
            ChartValueFactory(chart=ch, field=fields[key], **extra)
        return ch

    chart(a, v2, reviewer, country="UK", participants=12, forms={"value": ["Consultation"]})
    chart(
        a,
        v2,
        second_reviewer,
        status="draft",
        country="England",
        forms={"value": ["Consultation", "Peer support"], "quote": "peer mentors", "location": "9"},
    )
    chart(
        a,
        v2,
        lead,
        kind="consensus",
        country="UK",
        participants=12,
        forms={
            "value": ["Consultation", "Peer support"],
            "quote": "=young people led the sessions",
            "location": "p. 7",
        },
    )
    chart(b, v1, lead, kind="consensus", country="Scotland", setting="+residential care")
    chart(d, v2, reviewer, country="Kenya")
    return {"a": a, "b": b, "c": c, "d": d}


@pytest.fixture
def coded(review, lead, reviewer):
    """T1 (RQ1) with sub-code T1.1; two studies, one labelled like a formula; three quotes."""
    rq1 = QuestionFactory(review=review, number=1, text="How do young people take part?")
    t1 = save_code(review=review, by=lead, code="T1", label="Voice", order=1, questions=[rq1])
    t11 = save_code(review=review, by=lead, code="T1.1", label="Being heard", parent=t1, order=1)
    adams = included_study(review, "Adams 2010")
    odd = included_study(review, "@Odd 2012")
    add_quote(study=adams, code=t11, by=reviewer, quote="they listened", location="p. 4")
    add_quote(study=adams, code=t1, by=reviewer, quote="=our say", page_number=9)
    add_quote(study=odd, code=t11, by=reviewer, quote="heard at last")
    return {"T1": t1, "T1.1": t11}
