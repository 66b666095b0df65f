"""Blocking and title similarity: which pairs of records are worth scoring as duplicates.

Works on normalised titles alone, vectorised in numpy with rapidfuzz scoring in C, so that a
whole review is searched without comparing every pair; :func:`_similar_pairs` is what
:mod:`.candidates` calls, which scores the surviving pairs against the other fields. How the
keys are chosen, and why nothing depends on the first title word or the year, is in the
:mod:`screening.matching` docstring.
"""

from __future__ import annotations

from array import array

import numpy as np
from rapidfuzz import fuzz, process

from .normalise import _STOP

# --- tunables ------------------------------------------------------------------------------------

KEYS_PER_RECORD = 3
AFFIX_CHARS = 20  # title prefix/suffix keys, spaces removed
SCORE_CHUNK = 500_000  # pairs per rapidfuzz call
MAX_BLOCK = 100  # a key chosen by more records than this is too common to block on by itself
REORDER_MARGIN = 5.0  # sorted-word similarity must beat the plain one by this to count


# --- blocking ------------------------------------------------------------------------------------


def _block_keys(titles: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(key, record index) pairs. Keys of a record: its KEYS_PER_RECORD rarest words with
    df >= 2 (ties broken alphabetically; a word chosen by more than MAX_BLOCK records is replaced
    by its pairs with the record's later picks), and the first and last AFFIX_CHARS characters of
    the title with spaces removed (robust to words joined or split by punctuation, and to a typo
    at the other end of the title). Keys are int64 codes; only equality matters."""
    n = len(titles)
    vocab: dict[str, int] = {}
    tok_ids = array("q")
    owners = array("q")
    for idx, title in enumerate(titles):
        words = [vocab.setdefault(t, len(vocab)) for t in set(title.split()) - _STOP]
        tok_ids.extend(words)
        owners.extend([idx] * len(words))
    tok = np.frombuffer(tok_ids, dtype=np.int64)
    own = np.frombuffer(owners, dtype=np.int64)
    n_vocab = max(len(vocab), 1)
    alpha = np.empty(n_vocab, dtype=np.int64)  # alphabetical rank of each word, for ties
    alpha[[vocab[w] for w in sorted(vocab)]] = np.arange(len(vocab))
    del vocab, tok_ids, owners
    df = np.bincount(tok, minlength=n_vocab)
    usable = df[tok] >= 2
    tok, own = tok[usable], own[usable]
    order = np.lexsort((alpha[tok], df[tok], own))
    tok, own = tok[order], own[order]
    first = np.ones(own.size, dtype=bool)
    first[1:] = own[1:] != own[:-1]
    group_start = np.maximum.accumulate(np.where(first, np.arange(own.size), 0))
    rank = np.arange(own.size) - group_start  # 0 = the record's rarest usable word
    picked = rank <= KEYS_PER_RECORD  # the main picks plus one spare for pair keys
    tok, own, rank = tok[picked], own[picked], rank[picked]
    main = rank < KEYS_PER_RECORD
    chosen = np.bincount(tok[main], minlength=n_vocab)
    alone = main & (chosen[tok] <= MAX_BLOCK)
    key_parts = [tok[alone]]
    rec_parts = [own[alone]]
    common = np.flatnonzero(main & ~alone)
    for step in range(1, KEYS_PER_RECORD + 1):  # pair a too-common pick with later picks
        later = common + step
        ok = later < own.size
        src, dst = common[ok], later[ok]
        ok = own[dst] == own[src]
        src, dst = src[ok], dst[ok]
        key_parts.append(n_vocab + tok[src] * n_vocab + tok[dst])
        rec_parts.append(own[src])
    base = n_vocab + n_vocab * n_vocab
    affixes: dict[str, int] = {}
    flat = [t.replace(" ", "") for t in titles]
    heads = [affixes.setdefault("^" + f[:AFFIX_CHARS], len(affixes)) for f in flat]
    tails = [affixes.setdefault("$" + f[-AFFIX_CHARS:], len(affixes)) for f in flat]
    key_parts += [base + np.asarray(heads, np.int64), base + np.asarray(tails, np.int64)]
    rec_parts += [np.arange(n, dtype=np.int64)] * 2
    # every (key, record) is distinct: words are distinct, pairs too, "^..." != "$..."
    return np.concatenate(key_parts), np.concatenate(rec_parts)


def _block_pairs(
    keys: np.ndarray, recs: np.ndarray, n: int, is_new: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unique (i, j), i < j, of record indices sharing a key, and how many keys each pair
    shares; blocks of more than MAX_BLOCK records are skipped."""
    empty = np.empty(0, np.int64)
    if keys.size == 0:
        return empty, empty, empty
    order = np.lexsort((recs, keys))
    keys, recs = keys[order], recs[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    sizes = np.diff(np.r_[starts, keys.size])
    keep = (sizes >= 2) & (sizes <= MAX_BLOCK)
    if is_new is not None and keep.any():
        keep &= np.maximum.reduceat(is_new[recs].astype(np.int8), starts) > 0
    if not keep.any():
        return empty, empty, empty
    # Every entry of a kept block, with the end of its block; pair it with the entry `offset`
    # places further on while that is still inside the block (work ~ number of pairs). Within
    # a block records are sorted, so left < right.
    pos = np.flatnonzero(np.repeat(keep, sizes))
    end = np.repeat(starts + sizes, sizes)[pos]
    codes: list[np.ndarray] = []
    offset = 1
    while True:
        inside = end - pos > offset
        pos, end = pos[inside], end[inside]
        if not pos.size:
            break
        left, right = recs[pos], recs[pos + offset]
        if is_new is not None:
            sel = is_new[left] | is_new[right]
            left, right = left[sel], right[sel]
        codes.append(left * n + right)
        offset += 1
    pairs = np.concatenate(codes)
    del codes
    pairs.sort()  # np.unique would hash first; a plain sort is several times faster here
    first = np.flatnonzero(np.r_[True, pairs[1:] != pairs[:-1]])
    shared = np.diff(np.r_[first, pairs.size])
    pairs = pairs[first]
    return pairs // n, pairs % n, shared


_BUCKET = np.full(256, 37, dtype=np.int64)
_BUCKET[np.arange(97, 123)] = np.arange(26)  # a-z
_BUCKET[np.arange(48, 58)] = np.arange(26, 36)  # 0-9
_BUCKET[32] = 36  # space; 37: anything else


def _char_histograms(texts: list[str]) -> np.ndarray:
    """Per text, counts of a-z, 0-9, space and anything else (capped at 255): uint8 (n, 38)."""
    out = np.zeros((len(texts), 38), dtype=np.uint8)
    step = 4096
    for start in range(0, len(texts), step):
        chunk = texts[start : start + step]
        raw = np.frombuffer("".join(chunk).encode("ascii", "replace"), dtype=np.uint8)
        lengths = np.fromiter((len(t) for t in chunk), np.int64, len(chunk))
        owner = np.repeat(np.arange(len(chunk), dtype=np.int64), lengths)
        counts = np.bincount(owner * 38 + _BUCKET[raw], minlength=len(chunk) * 38)
        out[start : start + len(chunk)] = np.minimum(counts, 255).reshape(len(chunk), 38)
    return out


def _similar_pairs(
    titles: list[str], is_new: np.ndarray | None, cutoff: float
) -> tuple[np.ndarray, ...]:
    """Blocked pairs (i < j) whose title similarity reaches ``cutoff``, with that similarity
    and whether it needed the words reordered:
    ``fuzz.ratio`` on the titles without spaces ("double-blind", "double blind" and
    "doubleblind" agree), or for pairs sharing two or more keys, if better, on the words sorted
    (the same words in another order).

    Before rapidfuzz runs, pairs that cannot reach ``cutoff`` are dropped in numpy: the indel
    distance is at least the L1 distance of the two character histograms, and
    ``fuzz.ratio = 100 * (1 - indel / (len_a + len_b))``.
    """
    keys, recs = _block_keys(titles)
    li, lj, shared = _block_pairs(keys, recs, len(titles), is_new)
    del keys, recs
    hist = _char_histograms(titles)
    spaces = hist[:, 36].astype(np.int64)
    length = np.fromiter((len(t) for t in titles), np.int64, len(titles))
    flat = np.array([t.replace(" ", "") for t in titles], dtype=object)
    words = np.array([" ".join(sorted(t.split())) for t in titles], dtype=object)
    slack = (100.0 - cutoff) / 100.0
    out_i, out_j, out_s, out_r = [], [], [], []
    for start in range(0, li.size, SCORE_CHUNK):
        ci, cj = li[start : start + SCORE_CHUNK], lj[start : start + SCORE_CHUNK]
        several = shared[start : start + SCORE_CHUNK] >= 2
        chars = np.abs(hist[ci, :36].astype(np.int16) - hist[cj, :36]).sum(axis=1)
        flat_sum = length[ci] - spaces[ci] + length[cj] - spaces[cj]
        may_flat = chars <= slack * flat_sum
        space_gap = np.abs(spaces[ci] - spaces[cj])
        may_words = several & (chars + space_gap <= slack * (length[ci] + length[cj]))
        sim = np.zeros(ci.size, dtype=np.float32)
        reordered = np.zeros(ci.size, dtype=bool)
        sel = np.flatnonzero(may_flat)
        if sel.size:
            sim[sel] = process.cpdist(
                flat[ci[sel]], flat[cj[sel]], scorer=fuzz.ratio, score_cutoff=cutoff,
                workers=-1, dtype=np.float32,
            )  # fmt: skip
        sel = np.flatnonzero(may_words)
        if sel.size:
            sim2 = process.cpdist(
                words[ci[sel]], words[cj[sel]], scorer=fuzz.ratio, score_cutoff=cutoff,
                workers=-1, dtype=np.float32,
            )  # fmt: skip
            reordered[sel] = sim2 > sim[sel] + REORDER_MARGIN
            sim[sel] = np.maximum(sim[sel], sim2)
        hit = np.flatnonzero((sim >= cutoff) & (sim > 0))
        out_i.append(ci[hit])
        out_j.append(cj[hit])
        out_s.append(sim[hit].astype(np.float64))
        out_r.append(reordered[hit])
    if not out_i:
        empty = np.empty(0, np.int64)
        return empty, empty, np.empty(0), np.empty(0, bool)
    return tuple(np.concatenate(parts) for parts in (out_i, out_j, out_s, out_r))
