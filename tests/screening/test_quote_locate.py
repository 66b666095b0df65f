"""Where a quote sits in a page's extracted text: offsets in the text as stored."""

from screening.quotes import _mapped, locate, normalise

TEXT = (
    "Intro.  The \ufb01rst partici-\npation rate was \u201chigh\u201d. "
    "Then the partici-\npation rate fell."
)


def test_the_offsets_are_in_the_raw_text_across_a_hyphenated_line_break():
    start, end = locate("participation rate", TEXT)
    assert (start, end) == (17, 37)
    assert TEXT[start:end] == "partici-\npation rate"


def test_a_ligature_curly_quotes_and_case_are_matched_and_kept_as_stored():
    start, end = locate('The FIRST participation rate was "high"', TEXT)
    assert TEXT[start:end] == "The \ufb01rst partici-\npation rate was \u201chigh\u201d"


def test_of_several_places_the_one_nearest_the_hint_is_taken():
    assert locate("participation rate", TEXT, near=0) == (17, 37)
    start, end = locate("participation rate", TEXT, near=60)
    assert (start, TEXT[start:end]) == (59, "partici-\npation rate")


def test_no_place_for_a_quote_not_on_the_page_or_empty():
    assert locate("participation was low", TEXT) is None
    assert locate("  ", TEXT) is None
    assert locate("rate", "") is None


def test_the_mapped_form_is_the_normalised_form():
    assert _mapped(TEXT)[0] == normalise(TEXT)
