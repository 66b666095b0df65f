"""Forms of the extraction app."""

from __future__ import annotations

from django import forms

from .exports.kinds import KINDS, LABELS


def export_choices() -> list[tuple[str, str]]:
    return [
        (f"{kind}.{fmt}", f"{LABELS[kind]} ({fmt.upper()})")
        for kind, formats in KINDS.items()
        for fmt in formats
    ]


class ExportForm(forms.Form):
    export = forms.ChoiceField(label="Export", choices=export_choices)
    bom = forms.BooleanField(
        label="Byte-order mark for Excel (CSV)",
        required=False,
        help_text="Excel reads accented letters right only with it.",
    )
    per_reviewer = forms.BooleanField(
        label="One row per reviewer's chart (extraction table)",
        required=False,
        help_text="Without it, the table holds the agreed (consensus) values.",
    )

    def clean(self) -> dict:
        data = super().clean()
        if "export" in data:
            data["kind"], data["fmt"] = data["export"].split(".", 1)
        return data
