"""Charting in bench/load.py: a chart form and included studies seeded in set-up, reviewer
clients autosaving chart values (5 % of saves sent twice), and the end-of-run comparison of
the clients' log with the database (0 lost, 0 duplicated values or history rows)."""

from __future__ import annotations

import random
import re
import time
from collections import Counter, defaultdict

REVISION = re.compile(rb'id="chart-revision" value="(\d+)"')
SAVED = b'data-testid="save-status">Saved'
FIELDS = ("design", "sample")


def seed(review, lead, reviewers: list, studies: int) -> dict[str, list[int]]:
    """A two-charter form and `studies` included studies, each on one of the review's records
    decided include by two reviewers through the service (so the screening invariants of the
    whole review still hold). Returns each reviewer's studies: study i goes to reviewers i and
    i + 1, so pairs chart the same study at the same time."""
    from django.db import transaction

    from extraction.models import ChartForm, FormField, FormSection
    from reviewapp.models import Stage
    from screening.models import Record, Study
    from screening.services.decisions import record_decision

    form = ChartForm.objects.create(review=review, version=1, charters_per_study=2,
                                    created_by=lead)  # fmt: skip
    section = FormSection.objects.create(form=form, key="general", title="General", order=0)
    FormField.objects.create(section=section, key="design", label="Design", type="short_text")
    FormField.objects.create(section=section, key="sample", label="Sample", type="integer",
                             order=1)  # fmt: skip
    records = Record.objects.filter(review=review).order_by("-id")[:studies]
    assigned: dict[str, list[int]] = defaultdict(list)
    for i, record_id in enumerate(records.values_list("pk", flat=True)):
        pair = [reviewers[i % len(reviewers)], reviewers[(i + 1) % len(reviewers)]]
        with transaction.atomic():
            for user in pair:
                record_decision(review=review, record_id=record_id, reviewer=user,
                                stage=Stage.TITLE_ABSTRACT, value="include")  # fmt: skip
            study = Study.objects.create(review=review, label=f"Bench study {i + 1}")
            Record.objects.filter(pk=record_id).update(retrieval="retrieved", ft_status="include",
                                                       study=study)  # fmt: skip
        for user in pair:
            assigned[user.username].append(study.pk)
    return assigned


class Charter:
    """One reviewer's charting tab: autosaves of their studies in turn, a short pause between
    saves (typing). Every save types new values, so each acknowledged save adds one history row
    per field; the identical second send of a double click must add none."""

    def __init__(self, client, slug: str, studies: list[int], send):
        self.client, self.slug, self.studies, self.send = client, slug, studies, send
        self.revision: dict[int, int] = {}
        self.acked: dict[int, dict[str, str]] = {}  # study: the last acknowledged values
        self.acked_saves: Counter = Counter()  # study: saves answered "Saved"
        self.unsure: dict[int, list[dict[str, str]]] = defaultdict(list)  # sent, no answer
        self.saves = self.doubles = self.refused = 0
        self.errors: Counter = Counter()

    def url(self, study: int, save: bool = False) -> str:
        tail = "save/" if save else ""
        return f"/reviews/{self.slug}/extraction/studies/{study}/{tail}"

    def sync(self, study: int) -> None:
        """The chart page's revision (the page a reviewer reloads after a refusal)."""
        status, body = self.send("chart GET", self.url(study))
        found = REVISION.search(body) if status == 200 else None
        if found is None:
            self.errors[f"GET {status}"] += 1
        self.revision[study] = int(found.group(1)) if found else 0

    def save(self, study: int, n: int, rng: random.Random) -> None:
        values = {"design": f"{self.client.username} study {study} save {n}", "sample": str(n)}
        form = {**values, "revision": str(self.revision[study])}
        headers = {"HX-Request": "true", "X-CSRFToken": self.client.csrf()}
        try:
            status, body = self.send("chart save POST", self.url(study, True), form, headers)
        except OSError as error:  # no answer: this save may or may not be stored
            self.errors[type(error).__name__] += 1
            self.unsure[study].append(values)
            self.sync(study)
            return
        if status == 200 and SAVED in body:
            self.saves += 1
            self.acked[study], self.acked_saves[study] = values, self.acked_saves[study] + 1
            self.revision[study] = int(REVISION.search(body).group(1))
            if rng.random() < 0.05:
                self.double(study, form, headers)
            return
        if status in (400, 409):
            self.refused += 1  # a stale page or a chart that cannot change: the page says so
        else:
            self.errors[f"POST {status}"] += 1
            if status >= 500:
                self.unsure[study].append(values)
        self.sync(study)

    def double(self, study: int, form: dict, headers: dict) -> None:
        """The same save again (its old revision): it changes nothing, so it is accepted."""
        self.doubles += 1
        status, body = self.send("chart save POST (double)", self.url(study, True), form, headers)
        if status != 200 or SAVED not in body:
            self.errors[f"double POST {status}"] += 1
            self.sync(study)

    def run(self, deadline: float, seed: int) -> None:
        rng = random.Random(seed)
        try:
            for study in self.studies:
                self.sync(study)
            n = 0
            while self.studies and time.perf_counter() < deadline:
                n += 1
                self.save(self.studies[n % len(self.studies)], n, rng)
                time.sleep(rng.uniform(0.5, 1.5))
        except Exception as error:  # counted and reported; the other clients go on
            self.errors[f"{type(error).__name__}: {error}"] += 1


def compare(review, charters: list[Charter], users: dict) -> dict:
    """The clients' log against the database. Lost: an acknowledged last value not stored (a
    later save sent without an answer may have replaced it), or fewer history rows than
    acknowledged saves. Duplicated: two charts of one study by one reviewer, two value rows of
    one field, or more history rows than saves sent."""
    from django.db.models import Count

    from extraction.models import Chart, ChartValue, ChartValueChange

    charts = Chart.objects.filter(study__review=review, kind=Chart.Kind.REVIEWER)
    twice = charts.values("study_id", "charted_by_id").annotate(n=Count("id")).filter(n__gt=1)
    values = ChartValue.objects.filter(chart__in=charts).select_related("chart", "field")
    stored = {(v.chart.charted_by_id, v.chart.study_id, v.field.key): v.draft for v in values}
    rows = Counter((v.chart.charted_by_id, v.chart.study_id, v.field.key) for v in values)
    history = Counter(
        ChartValueChange.objects.filter(value__in=values)
        .values_list("value__chart__charted_by_id", "value__chart__study_id", "value__field__key")
    )  # fmt: skip
    lost = duplicated = 0
    for charter in charters:
        user = users[charter.client.username].pk
        for study, last in charter.acked.items():
            unsure = charter.unsure.get(study, [])
            for key in FIELDS:
                allowed = {last[key], *(v[key] for v in unsure)}
                saves = charter.acked_saves[study]
                lost += stored.get((user, study, key)) not in allowed
                lost += history[(user, study, key)] < saves
                duplicated += history[(user, study, key)] > saves + len(unsure)
    duplicated += sum(n - 1 for n in rows.values() if n > 1) + twice.count()
    return {"chart_values": len(stored), "chart_lost": lost, "chart_duplicated": duplicated,
            "chart_history": sum(history.values())}  # fmt: skip
