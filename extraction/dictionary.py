"""The data dictionary (PRISMA-ScR item 11): every field of the charting form and every code of
the codebook, with what it means. Fields are the union over all form versions (as the extraction
table's columns are): the current version's, then in each section the keys only older versions
have, each row naming the versions its key appears in.

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
    form_version: int | None = None  # the version this row describes (the newest with the key)
    versions: str = ""  # "; "-joined: every version that has the key
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
            versions=f.get("versions", ""),
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


def field_versions(review) -> dict[tuple[str, str], list[int]]:
    """Each (section key, field key) of any form version: the versions having it, newest first."""
    from .models import FormField

    pairs = (
        FormField.objects.filter(section__form__review=review)
        .order_by("-section__form__version")
        .values_list("section__key", "key", "section__form__version")
    )
    versions: dict[tuple[str, str], list[int]] = {}
    for section, key, version in pairs:
        found = versions.setdefault((section, key), [])
        if version not in found:
            found.append(version)
    return versions


def _union_fields(review) -> list:
    """One field per key over every version (its newest), in the current form's order; a key only
    older versions have comes after its section's current fields (or after every current section
    when its section is gone)."""
    from .models import FormField

    fields = (
        FormField.objects.filter(section__form__review=review)
        .select_related("section__form", "section__depends_on")
        .order_by("-section__form__version", "section__order", "section_id", "order", "id")
    )
    newest: dict[tuple[str, str], FormField] = {}
    for f in fields:
        newest.setdefault((f.section.key, f.key), f)
    by_section: dict[str, list] = {}
    for f in newest.values():  # already newest version first, each version in form order
        by_section.setdefault(f.section.key, []).append(f)
    return [f for group in by_section.values() for f in group]


def data_dictionary(review) -> list[DictionaryRow]:
    """The review's dictionary: the fields of every form version (one row per key), then the
    codebook (merged codes left out: their quotes now sit under the code they were merged into)."""
    from .models import Code

    versions = field_versions(review)
    form_fields = _union_fields(review)
    codes = Code.objects.filter(review=review, merged_into__isnull=True).prefetch_related(
        "questions"
    )
    return build_data_dictionary(
        fields_in=[field_entry(f, versions) for f in form_fields],
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


def field_entry(f, versions: dict[tuple[str, str], list[int]]) -> dict:
    """A form field as build_data_dictionary takes it (`versions`: field_versions)."""
    return {
        "section": f.section.title,
        "key": f.key,
        "label": f.label,
        "type": f.get_type_display(),
        "choices": f.choices if f.has_choices else [],
        "required": f.required,
        "help_text": f.help_text,
        "shown_when": _shown_when(f.section),
        "takes_quote": f.takes_quote,
        "form_version": f.section.form.version,
        "versions": "; ".join(str(v) for v in versions[(f.section.key, f.key)]),
    }


def _shown_when(section) -> str:
    if section.depends_on is None:
        return ""
    return f"{section.depends_on.key} includes {section.depends_on_choice}"
