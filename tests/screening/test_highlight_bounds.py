"""Highlighting stays bounded: how much text is marked, which terms count, longest term first.

(Speed itself is bench/highlight.py's: no timed assertions here.)"""

import pytest

from screening.highlight import _compile, highlight, parse_terms


@pytest.fixture(autouse=True)
def small_limits(settings):
    settings.HIGHLIGHT_MAX_CHARS = 60
    settings.REVIEW_MAX_TERM_CHARS = 100


def test_only_the_first_max_chars_are_marked_and_the_rest_is_shown_escaped():
    text = "youth " * 10 + "youth <b>tail</b> youth"  # 60 characters, then the rest
    out = str(highlight(text, ("youth",)))
    assert out.count("<mark") == 10
    assert out.endswith("youth &lt;b&gt;tail&lt;/b&gt; youth")  # all of it is there, unmarked


def test_a_word_cut_by_the_limit_is_not_marked_as_a_shorter_term():
    text = "x" * 56 + " careful"  # the limit falls inside "careful": "care" must not match it
    out = str(highlight(text, ("care",)))
    assert "<mark" not in out
    assert out.endswith(" careful")


def test_no_limit_marks_the_whole_text():
    text = "youth " * 30
    assert str(highlight(text, ("youth",), max_chars=None)).count("<mark") == 30


def test_the_longest_term_wins_whatever_order_the_lead_typed_them():
    out = str(highlight("child protection services", ("child", "child protection")))
    assert out == '<mark class="term-include">child protection</mark> services'


def test_a_phrase_beats_a_wildcard_on_its_first_word():
    out = str(highlight("participation rates fell", ("particip*", "participation rates")))
    assert out == '<mark class="term-include">participation rates</mark> fell'


def test_a_term_saved_before_the_length_limit_is_not_highlighted():
    long_term = "x" * 150
    out = str(highlight(f"{long_term} youth", (long_term, "youth"), max_chars=None))
    assert out == f'{long_term} <mark class="term-include">youth</mark>'


def test_a_term_without_a_letter_marks_nothing():
    assert str(highlight("a - b * c", ("*", "* -", "-"), max_chars=None)) == "a - b * c"


def test_thousands_of_terms_mark_exactly_the_words_that_are_terms():
    terms = (*(f"term{i}" for i in range(5000)), "organi*ation")
    text = "term17 term5000 term4999x organisation term4999 -term3"
    out = str(highlight(text, terms, max_chars=None))
    assert out == (
        '<mark class="term-include">term17</mark> term5000 term4999x '
        '<mark class="term-include">organisation</mark> '
        '<mark class="term-include">term4999</mark> -<mark class="term-include">term3</mark>'
    )


def test_one_pattern_per_term_set_is_compiled_and_reused():
    _compile.cache_clear()
    include = parse_terms("youth\nparticip*")
    highlight("youth participation", include)
    highlight("another card about youth", parse_terms("youth\nparticip*"))  # equal content
    assert _compile.cache_info().misses == 1
    assert _compile.cache_info().hits == 1
    highlight("youth", parse_terms("youth"))  # the lead edited the terms: a new pattern
    assert _compile.cache_info().misses == 2


def test_include_and_exclude_terms_keep_their_colours_and_entities_stay_whole():
    out = str(highlight("R&D for adults & youth", ("r&d", "youth"), ("adult*", "amp")))
    assert out == (
        '<mark class="term-include">R&amp;D</mark> for '
        '<mark class="term-exclude">adults</mark> &amp; <mark class="term-include">youth</mark>'
    )
