"""Made-up records for the CSE participation demo review, so that a newcomer has something to
screen: a few hundred titles and abstracts on the review's topic (and off it, as real searches
bring), three database exports with overlaps for dedup, decisions by reviewer1 and reviewer2 with
some conflicts, a handful of records at full text with generated PDFs, and highlighted terms.

None of these records is a real publication: they are generated from templates with a fixed
seed (the same records every time), their source says so, and they carry no DOI or PMID that
could point at a real paper. They are seeded only into a review this run creates, never into one
a team already works in.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import SimpleUploadedFile

from extraction.services.charting import study_for_report
from reviewapp.models import Review, Stage
from screening.models import Record
from screening.services.decisions import record_decision
from screening.services.fulltext import attach_pdf, mark_not_retrieved
from screening.services.imports import SourceFields, import_records

SEED = 2016
SOURCE_NOTE = "Invented for the demo: not real publications."
INCLUDE_TERMS = "particip*\nvoice\ninvolv*\nco-produc*\nsexual exploitation\nyoung people"
EXCLUDE_TERMS = "adult*\nlabour\nsport*\nalgorithm*\nprevalence"
# (source name, platform, how many records, how many repeat records of the sources before it)
SOURCES = [
    ("ASSIA (demo)", "ProQuest", 190, 0),
    ("Social Care Online (demo)", "SCIE", 150, 25),
    ("Web of Science (demo)", "Clarivate", 110, 20),
]
SCREENED_BY_BOTH = 70  # the first records of the queue, decided by reviewer1 and reviewer2
CONFLICT_EVERY = 9  # one in nine of those, the two disagree

# Common surnames only: no real author of this field is put on a paper they did not write.
SURNAMES = [
    "Ahmed",
    "Barnes",
    "Carter",
    "Clarke",
    "Davies",
    "Evans",
    "Green",
    "Hall",
    "Harris",
    "Hughes",
    "Jones",
    "Khan",
    "Lewis",
    "Mensah",
    "Morgan",
    "Nolan",
    "Okafor",
    "Patel",
    "Quinn",
    "Roberts",
    "Scott",
    "Singh",
    "Taylor",
    "Thomas",
    "Walker",
    "Wood",
    "Wright",
]
JOURNALS = [
    "Child Abuse Review",
    "Children & Society",
    "British Journal of Social Work",
    "Child & Family Social Work",
    "Journal of Adolescence",
    "Youth Justice",
    "Practice: Social Work in Action",
    "Journal of Children's Services",
    "Safer Communities",
]
GREY = ["Report, Office of the Children's Commissioner", "Report, Barnardo's", "Briefing, NWG"]

PARTICIPATION = [
    "participation",
    "involvement",
    "voice",
    "co-production",
    "peer support",
    "youth advisory groups",
    "shared decision-making",
    "consultation",
]
SETTINGS = [
    "specialist CSE services",
    "children's social care",
    "multi-agency safeguarding hubs",
    "residential children's homes",
    "voluntary-sector CSE projects",
    "police investigations of child sexual exploitation",
    "sexual health services for young people",
]
PROCESSES = [
    "assessment",
    "care planning",
    "child protection conferences",
    "looked-after reviews",
    "return home interviews",
    "strategy meetings",
]
GROUPS = [
    "young people affected by sexual exploitation",
    "sexually exploited young women",
    "boys and young men at risk of CSE",
    "care-experienced young people at risk of CSE",
    "young people who go missing",
    "LGBTQ+ young people affected by CSE",
]
DESIGNS = [
    ("qualitative", "semi-structured interviews with {n} young people and {m} practitioners"),
    ("mixed-methods", "a survey of {m} professionals and focus groups with {n} young people"),
    ("participatory", "creative workshops co-designed with {n} young people"),
    ("case-file", "an analysis of {m} case files and interviews with {n} young people"),
    ("evaluation", "a two-year evaluation of a service with {n} young people"),
]
FINDINGS = [
    "Young people valued workers who listened, explained decisions and kept them informed.",
    "Participation was often reduced to attendance at meetings rather than influence over plans.",
    "Professionals described tension between protecting young people and respecting their views.",
    "Trusted relationships were the condition most often named for meaningful involvement.",
    "Young people's accounts were rarely recorded in their own words in assessments.",
    "Peer-led groups helped young people shape service design and training for staff.",
    "Where young people felt blamed, they withdrew from planning and review processes.",
    "Policy guidance required the child's voice but gave little detail on how to achieve it.",
]
# What a broad search brings that the review does not want: (topic, who) pairs and title forms.
OFF_TOPICS = [
    ("access to health services", "adult sex workers"),
    ("labour trafficking", "adult migrants in construction"),
    ("sport participation and wellbeing", "adolescents in secondary schools"),
    ("detection algorithms for online grooming", "chat-log data sets"),
    ("prevalence of childhood sexual abuse", "a national birth cohort"),
    ("parental involvement in homework", "parents of primary pupils"),
    ("participation in local elections", "first-time voters"),
    ("workplace engagement", "adult social workers"),
    ("domestic abuse and housing", "adult survivors"),
    ("substance use treatment retention", "adults in community services"),
]
OFF_FORMS = [
    "{Topic} among {who} in {city}",
    "{Topic} among {who}: a {year}-wave panel study in {city}",
    "{Topic} in {city}: a cross-sectional survey of {who}",
    "What shapes {topic}? Evidence from {who} in {city}",
]
CITIES = [
    "Rotherham",
    "Oxford",
    "Rochdale",
    "Telford",
    "Bristol",
    "Glasgow",
    "Cardiff",
    "Leeds",
    "Belfast",
    "Norwich",
    "Plymouth",
    "Newcastle",
    "Leicester",
    "Swansea",
]
SUBTITLES = [
    "",
    ": a {design} study",
    ": findings from {city}",
    ": lessons from a {year}-year programme",
    ": practitioners' and young people's accounts",
    " in {city}",
]
TITLE_FORMS = [
    "{Part} in {setting}: the perspectives of {group}",
    "'They never asked me': {group} on {process}",
    "Hearing the voice of the child in {process}: a {design} study in {city}",
    "Making {part} meaningful for {group}",
    "From consultation to influence: {part} in {setting}",
    "{Part}, risk and protection: practitioners' views in {setting}",
    "Young people as partners in {setting}: lessons from {city}",
]


@dataclass
class MadeUp:
    title: str
    abstract: str
    authors: list[str]
    year: int
    journal: str
    keywords: list[str]
    relevant: bool


def _authors(rng: random.Random) -> list[str]:
    return [
        f"{rng.choice(SURNAMES)}, {rng.choice('ABCDEGHJKLMNPRST')}."
        for _ in range(rng.randint(1, 4))
    ]


def _on_topic(rng: random.Random) -> MadeUp:
    part, setting, group = rng.choice(PARTICIPATION), rng.choice(SETTINGS), rng.choice(GROUPS)
    process, city = rng.choice(PROCESSES), rng.choice(CITIES)
    design, method = rng.choice(DESIGNS)
    title = rng.choice(TITLE_FORMS).format(
        Part=part.capitalize(),
        part=part,
        setting=setting,
        group=group,
        process=process,
        design=design,
        city=city,
    )
    findings = " ".join(rng.sample(FINDINGS, 2))
    abstract = (
        f"Background: policy in England asks that {group} take part in decisions about their "
        f"care, yet little is known about {part} in {setting}. Aim: to explore how {part} is "
        f"understood and practised in {process}. Methods: {design} study in {city} using "
        f"{method.format(n=rng.randint(6, 40), m=rng.randint(8, 120))}. Findings: {findings} "
        f"Conclusions: {part} depends on time, trust and organisational support; implications "
        f"for practice with young people affected by child sexual exploitation are discussed."
    )
    if ":" not in title:
        title += rng.choice(SUBTITLES).format(design=design, city=city, year=rng.randint(2, 5))
    elif city not in title:
        title += rng.choice(["", f" in {city}", f" ({rng.choice(CITIES)} and {city})"])
    return MadeUp(
        title=title,
        abstract=abstract,
        authors=_authors(rng),
        year=rng.choice(range(2001, 2019)),  # some after April 2016: outside the date range
        journal=rng.choice(JOURNALS + GREY),
        keywords=["child sexual exploitation", part, process],
        relevant=True,
    )


def _off_topic(rng: random.Random) -> MadeUp:
    topic, who = rng.choice(OFF_TOPICS)
    city = rng.choice(CITIES)
    title = rng.choice(OFF_FORMS).format(
        Topic=topic.capitalize(), topic=topic, who=who, city=city, year=rng.randint(2, 6)
    )
    abstract = (
        f"This study examines {topic} among {who} in {city}. Data from {rng.randint(50, 5000)} "
        f"participants were analysed with {rng.choice(['regression', 'multilevel', 'survival'])} "
        "models. Associations were small once deprivation was accounted for. Results are "
        "compared with earlier studies and implications for policy are outlined."
    )
    return MadeUp(
        title=title,
        abstract=abstract,
        authors=_authors(rng),
        year=rng.choice(range(1995, 2017)),
        journal=rng.choice(JOURNALS),
        keywords=[topic, who],
        relevant=False,
    )


def made_up_records(count: int, rng: random.Random) -> list[MadeUp]:
    """`count` records, about two in three on the review's topic (searches bring noise too)."""
    return [_on_topic(rng) if rng.random() < 0.65 else _off_topic(rng) for _ in range(count)]


def as_ris(records: list[MadeUp]) -> bytes:
    """The records as a RIS export, as the databases would give them."""
    lines = []
    for r in records:
        kind = "RPRT" if r.journal in GREY else "JOUR"
        lines += [f"TY  - {kind}", f"TI  - {r.title}", *(f"AU  - {a}" for a in r.authors)]
        lines += [f"PY  - {r.year}", f"T2  - {r.journal}", f"AB  - {r.abstract}"]
        lines += [*(f"KW  - {k}" for k in r.keywords), f"N1  - {SOURCE_NOTE}", "ER  - ", ""]
    return "\n".join(lines).encode("utf-8")


def demo_pdf(title: str, lines: list[str]) -> bytes:
    """A one-page PDF with the title and a few lines of text (Helvetica, no fonts embedded)."""

    def text(s: str) -> str:
        return (
            s.encode("latin-1", "replace")
            .decode("latin-1")
            .replace("\\", "\\\\")
            .replace("(", "\\(")
            .replace(")", "\\)")
        )

    body = ["BT", "/F1 15 Tf", "56 780 Td", "18 TL"]
    body += [f"({text(line)}) '" for line in _wrap(title, 60)[:3]]
    body += ["/F1 10 Tf"]
    for line in ["", SOURCE_NOTE, "", *lines]:
        body += ["0 -16 Td", f"({text(line[:100])}) Tj"]
    stream = "\n".join([*body, "ET"]).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _wrap(words: str, width: int = 95) -> list[str]:
    lines, line = [], ""
    for word in words.split():
        if len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line]


def seed_cse_records(*, review: Review, users: dict[str, AbstractBaseUser]) -> int:
    """Import the made-up records into a new demo review and screen some; returns how many."""
    rng = random.Random(SEED)  # noqa: S311  (made-up text, the same every time: not secrets)
    if not review.include_terms and not review.exclude_terms:
        review.include_terms, review.exclude_terms = INCLUDE_TERMS, EXCLUDE_TERMS
        review.save(update_fields=["include_terms", "exclude_terms"])
    made: list[MadeUp] = []
    for name, platform, count, repeats in SOURCES:
        batch = rng.sample(made, repeats) + made_up_records(count - repeats, rng)
        import_records(
            review=review,
            data=as_ris(batch),
            file_name=f"{name.split(' (')[0].lower().replace(' ', '-')}-demo.ris",
            source_fields=SourceFields(name=name, platform=platform, notes=SOURCE_NOTE),
            by=users["lead"],
        )
        made += batch[repeats:]
    truth = {m.title: m for m in made}
    _screen(review, users, truth)
    return len(made) + sum(s[3] for s in SOURCES)


def _verdict(m: MadeUp | None) -> str:
    if m is None or not m.relevant or m.year > 2016:
        return "exclude"
    return "include"


def _screen(review: Review, users: dict, truth: dict[str, MadeUp]) -> None:
    """reviewer1 and reviewer2 screen the first records; a few at full text with PDFs."""
    first = list(Record.objects.in_review(review).unique().order_by("pk")[:SCREENED_BY_BOTH])
    reasons = {r.code: r for r in review.reasons.all()}
    for n, record in enumerate(first):
        meant = _verdict(truth.get(record.title))
        for who in ("reviewer1", "reviewer2"):
            value = meant
            if who == "reviewer2" and n % CONFLICT_EVERY == CONFLICT_EVERY - 1:
                value = "maybe" if meant == "include" else "include"  # a conflict for the lead
            reason = None
            if value == "exclude":
                reason = reasons.get("EX-DATE" if record.year and record.year > 2016 else "EX-CTX")
            record_decision(
                review=review,
                record_id=record.pk,
                stage=Stage.TITLE_ABSTRACT,
                reviewer=users[who],
                value=value,
                reason=reason,
            )
    included = list(Record.objects.in_review(review).unique().filter(ta_status="include"))
    for n, record in enumerate(included[:7]):
        if n == 6:
            mark_not_retrieved(review=review, record=record, note="Demo: the library had no copy.")
            continue
        pdf = demo_pdf(record.title, _wrap(record.abstract))
        upload = SimpleUploadedFile(f"demo-fulltext-{n + 1}.pdf", pdf, "application/pdf")
        attach_pdf(review=review, record=record, upload=upload, kind="report", by=users["lead"])
    # Four full texts decided already: three agreed includes, ready to chart as studies (so the
    # charting and themes pages have something to show), and one conflict for the lead.
    for n, record in enumerate(included[:4]):
        for who in ("reviewer1", "reviewer2"):
            value, reason = "include", None
            if n == 1 and who == "reviewer2":
                value, reason = "exclude", reasons["EX-RQ"]
            record_decision(
                review=review,
                record_id=record.pk,
                stage=Stage.FULL_TEXT,
                reviewer=users[who],
                value=value,
                reason=reason,
            )
        if n != 1:
            study_for_report(review=review, record_id=record.pk, by=users["lead"])
