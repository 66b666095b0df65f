"""The data dictionary of the extraction table: one row per field of every form version, saying
which table column holds it, what it asks, its type, choices and whether it takes a quote.

(The themes' codebook joins it once the theme models land; until then it covers chart fields.)
"""

from __future__ import annotations

from collections.abc import Iterator

from ..models import FormField
from .base import ExportContext
from .csvsafe import write_csv
from .table import table_layout
from .xlsx import write_xlsx

DICTIONARY_HEADER = [
    "form_version",
    "section",
    "section_title",
    "question",
    "column",
    "key",
    "label",
    "type",
    "required",
    "choices",
    "takes_quote",
    "quote_columns",
    "shown_when",
    "help_text",
]


def dictionary_rows(ctx: ExportContext) -> Iterator[list]:
    """The fields, newest form version first, in the form's order."""
    columns = table_layout(ctx).columns
    headers = {(c.section, c.field): c.header for c in columns if c.part == "value"}
    fields = (
        FormField.objects.filter(section__form__review=ctx.review)
        .select_related("section__form", "section__question", "section__depends_on")
        .order_by("-section__form__version", "section__order", "order", "id")
    )
    for f in fields:
        section = f.section
        column = headers[(section.key, f.key)]
        shown_when = (
            f"{section.depends_on.key} includes {section.depends_on_choice}"
            if section.depends_on
            else ""
        )
        yield [
            section.form.version,
            section.key,
            section.title,
            f"{section.question.label}: {section.question.text}" if section.question else "",
            column,
            f.key,
            f.label,
            f.get_type_display(),
            "yes" if f.required else "no",
            "; ".join(str(choice) for choice in f.choices),
            "yes" if f.takes_quote else "no",
            f"{column}:quote; {column}:page" if f.takes_quote else "",
            shown_when,
            f.help_text,
        ]


def write_dictionary_csv(handle, ctx: ExportContext) -> int:
    return write_csv(handle, DICTIONARY_HEADER, dictionary_rows(ctx), bom=ctx.bom)


def write_dictionary_xlsx(handle, ctx: ExportContext) -> int:
    return write_xlsx(handle, [("Data dictionary", DICTIONARY_HEADER, dictionary_rows(ctx))])
