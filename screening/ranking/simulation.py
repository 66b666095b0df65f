"""Simulation: replay a labelled review with the model as the reviewer.

Used by the ``simulate_screening`` command and ``bench/prioritise.py`` to measure the model
(metrics in ``metrics``); ``asreview_priors`` draws the same starting records ASReview does, so
the two tools can be compared record for record.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from .config import DEFAULT_CONFIG, ModelConfig
from .features import ReviewFeatures
from .model import _fit_rows


def asreview_priors(labels: Sequence[int], n_included: int, n_excluded: int, seed: int) -> list:
    """Prior records drawn exactly as ``asreview simulate --prior-seed SEED`` draws them.

    (numpy RandomState(seed).choice over the row numbers of the included records, and a fresh
    RandomState(seed).choice over the excluded ones), so both tools start from the same records.
    """
    y = np.asarray(labels)
    priors: list[int] = []
    if n_included > 0:
        included = np.flatnonzero(y == 1)
        if len(included) < n_included:
            raise ValueError(f"only {len(included)} included records, {n_included} requested")
        r = np.random.RandomState(seed)
        priors += [int(i) for i in r.choice(included, n_included, replace=False)]
    if n_excluded > 0:
        excluded = np.flatnonzero(y == 0)
        if len(excluded) < n_excluded:
            raise ValueError(f"only {len(excluded)} excluded records, {n_excluded} requested")
        r = np.random.RandomState(seed)
        priors += [int(i) for i in r.choice(excluded, n_excluded, replace=False)]
    return priors


@dataclass
class SimulationResult:
    """A simulated screening: ``screened`` are row numbers in the order screened (priors not
    included), ``labels`` their labels; ``step_seconds`` times each retrain-and-rank step."""

    n_records: int
    n_priors: int
    n_relevant: int  # relevant records outside the priors
    screened: list[int]
    labels: list[int]
    step_seconds: list[float] = field(default_factory=list)


def simulate(
    features: ReviewFeatures | sp.csr_matrix,
    labels: Sequence[int],
    priors: Sequence[int],
    config: ModelConfig = DEFAULT_CONFIG,
    retrain_every: int = 1,
    seed: int = 0,
    stop_recall: float = 1.0,
) -> SimulationResult:
    """Replay a labelled review with the model as the reviewer.

    Starts from the ``priors`` (row numbers, already decided), retrains after every
    ``retrain_every`` decisions (1 = after each record, as ASReview does; the app uses 10) and
    between retrains screens records in the order of the last ranking. Stops once a fraction
    ``stop_recall`` of the relevant records outside the priors has been found (1.0 = the last
    relevant record, as ``asreview simulate`` does by default): every metric of
    ``screening_metrics`` is exact from that point on, since the remaining records are all
    irrelevant.
    """
    matrix = features.matrix if isinstance(features, ReviewFeatures) else features
    nb_matrix = features.nb_matrix if isinstance(features, ReviewFeatures) else None
    y = np.asarray(labels, dtype=np.int64)
    n = len(y)
    if matrix.shape[0] != n:
        raise ValueError("features and labels differ in length")
    prior_rows = [int(p) for p in priors]
    decided = np.zeros(n, dtype=bool)
    decided[prior_rows] = True
    train_rows = list(prior_rows)
    n_relevant = int(y.sum() - y[prior_rows].sum())
    target = math.ceil(stop_recall * n_relevant) if n_relevant else 0
    rng = np.random.default_rng(seed)
    screened: list[int] = []
    found = 0
    run_of = 0  # excludes in a row among the decisions so far (priors: include, then exclude)
    for row in prior_rows:
        run_of = 0 if y[row] else run_of + 1
    step_seconds: list[float] = []
    queue: list[int] = []
    while found < target and len(screened) + len(prior_rows) < n:
        if not queue:
            start = time.perf_counter()
            rows = np.asarray(train_rows, dtype=np.int64)
            y_train = y[rows]
            if y_train.min() == y_train.max():
                scores = None  # cold start: import order
            else:
                scores = _fit_rows(config, matrix, rows, y_train, seed, run_of, nb_matrix)
            pool = np.flatnonzero(~decided)
            order = pool if scores is None else pool[np.argsort(-scores[pool], kind="stable")]
            step_seconds.append(time.perf_counter() - start)
            queue = list(order[:retrain_every])
            queue.reverse()  # pop() from the end = best first
        if config.exploration and rng.random() < config.exploration:
            pool = np.flatnonzero(~decided)
            row = int(rng.choice(pool))
            if row in queue:
                queue.remove(row)
        else:
            row = int(queue.pop())
        decided[row] = True
        train_rows.append(row)
        screened.append(row)
        found += int(y[row])
        run_of = 0 if y[row] else run_of + 1
    return SimulationResult(
        n_records=n,
        n_priors=len(prior_rows),
        n_relevant=n_relevant,
        screened=screened,
        labels=[int(y[r]) for r in screened],
        step_seconds=step_seconds,
    )
