"""What a ranking run reads and writes beside the model: the review's TF-IDF, cached on disk,
each unscreened record's rank, and the estimate of relevant records left (services.prioritise
runs them; numpy, scipy and scikit-learn load in the worker only, where these are called).
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection, transaction

from reviewapp.models import Review

from ..models import Record

if TYPE_CHECKING:
    import numpy as np

    from .. import ranking

logger = logging.getLogger(__name__)

FEATURE_DIR = "ranking"
UPDATE_BATCH = 2000


def _feature_path(review: Review) -> Path:
    return Path(settings.MEDIA_ROOT) / FEATURE_DIR / f"review-{review.pk}.features"


def review_features(review: Review, ids: list[int]) -> ranking.ReviewFeatures:
    """TF-IDF of the review's records, cached on disk until its record set changes.

    The signature (count, last id, id sum, model) changes when records are imported or marked
    duplicate; reading every text to hash it would cost as much as rebuilding."""
    from .. import ranking

    signature = f"{len(ids)}:{ids[-1] if ids else 0}:{sum(ids)}:{ranking.DEFAULT_CONFIG.label()}"
    path = _feature_path(review)
    if path.exists():
        try:
            cached = ranking.ReviewFeatures.from_bytes(path.read_bytes())
        except (OSError, ValueError) as error:  # a damaged cache is rebuilt, not fatal
            logger.warning("rebuilding ranking features of review %s: %s", review.pk, error)
        else:
            if cached.fingerprint == signature:
                return cached
    texts = (
        ranking.record_text(title, abstract)
        for title, abstract in Record.objects.filter(pk__in=ids)
        .order_by("id")
        .values_list("title", "abstract")
        .iterator(chunk_size=2000)
    )
    features = replace(ranking.ReviewFeatures.build(list(texts)), fingerprint=signature)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".partial", delete=False) as out:
        out.write(features.to_bytes())
    Path(out.name).replace(path)  # readers see the old file or the new one, never half of one
    return features


def store_ranks(review_id: int, ids: list[int], open_rows: list[int], scores: np.ndarray) -> None:
    """Each unscreened record's rank: 1 for the most likely relevant, falling evenly to 1/n.

    Positions, not raw scores, so the hint reads as "top x %" and ties keep import order. Small
    batches, each its own transaction, so a reviewer's row lock never waits long; one statement
    a batch (an ORM bulk_update spent longer building its CASE than the database running it)."""
    import numpy as np

    rows = np.asarray(open_rows)
    order = rows[np.argsort(-scores[rows], kind="stable")]
    n = len(order)
    pairs = [((n - position) / n, ids[row]) for position, row in enumerate(order.tolist())]
    table = connection.ops.quote_name(Record._meta.db_table)
    for start in range(0, n, UPDATE_BATCH):
        batch = pairs[start : start + UPDATE_BATCH]
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                from psycopg2.extras import execute_values

                # Only this review's still-open records; rows a reviewer or the lead holds are
                # skipped (a rank is a hint, and waiting could deadlock with a bulk action that
                # locks in id order too).
                execute_values(
                    cursor.cursor,
                    f"WITH v(rank, id) AS (VALUES %s), locked AS (SELECT r.id FROM {table} r "  # noqa: S608
                    f"JOIN v ON v.id = r.id WHERE r.review_id = {int(review_id)} "
                    "AND r.ta_status = '' ORDER BY r.id FOR UPDATE OF r SKIP LOCKED) "
                    f"UPDATE {table} AS r SET rank = v.rank FROM v JOIN locked USING (id) "
                    "WHERE r.id = v.id",
                    batch,
                    template="(%s::double precision, %s::bigint)",
                    page_size=UPDATE_BATCH,
                )
            else:  # SQLite runs in process: many small statements cost little there
                cursor.executemany(
                    f"UPDATE {table} SET rank = %s WHERE id = %s AND ta_status = ''",  # noqa: S608
                    batch,
                )


def estimate_remaining(scores: np.ndarray, labels: dict[int, int], open_rows: list[int]) -> float:
    """Relevant records expected among the unscreened: the sum of their probabilities, the
    scores mapped to probabilities by a logistic fit on the screened records (Platt scaling).

    Fitted on the records the model trained on, so it leans optimistic; the lead sees it as an
    estimate beside the consecutive-excludes signal, never as a reason on its own."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    rows = np.fromiter(labels.keys(), dtype=int)
    y = np.fromiter(labels.values(), dtype=int)
    calibration = LogisticRegression(C=1.0)
    calibration.fit(scores[rows].reshape(-1, 1), y)
    unscreened = scores[np.asarray(open_rows)].reshape(-1, 1)
    return float(calibration.predict_proba(unscreened)[:, 1].sum())
