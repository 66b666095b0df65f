"""Chart values, one pair of pure functions per field type: parse what was typed, and serialise
a stored value back into what the form shows.

Values are stored as JSON: text as str, integer as int, decimal as a str (exact, never a float),
date as an ISO str, single choice and ordinal as the chosen option, multiple choice as a list in
the options' order, yes/no as a bool. None is "not answered". No Django import: the same rules
serve the charting page, imports and exports.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

Raw = str | list[str] | None

SHORT_TEXT_MAX = 500
LONG_TEXT_MAX = 20000
INTEGER_LIMIT = 2**53  # what a JSON reader in any language keeps exactly
DECIMAL_DIGITS = 30
YES = frozenset({"yes", "y", "true", "1"})
NO = frozenset({"no", "n", "false", "0"})
# Control characters other than tab and newlines: PostgreSQL refuses NUL, and none belong in data.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Parsed:
    """The value a raw input stands for, or the message saying why it stands for none."""

    value: Any = None
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def _text(raw: Raw) -> str:
    if raw is None:
        return ""
    if isinstance(raw, list):
        raw = raw[-1] if raw else ""
    return CONTROL.sub("", str(raw)).strip()


def parse_short_text(raw: Raw, choices: Sequence[str]) -> Parsed:
    text = " ".join(_text(raw).split())
    if len(text) > SHORT_TEXT_MAX:
        return Parsed(error=f"Keep this under {SHORT_TEXT_MAX} characters (it has {len(text)}).")
    return Parsed(text or None)


def parse_long_text(raw: Raw, choices: Sequence[str]) -> Parsed:
    text = _text(raw).replace("\r\n", "\n")
    if len(text) > LONG_TEXT_MAX:
        return Parsed(error=f"Keep this under {LONG_TEXT_MAX} characters (it has {len(text)}).")
    return Parsed(text or None)


def parse_integer(raw: Raw, choices: Sequence[str]) -> Parsed:
    text = _text(raw).replace(",", "").replace(" ", "")
    if not text:
        return Parsed(None)
    if not re.fullmatch(r"[+-]?\d+", text):
        return Parsed(error="Enter a whole number, such as 42.")
    number = int(text)
    if abs(number) > INTEGER_LIMIT:
        return Parsed(error="That number is too large.")
    return Parsed(number)


def parse_decimal(raw: Raw, choices: Sequence[str]) -> Parsed:
    text = _text(raw).replace(" ", "")
    if not text:
        return Parsed(None)
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
        return Parsed(error="Enter a number, such as 12.5 (a point, not a comma, for decimals).")
    try:
        number = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid literals
        return Parsed(error="Enter a number, such as 12.5.")
    if len(number.as_tuple().digits) > DECIMAL_DIGITS:
        return Parsed(error=f"Use at most {DECIMAL_DIGITS} digits.")
    return Parsed(str(number))


def parse_date(raw: Raw, choices: Sequence[str]) -> Parsed:
    text = _text(raw)
    if not text:
        return Parsed(None)
    try:
        return Parsed(datetime.date.fromisoformat(text).isoformat())
    except ValueError:
        return Parsed(error="Enter a date as YYYY-MM-DD, such as 2013-06-30.")


def _one_of(text: str, choices: Sequence[str]) -> Parsed:
    if not text:
        return Parsed(None)
    if text not in choices:
        return Parsed(error=f"'{text}' is not one of the options.")
    return Parsed(text)


def parse_single_choice(raw: Raw, choices: Sequence[str]) -> Parsed:
    return _one_of(_text(raw), choices)


def parse_ordinal(raw: Raw, choices: Sequence[str]) -> Parsed:
    return _one_of(_text(raw), choices)


def parse_multiple_choice(raw: Raw, choices: Sequence[str]) -> Parsed:
    picked = raw if isinstance(raw, list) else ([raw] if raw else [])
    picked_set = {_text(item) for item in picked} - {""}
    unknown = sorted(picked_set - set(choices))
    if unknown:
        return Parsed(error=f"Not among the options: {', '.join(unknown)}.")
    # The options' order, not the click order: two charts with the same ticks compare equal.
    value = [choice for choice in choices if choice in picked_set]
    return Parsed(value or None)


def parse_yes_no(raw: Raw, choices: Sequence[str]) -> Parsed:
    text = _text(raw).lower()
    if not text:
        return Parsed(None)
    if text in YES:
        return Parsed(True)
    if text in NO:
        return Parsed(False)
    return Parsed(error="Answer yes or no.")


PARSERS: dict[str, Callable[[Raw, Sequence[str]], Parsed]] = {
    "short_text": parse_short_text,
    "long_text": parse_long_text,
    "integer": parse_integer,
    "decimal": parse_decimal,
    "date": parse_date,
    "single_choice": parse_single_choice,
    "multiple_choice": parse_multiple_choice,
    "ordinal": parse_ordinal,
    "yes_no": parse_yes_no,
}


def parse_value(field_type: str, raw: Raw, choices: Sequence[str] = ()) -> Parsed:
    """What `raw` (as typed or ticked) means for a field of this type, or a field error."""
    return PARSERS[field_type](raw, list(choices))


def to_initial(field_type: str, value: Any) -> str | list[str]:
    """A stored value as the form shows it, so that parse_value(to_initial(v)) == v."""
    if field_type == "multiple_choice":
        return [str(item) for item in value] if value else []
    if value is None:
        return ""
    if field_type == "yes_no":
        return "yes" if value else "no"
    return str(value)


def is_empty(value: Any) -> bool:
    """Not answered: the state a required field may not be left in."""
    return value is None or value == "" or value == []


def display(field_type: str, value: Any) -> str:
    """A value as one line of text for comparison tables and exports."""
    if is_empty(value):
        return ""
    if field_type == "multiple_choice":
        return "; ".join(value)
    return to_initial(field_type, value)  # type: ignore[return-value]
