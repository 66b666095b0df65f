"""The data dictionary (PRISMA-ScR item 11): every field of the current charting form and every
code of the codebook, with what it means.

`build_data_dictionary` is pure; `data_dictionary(review)` reads the review and calls it. The
page and the dictionary export both use it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import astuple, dataclass, fields

from .themes_table import code_tree


@dataclass(frozen=True)
class DictionaryRow:
    """One field or one code; what does not apply to the kind is blank."""

    kind: str  # "field" or "code"
    section: str  # a field's section title; "Codebook" for codes
    key: str  # the field's key (an export column) or the code, e.g. T1.2
    label: str
    type: str  # a field's type label; "Code" or "Sub-code"
    choices: str = ""  # "; "-joined, in order
    required: bool = False
    help_text: str = ""  # a field's help; a code's definition
    shown_when: str = ""  # a dependent section's condition, e.g. "rq_relevance includes RQ1"
    takes_quote: bool = False
    form_version: int | None = None
    parent: str = ""
    include_when: str = ""
    exclude_when: str = ""
    questions: str = ""  # "; "-joined question labels
    status: str = ""

    @classmethod
    def header(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    def as_list(self) -> list:
        return list(astuple(self))


def build_data_dictionary(
    *, fields_in: Sequence[dict], codes_in: Sequence[dict]
) -> list[DictionaryRow]:
    """Rows from plain dicts: fields (in form order) and codes (any order; listed as a tree)."""
    rows = [
        DictionaryRow(
            kind="field",
            section=f["section"],
            key=f["key"],
            label=f["label"],
            type=f["type"],
            choices="; ".join(str(c) for c in f["choices"]),
            required=f["required"],
            help_text=f["help_text"],
            shown_when=f["shown_when"],
            takes_quote=f["takes_quote"],
            form_version=f["form_version"],
        )
        for f in fields_in
    ]
    nodes = [_Node(c) for c in codes_in]
    codes_by_id = {c["id"]: c for c in codes_in}
    for node, depth in code_tree(nodes):
        c = node.data
        parent = codes_by_id.get(c["parent_id"])
        rows.append(
            DictionaryRow(
                kind="code",
                section="Codebook",
                key=c["code"],
                label=c["label"] + (" (retired)" if c["retired"] else ""),
                type="Sub-code" if depth else "Code",
                help_text=c["definition"],
                parent=parent["code"] if parent else "",
                include_when=c["include_when"],
                exclude_when=c["exclude_when"],
                questions="; ".join(c["questions"]),
                status=c["status"],
            )
        )
    return rows


class _Node:
    """A code dict seen as a tree node for code_tree."""

    def __init__(self, data: dict) -> None:
        self.data = data
        self.id, self.parent_id = data["id"], data["parent_id"]
        self.order, self.code = data["order"], data["code"]


def current_form(review):
    """The review's charting form as charted now: its highest version (None before any)."""
    from .models import ChartForm

    return ChartForm.objects.filter(review=review).order_by("-version").first()


def data_dictionary(review) -> list[DictionaryRow]:
    """The review's dictionary: the current form's fields, then the codebook (merged codes left
    out: their quotes now sit under the code they were merged into)."""
    from .models import Code, FormField

    form = current_form(review)
    form_fields = (
        FormField.objects.filter(section__form=form)
        .select_related("section__depends_on")
        .order_by("section__order", "section_id", "order", "id")
        if form
        else []
    )
    codes = Code.objects.filter(review=review, merged_into__isnull=True).prefetch_related(
        "questions"
    )
    return build_data_dictionary(
        fields_in=[
            {
                "section": f.section.title,
                "key": f.key,
                "label": f.label,
                "type": f.get_type_display(),
                "choices": f.choices if f.has_choices else [],
                "required": f.required,
                "help_text": f.help_text,
                "shown_when": _shown_when(f.section),
                "takes_quote": f.takes_quote,
                "form_version": form.version,
            }
            for f in form_fields
        ],
        codes_in=[
            {
                "id": c.pk,
                "parent_id": c.parent_id,
                "order": c.order,
                "code": c.code,
                "label": c.label,
                "retired": c.retired,
                "definition": c.definition,
                "include_when": c.include_when,
                "exclude_when": c.exclude_when,
                "questions": [
                    q.label for q in sorted(c.questions.all(), key=lambda q: (q.number, q.pk))
                ],
                "status": c.get_status_display(),
            }
            for c in codes
        ],
    )


def _shown_when(section) -> str:
    if section.depends_on is None:
        return ""
    return f"{section.depends_on.key} includes {section.depends_on_choice}"
