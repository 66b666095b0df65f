"""Agreement between two reviewers: percent agreement, Cohen's kappa and PABAK (pure maths)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

CATEGORIES = ("include", "exclude", "maybe")


@dataclass(frozen=True)
class Agreement:
    common: int
    agreed: int
    percent: float | None
    kappa: float | None
    pabak: float | None


def agreement(
    pairs: Sequence[tuple[str, str]], categories: Sequence[str] = CATEGORIES
) -> Agreement:
    """Statistics over paired decisions (a, b) on the same records.

    Kappa = (po - pe) / (1 - pe) with pe from each rater's marginals; PABAK = (k*po - 1)/(k - 1)
    for k categories. Kappa is None when pe is 1 (both raters used one category only).
    """
    n = len(pairs)
    if n == 0:
        return Agreement(0, 0, None, None, None)
    agreed = sum(1 for a, b in pairs if a == b)
    po = agreed / n
    left, right = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    pe = sum(left[c] * right[c] for c in categories) / (n * n)
    kappa = None if pe >= 1 else (po - pe) / (1 - pe)
    k = len(categories)
    pabak = (k * po - 1) / (k - 1)
    return Agreement(n, agreed, po * 100, kappa, pabak)
