"""Numbers from query strings and forms, parsed strictly: ASCII digits only, within bounds.

`str.isdigit()` accepts "²", "٣" and full-width digits, and `int()` turns some of those into
numbers and fails on others (a 500); a number past the database's integer range fails in the
query. Every number a request carries goes through here instead; a bad one is a 400 that says so.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import BadRequest

# The largest value a PostgreSQL integer column (ids, record numbers) holds.
MAX_INT = 2**31 - 1


class BadParameter(BadRequest):
    """A parameter that is not a number the page accepts; the middleware answers 400 with it."""


def parse_number(raw: str, *, low: int = 1, high: int = MAX_INT) -> int | None:
    """The number `raw` spells in ASCII digits if it lies in [low, high], else None."""
    raw = raw.strip()
    if not raw or not raw.isascii() or not raw.isdigit() or len(raw) > len(str(high)):
        return None
    value = int(raw)
    return value if low <= value <= high else None


def number_param(
    data, name: str, *, label: str | None = None, low: int = 1, high: int = MAX_INT
) -> int | None:
    """`data[name]` (a QueryDict) as a number; None when absent or empty; BadParameter if bad."""
    raw = data.get(name, "")
    if raw.strip() == "":
        return None
    value = parse_number(raw, low=low, high=high)
    if value is None:
        raise BadParameter(f"{label or name}: give a whole number from {low} to {high}.")
    return value


def number_list_param(data, name: str, *, label: str | None = None) -> list[int]:
    """Every value of `name` (ticked boxes) as numbers; BadParameter if any is not one."""
    values = [parse_number(raw) for raw in data.getlist(name)]
    if None in values:
        raise BadParameter(f"{label or name}: give whole numbers from 1 to {MAX_INT}.")
    return values


class NumberField(forms.IntegerField):
    """An IntegerField that takes ASCII digits only, from 1 to the database's integer range."""

    def __init__(self, *, low: int = 1, high: int = MAX_INT, **kwargs):
        self.low, self.high = low, high
        super().__init__(min_value=low, max_value=high, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        number = parse_number(str(value), low=self.low, high=self.high)
        if number is None:
            raise forms.ValidationError(
                f"Give a whole number from {self.low} to {self.high}.", code="invalid"
            )
        return number
