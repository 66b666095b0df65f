"""The demo review's charting form and theme codebook, loaded once (PROTOCOL.md).

Each is loaded only while the review has none: after that they are the lead's, and seeding
again (as `make run` does on every start) never brings back a field or code the lead removed.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from extraction.models import ChartForm, Code, FormField, FormSection
from extraction.services.themes import load_codebook
from reviewapp.models import Review

from . import protocol as demo


@transaction.atomic
def seed_chart_form(review: Review, by: AbstractBaseUser) -> ChartForm | None:
    """Version 1 of the protocol's form, unless the review has a form already (then None)."""
    if ChartForm.objects.filter(review=review).exists():
        return None
    form = ChartForm.objects.create(review=review, version=1, created_by=by)
    questions = {q.number: q for q in review.questions.all()}
    switch = None
    for order, (key, title, number, fields) in enumerate(demo.CHART_SECTIONS):
        section = FormSection.objects.create(
            form=form,
            key=key,
            title=title,
            order=order,
            question=questions.get(number),
            depends_on=switch if number else None,
            depends_on_choice=f"RQ{number}" if number else "",
        )
        FormField.objects.bulk_create(
            FormField(section=section, order=n, **spec) for n, spec in enumerate(fields, start=1)
        )
        switch = (
            switch or FormField.objects.filter(section__form=form, key=demo.SECTION_SWITCH).first()
        )
    return form


def seed_codebook(review: Review, by: AbstractBaseUser) -> list[Code]:
    """The protocol's codebook, unless the review has codes already (then nothing)."""
    if Code.objects.filter(review=review).exists():
        return []
    return load_codebook(review=review, by=by, codes=demo.CODEBOOK)
