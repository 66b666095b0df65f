"""Term highlighting at its worst (issue #13 item 4): many terms, long abstracts, a long term.

Cases (terms drawn from a seeded vocabulary: a fifth with a wildcard, a tenth of two words;
abstracts of words from the same vocabulary, so terms match often):
  - 5,000 terms x a 1 MB abstract, and x a 100 KB abstract;
  - one long wildcard term (words of one letter and a *, the longest the settings form allows,
    and a 1,000-character one as saved before the limit) x a 100 KB abstract of the words that
    start it, so every start goes deep before failing.
Each line gives the first call (building and compiling the term set's pattern, then marking)
and the median of later calls (pattern cached). The card highlights only the first
HIGHLIGHT_MAX_CHARS characters; `uncapped_ms` marks the whole text, to show the matching
itself is one pass (where the highlighter takes a cap).

    python bench/highlight.py [--quick]

--quick: 100 KB abstracts only (and 500 terms instead of 5,000).
"""

from __future__ import annotations

import argparse
import inspect
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO, bench_line

LETTERS = "abcdefghijklmnopqrstuvwxyz"


def vocabulary(rng: random.Random, size: int) -> list[str]:
    return ["".join(rng.choices(LETTERS, k=rng.randint(4, 11))) for _ in range(size)]


def make_terms(rng: random.Random, words: list[str], count: int) -> tuple[str, ...]:
    terms = []
    for _ in range(count):
        word = rng.choice(words)
        roll = rng.random()
        if roll < 0.2:
            terms.append(word[: max(3, len(word) - 3)] + "*")
        elif roll < 0.3:
            terms.append(f"{word} {rng.choice(words)}")
        else:
            terms.append(word)
    return tuple(dict.fromkeys(terms))


def make_text(rng: random.Random, words: list[str], chars: int) -> str:
    parts, size = [], 0
    while size < chars:
        word = rng.choice(words)
        if rng.random() < 0.05:
            word = word.capitalize() + rng.choice([",", ".", ";", " &", " <b>"])
        parts.append(word)
        size += len(word) + 1
    return " ".join(parts)[:chars]


def long_term(chars: int) -> str:
    # "a* a* a* ... b": each word one wildcard (the rule), the text below matches all but "b".
    words = ["a*"] * ((chars - 1) // 3) + ["b"]
    return " ".join(words)


def _timed(call) -> tuple[object, float, float]:
    """The call's result, wall and CPU milliseconds (CPU: the machine may be shared)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = call()
    return result, (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def run_case(name: str, text: str, include: tuple[str, ...], repeats: int) -> None:
    from screening import highlight as module

    module._compile.cache_clear()
    out, first, first_cpu = _timed(lambda: module.highlight(text, include, ()))
    later = [_timed(lambda: module.highlight(text, include, ()))[1:] for _ in range(repeats)]
    later = later or [(first, first_cpu)]
    values = {
        "terms": len(include),
        "text_chars": len(text),
        "marks": str(out).count("<mark"),
        "first_ms": first,
        "first_cpu_ms": first_cpu,
        "cached_ms": statistics.median(w for w, _ in later),
        "cached_cpu_ms": statistics.median(c for _, c in later),
    }
    if "max_chars" in inspect.signature(module.highlight).parameters:
        uncapped = _timed(lambda: module.highlight(text, include, (), max_chars=None))
        values["uncapped_ms"], values["uncapped_cpu_ms"] = uncapped[1:]
    print(f"  {name}: first {values['first_ms']:.0f} ms, cached {values['cached_ms']:.0f} ms")
    print(bench_line(f"highlight_{name}", **values), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 KB abstracts, 500 terms")
    parser.add_argument("--repeats", type=int, default=3, help="cached calls timed per case")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reviewapp.settings")
    import django

    django.setup()
    from django.conf import settings

    print(f"HIGHLIGHT_MAX_CHARS={getattr(settings, 'HIGHLIGHT_MAX_CHARS', None)}")
    rng = random.Random(13)
    words = vocabulary(rng, 20_000)
    count = 500 if args.quick else 5_000
    terms = make_terms(rng, words, count)
    sizes = [("100kb", 100_000)] if args.quick else [("1mb", 1_000_000), ("100kb", 100_000)]
    for label, chars in sizes:
        text = make_text(rng, words + list(terms), chars)
        run_case(f"terms{count}_{label}", text, terms, args.repeats)
    deep = " ".join(["a"] * 50_000)[:100_000]
    for chars in (100, 1_000):
        run_case(f"long_term{chars}_100kb", deep, (long_term(chars),), args.repeats)


if __name__ == "__main__":
    main()
