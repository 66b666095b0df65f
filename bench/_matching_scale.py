"""Scratch benchmark for screening.matching (not part of the test suite).

    PYTHONPATH=. .venv/bin/python bench/_matching_scale.py recall      # blocking vs brute force
    PYTHONPATH=. .venv/bin/python bench/_matching_scale.py scale       # 15k real set
    PYTHONPATH=. .venv/bin/python bench/_matching_scale.py big [7]     # 7 perturbed copies, ~107k
    PYTHONPATH=. .venv/bin/python bench/_matching_scale.py import [7]  # same, last 15k as new_ids
    PYTHONPATH=. .venv/bin/python bench/_matching_scale.py mixed       # 100k, 20% duplicated

Peak memory is the process's max RSS (run one mode per process).
"""

from __future__ import annotations

import importlib.util
import random
import resource
import sys
import time
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process

from screening import matching
from screening.matching import MatchRecord, find_candidates, normalise_title

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location(
    "matching_scale_helpers", ROOT / "tests" / "screening" / "test_matching_scale.py"
)
helpers = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = helpers
_spec.loader.exec_module(helpers)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def report(candidates, pmid_of: dict[int, str], positives: set[tuple[int, int]]) -> None:
    for threshold in (95.0, 90.0, 80.0):
        pairs = {(c.keep_id, c.duplicate_id) for c in candidates if c.score >= threshold}
        tp = sum(1 for a, b in pairs if pmid_of[a] == pmid_of[b])
        print(
            f"  >= {threshold:.0f}: returned {len(pairs)}, precision "
            f"{tp / max(1, len(pairs)):.4f}, recall {tp / max(1, len(positives)):.4f}"
        )


def mode_recall() -> None:
    """Fraction of all pairs with title similarity >= 80 that the blocking compares."""
    rows = helpers.load_rows()
    records, _ = helpers.fuzzy_set(rows)
    titles = [normalise_title(r.title) for r in records]
    titles = [t for t in titles if t and matching._title_eligible(t)]
    flat = [t.replace(" ", "") for t in titles]
    started = time.perf_counter()
    truth: set[tuple[int, int]] = set()
    step = 2000
    for lo in range(0, len(flat), step):
        block = process.cdist(
            flat[lo : lo + step], flat, scorer=fuzz.ratio, score_cutoff=80, workers=-1
        )
        ii, jj = np.nonzero(block)
        truth.update(
            (lo + i, j) for i, j in zip(ii.tolist(), jj.tolist(), strict=True) if lo + i < j
        )
    print(
        f"brute force: {len(titles)} titles, {len(truth)} pairs >= 80 "
        f"in {time.perf_counter() - started:.1f}s"
    )
    keys, recs = matching._block_keys(titles)
    li, lj, _ = matching._block_pairs(keys, recs, len(titles), None)
    blocked = set(zip(li.tolist(), lj.tolist(), strict=True))
    print(
        f"blocking compares {len(blocked)} pairs; recall of the >= 80 pairs "
        f"{len(truth & blocked) / len(truth):.4f}"
    )
    for i, j in sorted(truth - blocked)[:20]:
        print("  missed:", titles[i][:70], "|", titles[j][:70])


def mode_scale() -> None:
    rows = helpers.load_rows()
    records, _ = helpers.fuzzy_set(rows)
    started = time.perf_counter()
    candidates = find_candidates(records)
    print(
        f"scale set: {len(records)} records, {len(candidates)} candidates in "
        f"{time.perf_counter() - started:.2f}s, peak RSS {rss_mb():.0f} MB"
    )


def big_set(copies: int) -> tuple[list[MatchRecord], dict[int, str]]:
    rows = helpers.load_rows()
    rng = random.Random(7)
    records: list[MatchRecord] = []
    pmid_of: dict[int, str] = {}
    rid = 0
    for copy in range(copies):
        for row in rows:
            rid += 1
            title, author, year = row.title, helpers.first_author(row.authors), row.year
            if copy and title:
                title = helpers.perturb_title(title, rng)
                author = helpers.reorder_author(author, rng)
                if year is not None and rng.random() < 0.1:
                    year += rng.choice((-1, 1))
            records.append(MatchRecord(rid, title, year, author, "", "", ""))
            pmid_of[rid] = row.pmid
    return records, pmid_of


def mode_big(copies: int, *, import_last: int | None = None) -> None:
    records, pmid_of = big_set(copies)
    base = rss_mb()
    new_ids = None
    if import_last:
        new_ids = {r.id for r in records[-import_last:]}
    started = time.perf_counter()
    candidates = find_candidates(records, new_ids=new_ids)
    elapsed = time.perf_counter() - started
    print(
        f"{len(records)} records ({copies} copies), new_ids={import_last}: "
        f"{len(candidates)} candidates in {elapsed:.2f}s; peak RSS {rss_mb():.0f} MB "
        f"(before matching {base:.0f} MB)"
    )
    eligible = {
        r.id for r in records if r.title and matching._title_eligible(normalise_title(r.title))
    }
    groups: dict[str, list[int]] = {}
    for r in records:
        if r.id in eligible:
            groups.setdefault(pmid_of[r.id], []).append(r.id)
    positives = {
        (a, b)
        for ids in groups.values()
        for k, a in enumerate(ids)
        for b in ids[k + 1 :]
        if new_ids is None or a in new_ids or b in new_ids
    }
    report(candidates, pmid_of, positives)


def mixed_set(total: int = 100_000, dup_share: float = 0.2):
    """~total records: distinct synthetic titles (a real title with 40% of its longer words
    swapped for random words of the corpus, a random real first author and year), of which
    ``dup_share`` get one perturbed copy. Ground truth: same synthetic work."""
    rows = [r for r in helpers.load_rows() if r.title]
    rng = random.Random(11)
    vocab = [w for r in rows for w in r.title.split() if len(w) >= 4 and w.isalpha()]
    n_works = int(total / (1 + dup_share))
    works = []
    for k in range(n_works):
        row = rows[k % len(rows)]
        words = row.title.split()
        if k >= len(rows):  # the first pass keeps the real titles
            slots = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
            for i in rng.sample(slots, max(1, (len(slots) * 2) // 5)) if slots else ():
                words[i] = rng.choice(vocab)
        donor = rows[rng.randrange(len(rows))]
        works.append((" ".join(words), helpers.first_author(donor.authors), donor.year))
    records: list[MatchRecord] = []
    work_of: dict[int, str] = {}
    for k, (title, author, year) in enumerate(works):
        records.append(MatchRecord(len(records) + 1, title, year, author, "", "", ""))
        work_of[len(records)] = str(k)
    for k in rng.sample(range(n_works), total - n_works):
        title, author, year = works[k]
        title = helpers.perturb_title(title, rng)
        author = helpers.reorder_author(author, rng)
        if year is not None and rng.random() < 0.1:
            year += rng.choice((-1, 1))
        records.append(MatchRecord(len(records) + 1, title, year, author, "", "", ""))
        work_of[len(records)] = str(k)
    return records, work_of


def mode_mixed() -> None:
    records, work_of = mixed_set()
    base = rss_mb()
    started = time.perf_counter()
    candidates = find_candidates(records)
    elapsed = time.perf_counter() - started
    print(
        f"{len(records)} records (mixed, 20% duplicated): {len(candidates)} candidates in "
        f"{elapsed:.2f}s; peak RSS {rss_mb():.0f} MB (before matching {base:.0f} MB)"
    )
    eligible = {
        r.id for r in records if r.title and matching._title_eligible(normalise_title(r.title))
    }
    groups: dict[str, list[int]] = {}
    for r in records:
        if r.id in eligible:
            groups.setdefault(work_of[r.id], []).append(r.id)
    positives = {(a, b) for ids in groups.values() for k, a in enumerate(ids) for b in ids[k + 1 :]}
    report(candidates, work_of, positives)


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else "scale"
    n_copies = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    if mode == "recall":
        mode_recall()
    elif mode == "scale":
        mode_scale()
    elif mode == "big":
        mode_big(n_copies)
    elif mode == "import":
        mode_big(n_copies, import_last=15000)
    elif mode == "mixed":
        mode_mixed()
