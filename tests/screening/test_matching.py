"""Unit tests for the pure duplicate-matching core (screening.matching)."""

from __future__ import annotations

import random

import pytest

from screening import matching
from screening.matching import (
    CONFLICT_CAP,
    EXACT_CONFLICT_SCORE,
    Candidate,
    MatchRecord,
    authors_match,
    find_candidates,
    journals_match,
    normalise_author,
    normalise_title,
)

TITLE = "Olanzapine versus haloperidol in the treatment of schizophrenia: a randomized trial"


def rec(
    id: int,
    title: str = TITLE,
    year: int | None = 2001,
    author: str = "Tollefson GD",
    journal: str = "",
    doi: str = "",
    pmid: str = "",
) -> MatchRecord:
    return MatchRecord(id, title, year, author, journal, doi, pmid)


def pair(records: list[MatchRecord], **kwargs) -> Candidate | None:
    """The one candidate expected among ``records`` (or None)."""
    found = find_candidates(records, **kwargs)
    assert len(found) <= 1, found
    return found[0] if found else None


# --- normalise_title -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Café-au-lait SPOTS in Ångström   units.", "cafe au lait spots in angstrom units"),
        ("Effets de l\u2019hypertension: étude «pilote»", "effets de lhypertension etude pilote"),
        ("<i>In vivo</i> effects of <sup>99m</sup>Tc", "in vivo effects of 99mtc"),
        ("Line one<br/>line two<p>three</p>", "line one line two three"),
        ("Salt &amp; water", "salt and water"),
        ("Salt & water", "salt and water"),
        ("β-blockers and µ-opioid receptors", "beta blockers and mu opioid receptors"),
        ("Barrett's oesophagus", "barretts oesophagus"),
        ("Treatment of hypertension [Article in German]", "treatment of hypertension"),
        ("Treatment of hypertension. [In Process Citation]", "treatment of hypertension"),
        ("Hypertension in the elderly (author's transl)", "hypertension in the elderly"),
        # PubMed's English translation of a foreign title is wholly in brackets: keep the words
        ("[Treatment of hypertension]. [Article in French]", "treatment of hypertension"),
        ("Straße und Œdem", "strasse und oedem"),
        ("", ""),
        ("  ...  ", ""),
    ],
)
def test_normalise_title(raw, expected):
    assert normalise_title(raw) == expected


def test_normalise_title_variants_agree():
    variants = [
        "Olanzapine versus haloperidol: a randomized trial.",
        "OLANZAPINE VERSUS HALOPERIDOL - A RANDOMIZED TRIAL",
        "olanzapine versus haloperidol; a randomized trial [Article in German]",
        "<b>Olanzapine</b> versus haloperidol:   a randomized trial",
    ]
    assert len({normalise_title(v) for v in variants}) == 1


# --- authors and journals ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["Nazzaro, P.", "Nazzaro P", "P Nazzaro", "Paolo Nazzaro", "NAZZARO P", "P. J. Nazzaro"],
)
def test_normalise_author_orders(name):
    assert normalise_author(name) == "nazzaro"


def test_normalise_author_particles_accents_and_groups():
    assert normalise_author("van der Berg JH") == normalise_author("J H van der Berg")
    assert normalise_author("Müller, H.") == "muller"
    assert normalise_author("O'Connor S") == "oconnor"
    assert normalise_author("Wu J") == "wu"
    assert normalise_author("Smith J; Jones K") == "smith"
    group = normalise_author("ALLHAT Collaborative Research Group")
    assert group == "allhatcollaborativeresearchgroup"
    assert normalise_author("") == ""


def test_authors_match():
    assert authors_match("muller", "mueller")  # transliteration
    assert authors_match("gonzalez", "gonzalezabraldes")  # second surname dropped
    assert not authors_match("smith", "jones")
    assert not authors_match("li", "lu")


@pytest.mark.parametrize(
    ("short", "full"),
    [
        ("J Clin Psychiatry", "The Journal of clinical psychiatry"),
        ("N Engl J Med", "The New England journal of medicine"),
        (
            "Proc Natl Acad Sci U S A",
            "Proceedings of the National Academy of Sciences of the United States of America",
        ),
        ("BMJ", "British Medical Journal"),
        ("JAMA", "Journal of the American Medical Association"),
        ("Lancet (London, England)", "The Lancet"),
        ("J Child Psychol Psychiatry", "Journal of child psychology and psychiatry, and allied"),
        ("Aliment. Pharmacol. Ther.", "Alimentary pharmacology & therapeutics"),
    ],
)
def test_journals_match_abbreviations(short, full):
    assert journals_match(short, full)
    assert journals_match(full, short)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Lancet", "Lancet Oncology"),
        ("Am J Med", "American Journal of Medical Genetics"),
        ("Am J Psychiatry", "American Journal of Psychology"),
        ("J Clin Psychiatry", ""),
    ],
)
def test_journals_do_not_match(a, b):
    assert not journals_match(a, b)


# --- exact identifiers ---------------------------------------------------------------------------


def test_same_doi_is_an_exact_match_whatever_the_titles():
    c = pair(
        [rec(5, doi="10.1000/abc"), rec(9, title="Something else entirely", doi="10.1000/ABC")]
    )
    assert c == Candidate(5, 9, 100.0, ("doi",), "doi")


def test_doi_prefixes_are_tolerated():
    c = pair([rec(1, doi="https://doi.org/10.1000/x1"), rec(2, doi="10.1000/X1.")])
    assert c is not None
    assert c.method == "doi"


def test_same_pmid_is_an_exact_match():
    c = pair([rec(1, title="", pmid="123"), rec(2, title="", pmid="123")])
    assert c == Candidate(1, 2, 100.0, ("pmid",), "pmid")


def test_same_doi_but_different_pmids_goes_to_a_human():
    c = pair([rec(1, doi="10.1/a", pmid="1"), rec(2, doi="10.1/a", pmid="2")])
    assert c is not None
    assert c.method == "doi"
    assert c.score == EXACT_CONFLICT_SCORE < 95


def test_conflicting_dois_cap_an_otherwise_perfect_fuzzy_pair():
    c = pair([rec(1, doi="10.1/a"), rec(2, doi="10.1/b")])
    assert c is not None
    assert c.method == "fuzzy"
    assert c.score <= CONFLICT_CAP < 85


def test_conflicting_pmids_cap_an_otherwise_perfect_fuzzy_pair():
    c = pair([rec(1, pmid="111"), rec(2, pmid="222")])
    assert c is not None
    assert c.score <= CONFLICT_CAP


def test_conflict_cap_can_drop_the_pair():
    assert pair([rec(1, doi="10.1/a"), rec(2, doi="10.1/b")], min_score=90) is None


def test_one_missing_doi_is_no_conflict():
    c = pair([rec(1, doi="10.1/a"), rec(2)])
    assert c is not None
    assert c.score == 100.0
    assert c.method == "fuzzy"


def test_oversized_identifier_group_is_not_trusted():
    records = [rec(i, title=f"Distinct title number {i} about zebrafish", doi="10.1/x") for i in
               range(1, matching.MAX_EXACT_GROUP + 2)]  # fmt: skip
    assert not [c for c in find_candidates(records) if c.method == "doi"]


# --- fuzzy: which records take part --------------------------------------------------------------


def test_records_without_title_are_never_fuzzy_matched():
    assert pair([rec(1, title=""), rec(2, title="")]) is None
    assert pair([rec(1, title="  "), rec(2, title="[]")]) is None


def test_too_short_titles_are_never_fuzzy_matched():
    assert pair([rec(1, title="Heart failure."), rec(2, title="Heart failure.")]) is None
    three_words = "Burning mouth syndrome"
    assert pair([rec(1, title=three_words), rec(2, title=three_words)]) is not None


# --- fuzzy: scores -------------------------------------------------------------------------------


def test_identical_records_score_100_with_all_fields():
    c = pair(
        [rec(1, journal="J Clin Psychiatry"), rec(2, journal="The Journal of Clinical Psychiatry")]
    )
    assert c == Candidate(1, 2, 100.0, ("title", "year", "first_author", "journal"), "fuzzy")


@pytest.mark.parametrize(
    "variant",
    [
        TITLE.upper(),
        TITLE.replace(":", "").replace(",", "") + ".",
        TITLE.replace("haloperidol", "haloperidl"),  # a typo
        TITLE.replace("haloperidol", "halpoeridol"),  # two letters swapped
        TITLE.replace("randomized", "randomised"),
        TITLE.replace("versus", "<i>versus</i>"),
        TITLE + " [Article in German]",
    ],
)
def test_perturbed_title_stays_above_the_auto_threshold(variant):
    c = pair([rec(1), rec(2, title=variant, author="G D Tollefson")])
    assert c is not None
    assert c.score >= 95
    assert c.matched == ("title", "year", "first_author")


def test_words_joined_or_split_by_punctuation():
    base = "A double-blind trial of long-acting nifedipine in angina pectoris patients"
    for variant in (base.replace("-", " "), base.replace("-", "")):
        c = pair([rec(1, title=base), rec(2, title=variant)])
        assert c is not None
        assert c.score >= 95, variant


def test_same_words_in_another_order_are_offered():
    c = pair(
        [
            rec(1, title="Symptomatic therapies of multiple sclerosis in adults"),
            rec(2, title="Multiple sclerosis in adults: symptomatic therapies of"),
        ]
    )
    assert c is not None
    assert c.score >= 80


def test_year_one_apart_is_fine_but_three_apart_is_not():
    one = pair([rec(1, year=2001), rec(2, year=2002)])
    assert one is not None
    assert one.score >= 95
    assert "year" in one.matched
    two = pair([rec(1, year=2001), rec(2, year=2003)])
    assert two is not None
    assert two.score < 95
    assert "year" not in two.matched
    assert pair([rec(1, year=2001), rec(2, year=2004)]) is None


def test_missing_year_is_penalised_but_not_fatal():
    c = pair([rec(1, year=None), rec(2)])
    assert c is not None
    assert 95 <= c.score < 100
    assert "year" not in c.matched


def test_author_orders_agree_and_different_authors_do_not():
    for name in ("G D Tollefson", "Tollefson, G. D.", "Gary D Tollefson"):
        c = pair([rec(1), rec(2, author=name)])
        assert c is not None
        assert "first_author" in c.matched, name
    other = pair([rec(1), rec(2, author="Beasley CM")])  # a comment reusing the title
    assert other is not None
    assert 80 <= other.score < 95


def test_no_first_author_never_reaches_auto():
    # recurring columns share title and year without authors but are different articles
    c = pair([rec(1, author=""), rec(2, author="")])
    assert c is not None
    assert 80 <= c.score < 95


def test_different_journals_keep_a_pair_out_of_auto():
    c = pair([rec(1, journal="Lancet"), rec(2, journal="Lancet Oncology")])
    assert c is not None
    assert c.score < 95


DIFFERENT_WORKS = [
    ("Diabetes study part 1: design of the trial", "Diabetes study part 2: design of the trial"),
    ("Results of the phase II trial of olanzapine", "Results of the phase III trial of olanzapine"),
    ("Weight gain with olanzapine: 12 week results", "Weight gain with olanzapine: 24 week data"),
    ("Olanzapine for schizophrenia in older men", "Olanzapine for schizophrenia in older women"),
    (TITLE, "Erratum: " + TITLE),
    (TITLE, "Reply to: " + TITLE),
]


@pytest.mark.parametrize(("a", "b"), DIFFERENT_WORKS)
def test_near_identical_titles_of_different_works_stay_out_of_auto(a, b):
    c = pair([rec(1, title=a), rec(2, title=b)])
    assert c is None or c.score < 95


def test_numbers_written_differently_still_agree():
    a = "Safety of finasteride: an observational cohort study in 14,772 patients"
    b = "Safety of finasteride: an observational cohort study in 14772 patients"
    c = pair([rec(1, title=a), rec(2, title=b)])
    assert c is not None
    assert c.score >= 95


def test_unrelated_titles_are_not_candidates():
    a = "Olanzapine versus haloperidol in the treatment of schizophrenia"
    b = "Captopril versus atenolol in the treatment of hypertension"
    assert pair([rec(1, title=a), rec(2, title=b)]) is None


def test_min_score_is_respected():
    records = [rec(1), rec(2, author="Beasley CM")]
    assert pair(records, min_score=80) is not None
    assert pair(records, min_score=95) is None


# --- blocking ------------------------------------------------------------------------------------


def test_typo_in_the_first_word_is_still_found():
    c = pair([rec(1), rec(2, title=TITLE.replace("Olanzapine", "Olanzpaine"))])
    assert c is not None
    assert c.score >= 95


def test_duplicate_found_among_many_similar_titles():
    """Words shared by hundreds of records make blocks too big to use; the duplicate is still
    found through its other keys, and none of the lookalikes is returned."""
    rng = random.Random(3)
    letters = "abcdefghijklmnopqrstuvwxyz"
    records = []
    for i in range(1, 400):
        word = "".join(rng.choice(letters) for _ in range(9))
        records.append(rec(i, title=f"{word} exposure and toxicity in zebrafish larvae model"))
    dup = records[123]
    records.append(rec(1000, title=dup.title.replace("larvae", "larve")))
    found = find_candidates(records)
    assert [(c.keep_id, c.duplicate_id) for c in found if c.score >= 95] == [(dup.id, 1000)]


# --- output shape --------------------------------------------------------------------------------


def test_keep_id_is_the_smaller_id_whatever_the_input_order():
    c = pair([rec(42, title=TITLE.upper()), rec(7)])
    assert c is not None
    assert (c.keep_id, c.duplicate_id) == (7, 42)


def test_new_ids_restricts_to_pairs_with_a_new_record():
    records = [rec(1), rec(2), rec(3, title=TITLE.lower()), rec(4, title="", pmid="9"),
               rec(5, title="", pmid="9"), rec(6, title="", pmid="9")]  # fmt: skip
    everything = {(c.keep_id, c.duplicate_id) for c in find_candidates(records)}
    assert everything == {(1, 2), (1, 3), (2, 3), (4, 5), (4, 6), (5, 6)}
    only_new = {(c.keep_id, c.duplicate_id) for c in find_candidates(records, new_ids={3, 6})}
    assert only_new == {(1, 3), (2, 3), (4, 6), (5, 6)}
    assert find_candidates(records, new_ids=set()) == []
    assert find_candidates(records, new_ids={999}) == []


def test_each_pair_once_sorted_and_deterministic():
    records = [rec(i, title=TITLE if i % 2 else TITLE.upper(), doi="10.1/a" if i < 3 else "")
               for i in range(1, 7)]  # fmt: skip
    first = find_candidates(records)
    keys = [(c.keep_id, c.duplicate_id) for c in first]
    assert keys == sorted(set(keys))
    assert len(keys) == 15  # every pair of six records, exactly once
    assert first[0].method == "doi"  # (1, 2) share a DOI: exact wins over fuzzy
    for seed in range(5):
        shuffled = records[:]
        random.Random(seed).shuffle(shuffled)
        assert find_candidates(shuffled) == first


def test_duplicate_ids_are_rejected():
    with pytest.raises(ValueError, match="unique"):
        find_candidates([rec(1), rec(1)])


def test_trivial_inputs():
    assert find_candidates([]) == []
    assert find_candidates([rec(1)]) == []
