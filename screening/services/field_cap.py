"""Overlong fields of imported records are cut, and the import summary names each record.

An abstract of 5 MB is a mistake in the export (a whole thesis pasted, a broken record that
swallowed the rest of the file), not text anyone screens: stored whole, it would slow every
page that shows it. The record keeps the field's first IMPORT_MAX_FIELD_CHARS characters, and
the same cut is made in its ``raw`` copy of the export (so the two still compact together).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from ..importers import ParsedRecord

TEXT_FIELDS = ("title", "abstract", "journal", "url")  # the columns with no length of their own
LIST_FIELDS = ("authors", "keywords")
NOTES_SHOWN = 10  # a file of broken records reports the first few and how many more


class FieldCap:
    """Cuts fields longer than `limit` on records as they stream past, noting each record."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.notes: list[str] = []
        self.records_cut = 0

    def records(self, records: Iterable[ParsedRecord]) -> Iterator[ParsedRecord]:
        """The records, each cut where needed (numbered 1.. in file order, as the import is)."""
        for number, record in enumerate(records, start=1):
            cuts = self._cut(record)
            if cuts:
                self._note(number, record, cuts)
            yield record

    def _cut(self, record: ParsedRecord) -> list[tuple[str, int]]:
        limit = self.limit
        cuts = []
        for name in TEXT_FIELDS:
            value = getattr(record, name)
            if len(value) > limit:
                cuts.append((name, len(value)))
                setattr(record, name, value[:limit])
        for name in LIST_FIELDS:
            values = getattr(record, name)
            if any(len(v) > limit for v in values):
                cuts.append((name, max(map(len, values))))
                setattr(record, name, [v[:limit] for v in values])
        raw_cuts: list[tuple[str, int]] = []
        if _has_long(record.raw, limit):  # (a walk without copies: the usual record is fine)
            record.raw = _cut_value(record.raw, limit, raw_cuts, key="")
        # The raw copy of a cut column says nothing new; a field only raw holds is named.
        return cuts or [(f"the export's field '{key}'", size) for key, size in raw_cuts]

    def _note(self, number: int, record: ParsedRecord, cuts: list[tuple[str, int]]) -> None:
        self.records_cut += 1
        if len(self.notes) >= NOTES_SHOWN:
            return
        title = record.title[:60] + ("…" if len(record.title) > 60 else "")
        what = "; ".join(
            f"{name} truncated from {size:,} to {self.limit:,} characters" for name, size in cuts
        )
        self.notes.append(f"record {number} ({title or 'no title'}): {what}")

    def summary(self) -> list[str]:
        """One line a record cut (the first NOTES_SHOWN), then how many more."""
        more = self.records_cut - len(self.notes)
        tail = [f"…and {more:,} more records with fields truncated"] if more else []
        return self.notes + tail


def _has_long(value: Any, limit: int) -> bool:
    kind = type(value)
    if kind is str:
        return len(value) > limit
    if kind is list:
        return any(_has_long(v, limit) for v in value)
    if kind is dict:
        return any(_has_long(v, limit) for v in value.values())
    return False


def _cut_value(value: Any, limit: int, cuts: list[tuple[str, int]], key: str) -> Any:
    """`value` (raw: dicts, lists, strings) with every string over `limit` cut; cuts noted by
    top-level key."""
    kind = type(value)
    if kind is str:
        if len(value) > limit:
            cuts.append((key, len(value)))
            return value[:limit]
        return value
    if kind is list:
        return [_cut_value(v, limit, cuts, key) for v in value]
    if kind is dict:
        return {k: _cut_value(v, limit, cuts, key or str(k)) for k, v in value.items()}
    return value
