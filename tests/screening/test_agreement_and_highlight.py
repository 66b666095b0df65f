"""Pure helpers: agreement statistics against a hand computation; term highlighting."""

import pytest
from django.urls import reverse

from screening.agreement import agreement
from screening.highlight import highlight, parse_terms
from tests.forms import settings_post


def test_kappa_and_pabak_match_a_hand_computed_example():
    # 10 records; a: 4 include, 6 exclude; b the same marginals; 8 agreements.
    a = ["include"] * 4 + ["exclude"] * 6
    b = ["include"] * 3 + ["exclude"] * 6 + ["include"]
    result = agreement(list(zip(a, b, strict=True)))
    assert (result.common, result.agreed) == (10, 8)
    assert result.percent == pytest.approx(80.0)
    # pe = (4*4 + 6*6) / 100 = 0.52; kappa = (0.8 - 0.52) / (1 - 0.52)
    assert result.kappa == pytest.approx(0.28 / 0.48)
    # PABAK over three categories: (3 * 0.8 - 1) / 2
    assert result.pabak == pytest.approx(0.7)
    binary = agreement(list(zip(a, b, strict=True)), categories=("include", "exclude"))
    assert binary.pabak == pytest.approx(0.6)


def test_kappa_is_undefined_when_both_use_one_category():
    result = agreement([("exclude", "exclude")] * 5)
    assert result.kappa is None
    assert result.percent == 100


def test_no_records_in_common_gives_no_figures():
    assert agreement([]).percent is None


def test_wildcards_match_word_starts_case_insensitively():
    out = str(highlight("Participants and PARTICIPATION", parse_terms("particip*")))
    assert out.count('<mark class="term-include">') == 2


def test_terms_without_wildcards_match_whole_words_only():
    out = str(highlight("care, careful, scare", parse_terms("care")))
    assert out == '<mark class="term-include">care</mark>, careful, scare'


def test_highlighting_never_breaks_entities_or_lets_html_through():
    out = str(highlight("<script>x</script> & amp", parse_terms("amp\nlt\nscript")))
    assert "<script>" not in out
    assert "&amp;" in out and "&lt;" in out
    assert '<mark class="term-include">amp</mark>' in out


def test_include_and_exclude_terms_get_their_own_colours():
    out = str(highlight("youth in adult prisons", ("youth",), ("adult*",)))
    assert '<mark class="term-include">youth</mark>' in out
    assert '<mark class="term-exclude">adult</mark>' in out


def test_one_wildcard_per_word_works_anywhere_in_the_word():
    marked = highlight("organisation, organization and participants", ("organi*ation", "*ants"))
    assert marked.count("<mark") == 3


def test_a_term_with_several_wildcards_in_a_word_is_not_used():
    # Several wildcards in one word backtrack for seconds on a long word: never compiled.
    marked = highlight("a" * 5000 + " ab", ("a*a*a*b",))
    assert "<mark" not in marked


def test_the_settings_form_refuses_several_wildcards_in_a_word(client_for, lead, review):
    response = client_for(lead).post(
        reverse("reviewapp:settings", kwargs={"slug": review.slug}),
        settings_post(review, include_terms="particip*\nco*produc*"),
    )
    assert response.status_code == 400
    assert "&#x27;co*produc*&#x27;: use at most one * per word" in response.content.decode()


def test_a_wildcard_stays_within_a_word_and_hyphens_end_it():
    marked = highlight("child-centred co-production", ("child*", "co-produc*"))
    assert str(marked) == (
        '<mark class="term-include">child</mark>-centred '
        '<mark class="term-include">co-production</mark>'
    )
