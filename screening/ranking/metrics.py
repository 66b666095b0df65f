"""Metrics of a screening order: WSS@95, recall at x % screened, ERF@10, records to 95 % recall.

Kept apart from the simulation because they also score orders that come from elsewhere
(``bench/prioritise.py`` reads ASReview's own runs with ``screening_metrics``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .simulation import SimulationResult


@dataclass
class ScreeningMetrics:
    wss95: float
    wss100: float
    recall10: float
    recall25: float
    recall50: float
    erf10: float
    screened_to_95: int
    screened_to_100: int
    n: int
    n_relevant: int


def screening_metrics(order_labels: Sequence[int], n: int, n_relevant: int) -> ScreeningMetrics:
    """Metrics of one screening order, priors left out.

    order_labels: labels (1 relevant, 0 not) of the records in the order they were screened,
      priors excluded; may stop early (after the last relevant record): the rest count as 0.
    n: records outside the priors (N); n_relevant: relevant records outside the priors (R).

    - screened_to_95: records screened until ceil(0.95 R) relevant records had been found.
    - WSS@95 = (N - screened_to_95) / N - 0.05 (Cohen et al. 2006, as in shared/data/README);
      WSS@100 = (N - screened_to_100) / N, screened_to_100 the position of the last relevant
      (nan and 0 when the order stops before it).
    - recall@x = relevant found among the first round(x N) records screened / R, rounded as
      ASReview rounds it (Python's round: to the nearest whole record, halves to even), not
      floored: on small sets floor under-counts the records a reviewer has screened.
    - ERF@10 ("Extra Relevant records Found", ASReview Insights): relevant found after screening
      round(0.10 N) records, minus the 0.10 R that random screening finds on average, as a
      fraction of R; i.e. ERF@10 = recall@10 - 0.10. (Insights rounds the random expectation to
      a whole record; we do not, so the figures can differ by at most 0.5 / R.)
    """
    labels = np.zeros(n, dtype=np.int64)
    given = np.asarray(order_labels, dtype=np.int64)[:n]
    labels[: len(given)] = given
    if n_relevant <= 0 or n <= 0:
        raise ValueError("need at least one relevant record outside the priors")
    found = np.cumsum(labels)
    if found[-1] < n_relevant and len(given) >= n:
        raise ValueError("order_labels hold fewer relevant records than n_relevant")
    target = math.ceil(0.95 * n_relevant)
    hit = np.searchsorted(found, target)  # first index where found >= target
    if hit >= n:
        raise ValueError("the screening order never reaches 95 % recall")
    screened_to_95 = int(hit) + 1
    # An order cut before its last relevant record (a run stopped at 95 % recall) cannot say
    # where that record was: WSS@100 is unknown (nan, screened_to_100 0), not a made-up 0.
    reached = found[-1] >= n_relevant
    screened_to_100 = int(np.searchsorted(found, n_relevant)) + 1 if reached else 0

    def recall_at(fraction: float) -> float:
        k = min(n, round(fraction * n))
        return float(found[k - 1]) / n_relevant if k > 0 else 0.0

    recall10 = recall_at(0.10)
    return ScreeningMetrics(
        wss95=(n - screened_to_95) / n - 0.05,
        wss100=(n - screened_to_100) / n if reached else math.nan,
        recall10=recall10,
        recall25=recall_at(0.25),
        recall50=recall_at(0.50),
        erf10=recall10 - 0.10,
        screened_to_95=screened_to_95,
        screened_to_100=screened_to_100,
        n=n,
        n_relevant=n_relevant,
    )


def simulation_metrics(result: SimulationResult) -> ScreeningMetrics:
    return screening_metrics(result.labels, result.n_records - result.n_priors, result.n_relevant)
