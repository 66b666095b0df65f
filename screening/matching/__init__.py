"""Pure matching core of duplicate detection: which pairs of records are probably the same work.

No Django here: the service reads rows into :class:`MatchRecord` objects, calls
:func:`find_candidates`, and decides what to do with each :class:`Candidate` (auto-mark pairs at or
above its auto threshold, queue the rest for a human).

Modules
-------
* :mod:`.normalise`: pure text rules for titles, author names, journal names, DOIs and PMIDs
  (what counts as "the same" title, author or journal), readable and testable on their own.
* :mod:`.blocking`: which pairs of titles are worth comparing, and how similar their titles are;
  the numpy/rapidfuzz part that keeps a whole review from being compared pair by pair.
* :mod:`.candidates`: :class:`MatchRecord`, :class:`Candidate`, the fuzzy score and its
  penalties, and :func:`find_candidates`, which ties the other two together.

How a pair is found
-------------------
* **Exact**: the same DOI (score 100, method ``"doi"``) or the same PMID (score 100, method
  ``"pmid"``). If the *other* identifier conflicts (same DOI but two different PMIDs, or the other
  way round) the pair still comes back but at :data:`EXACT_CONFLICT_SCORE`, for a human. An
  identifier shared by more than :data:`MAX_EXACT_GROUP` records is not treated as identifying one
  article (bad import data) and those records go through the fuzzy path instead.
* **Fuzzy**: only records whose normalised title has at least :data:`MIN_TITLE_WORDS` words or
  :data:`MIN_TITLE_CHARS` characters; records without a title never match fuzzily.

  *Blocking* (two records are compared when they share any key; each record has up to five):

  - its :data:`KEYS_PER_RECORD` rarest title words with document frequency >= 2 in the input
    (stop words left out, ties broken alphabetically). A typo or a word glued to its neighbour
    makes a word unique (df 1), and such words are never keys, so both copies of a perturbed
    title still pick the same surviving rare words. A word picked by more than
    :data:`MAX_BLOCK` records is replaced, for those records, by its pairs with their later picks;
  - the first and the last :data:`AFFIX_CHARS` characters of the title with spaces removed, which
    survive words being split or joined and a typo at the other end of the title.

  Blocks of more than :data:`MAX_BLOCK` records are skipped, so no key can make the work
  quadratic. Nothing depends on the first title word or on the year.

  *Title similarity*: pairs that cannot reach ``min_score`` are dropped in numpy (the indel
  distance is at least the L1 distance of the character histograms); the rest are scored in C
  by :func:`rapidfuzz.process.cpdist` with ``fuzz.ratio`` on the titles without spaces
  ("double-blind", "double blind", "doubleblind" agree) and, for pairs sharing two or more keys,
  on the words sorted (a token-sort ratio). Only pairs reaching ``min_score`` are scored further,
  in Python, against the other fields.

Fuzzy score (0..100)
--------------------
Title similarity minus penalties (there are no bonuses, so a pair never outscores its title):

=====================================  =======================================================
year equal / +-1 / missing / +-2 / more  0 / 1.5 / 3 / 15 / 30
first author surname agrees / missing     0 / 5.5 / conflicts 12
journal agrees or missing / conflicts     0 / 6
numbers in the titles differ              10 (``part 1`` vs ``part 2``, ``phase II`` vs ``III``)
one title is a notice, the other not      10 (``Erratum: ...``, ``Reply``, ``Retraction ...``)
content word without a typo-like partner  4 each, at most 12 (``men`` vs ``women``)
titles agree only with words reordered    5
=====================================  =======================================================

So an auto-mark at 95 needs a near-identical title *and* agreeing year and first author; a pair
with no first author on either side tops out at 94.5 (recurring columns such as "Cutaneous drug
reaction case reports" share title and year but are different articles). Two records with
different non-empty DOIs, or different non-empty PMIDs, are capped at :data:`CONFLICT_CAP`
(strong evidence they are different works; still shown to a human, e.g. preprint vs article).
"""

from __future__ import annotations

# The `X as X` imports re-export tunables the docstring above names: they were attributes of
# this module before it became a package (tests read MAX_EXACT_GROUP), so they stay reachable
# here, though the API is __all__.
from .blocking import AFFIX_CHARS as AFFIX_CHARS
from .blocking import KEYS_PER_RECORD as KEYS_PER_RECORD
from .blocking import MAX_BLOCK as MAX_BLOCK
from .candidates import CONFLICT_CAP, EXACT_CONFLICT_SCORE, Candidate, MatchRecord, find_candidates
from .candidates import MAX_EXACT_GROUP as MAX_EXACT_GROUP
from .candidates import MIN_TITLE_CHARS as MIN_TITLE_CHARS
from .candidates import MIN_TITLE_WORDS as MIN_TITLE_WORDS
from .normalise import authors_match, journals_match, normalise_author, normalise_title

__all__ = [
    "CONFLICT_CAP",
    "EXACT_CONFLICT_SCORE",
    "Candidate",
    "MatchRecord",
    "authors_match",
    "find_candidates",
    "journals_match",
    "normalise_author",
    "normalise_title",
]
