"""What the app and the benches call after each batch of decisions: scores, then screening order.

``rank`` trains the model on the decided rows and scores every record (None at the cold start);
``queue_order`` turns those scores into the undecided rows in the order to screen them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import scipy.sparse as sp

from .config import DEFAULT_CONFIG, ModelConfig
from .features import ReviewFeatures
from .model import _fit_rows


def rank(
    features: ReviewFeatures | sp.csr_matrix,
    labels: Mapping[int, int],
    config: ModelConfig = DEFAULT_CONFIG,
    seed: int = 0,
    excludes_in_a_row: int = 0,
) -> np.ndarray | None:
    """Relevance scores for every record (index-aligned with the features' rows).

    ``labels`` maps row number -> decision (1 include, 0 exclude) for the decided records.
    Higher score = more likely relevant. Returns None at the cold start (no include or no
    exclude yet): the caller keeps import order. Deterministic for a given seed.
    ``excludes_in_a_row``: how many of the latest decisions are excludes (textless="dry" queues
    the records with no usable word first once it reaches ``config.textless_run``).
    """
    matrix = features.matrix if isinstance(features, ReviewFeatures) else features
    nb_matrix = features.nb_matrix if isinstance(features, ReviewFeatures) else None
    if not labels:
        return None
    rows = np.fromiter(labels.keys(), dtype=np.int64, count=len(labels))
    y = np.fromiter((1 if labels[r] else 0 for r in labels), dtype=np.int64, count=len(labels))
    if y.min() == y.max():
        return None
    return _fit_rows(config, matrix, rows, y, seed, excludes_in_a_row, nb_matrix)


def queue_order(
    scores: np.ndarray | None,
    decided: Sequence[int] | set[int] | np.ndarray = (),
    exploration: float = 0.0,
    seed: int = 0,
) -> np.ndarray:
    """Undecided row numbers in screening order: highest score first, import order on ties.

    With ``scores`` None (cold start) the order is import order. ``exploration`` > 0 makes each
    slot, with that chance, the best-scored record of a random draw instead (seeded).
    """
    n = len(scores) if scores is not None else None
    if n is None:
        raise ValueError("queue_order needs scores; at cold start use import order directly")
    mask = np.ones(n, dtype=bool)
    decided_rows = np.fromiter(decided, dtype=np.int64) if len(decided) else np.array([], int)
    mask[decided_rows] = False
    pool = np.flatnonzero(mask)
    order = pool[np.argsort(-scores[pool], kind="stable")]
    if exploration > 0 and len(order) > 1:
        rng = np.random.default_rng(seed)
        explore = rng.random(len(order)) < exploration
        if explore.any():
            random_rows = rng.permutation(order)
            result, used = [], set()
            top, rand = iter(order), iter(random_rows)
            for slot in explore:
                source = rand if slot else top
                for row in source:
                    if row not in used:
                        used.add(row)
                        result.append(row)
                        break
            order = np.array(result, dtype=np.int64)
    return order
