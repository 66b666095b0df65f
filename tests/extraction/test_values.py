"""Chart values: every field type parses, refuses bad input with a message, and round-trips."""

import pytest

from extraction.models import FieldType
from extraction.values import display, is_empty, parse_value, to_initial

OPTIONS = ["Low", "Medium", "High"]

GOOD = [
    (FieldType.SHORT_TEXT, "  Interviews  with   staff ", "Interviews with staff"),
    (FieldType.LONG_TEXT, "Line one\r\nline two\n", "Line one\nline two"),
    (FieldType.INTEGER, "1,204", 1204),
    (FieldType.INTEGER, "-3", -3),
    (FieldType.DECIMAL, "12.50", "12.50"),
    (FieldType.DECIMAL, ".5", "0.5"),
    (FieldType.DATE, "2013-06-30", "2013-06-30"),
    (FieldType.SINGLE_CHOICE, "Medium", "Medium"),
    (FieldType.MULTIPLE_CHOICE, ["High", "Low"], ["Low", "High"]),
    (FieldType.ORDINAL, "High", "High"),
    (FieldType.YES_NO, "yes", True),
    (FieldType.YES_NO, "No", False),
]


@pytest.mark.parametrize(("field_type", "raw", "value"), GOOD)
def test_good_input_parses_to_its_value(field_type, raw, value):
    parsed = parse_value(field_type, raw, OPTIONS)
    assert parsed.ok, parsed.error
    assert parsed.value == value


@pytest.mark.parametrize(("field_type", "raw", "value"), GOOD)
def test_a_stored_value_round_trips_through_the_form(field_type, raw, value):
    assert parse_value(field_type, to_initial(field_type, value), OPTIONS).value == value


BAD = [
    (FieldType.SHORT_TEXT, "x" * 501, "under 500"),
    (FieldType.INTEGER, "12.5", "whole number"),
    (FieldType.INTEGER, "twelve", "whole number"),
    (FieldType.INTEGER, "9" * 30, "too large"),
    (FieldType.DECIMAL, "12,5", "a point, not a comma"),
    (FieldType.DECIMAL, "1e5", "Enter a number"),
    (FieldType.DATE, "30/06/2013", "YYYY-MM-DD"),
    (FieldType.DATE, "2013-02-30", "YYYY-MM-DD"),
    (FieldType.SINGLE_CHOICE, "Huge", "'Huge' is not one of the options"),
    (FieldType.MULTIPLE_CHOICE, ["Low", "Huge"], "Not among the options: Huge"),
    (FieldType.ORDINAL, "Very high", "not one of the options"),
    (FieldType.YES_NO, "perhaps", "yes or no"),
]


@pytest.mark.parametrize(("field_type", "raw", "message"), BAD)
def test_bad_input_gives_a_field_error_and_no_value(field_type, raw, message):
    parsed = parse_value(field_type, raw, OPTIONS)
    assert not parsed.ok
    assert message in parsed.error
    assert parsed.value is None


@pytest.mark.parametrize("field_type", list(FieldType))
def test_empty_input_is_no_answer_for_every_type(field_type):
    raw = [] if field_type == FieldType.MULTIPLE_CHOICE else "  "
    parsed = parse_value(field_type, raw, OPTIONS)
    assert parsed.ok
    assert is_empty(parsed.value)
    assert to_initial(field_type, parsed.value) in ("", [])


def test_control_characters_are_dropped_so_postgresql_stores_the_text():
    assert parse_value(FieldType.LONG_TEXT, "a\x00b\tc", []).value == "ab\tc"


def test_display_joins_ticked_options_and_spells_out_yes_no():
    assert display(FieldType.MULTIPLE_CHOICE, ["Low", "High"]) == "Low; High"
    assert display(FieldType.YES_NO, False) == "no"
    assert display(FieldType.INTEGER, None) == ""
