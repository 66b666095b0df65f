"""Prioritised screening: rank a review's undecided records by likely relevance.

Pure (no Django): the Celery task feeds it texts and decisions and stores the order it returns.

The model, chosen with ``bench/prioritise.py`` (see its docstring for the comparison and how far
to trust it): TF-IDF over title + abstract (word 1-2-grams, sublinear tf) fitted once on *all*
records of the review, then, after each batch of decisions, a linear SVM and (while fewer than
60 includes are decided) a naive Bayes model trained on the decided records score every record;
the queue shows the undecided ones highest score first ("max" query); records with no title or
abstract wait at the end until the latest 100 decisions are all excludes, then come first (the
caller passes that run: ``rank(..., excludes_in_a_row=...)``).

Typical use (one review)::

    features = ReviewFeatures.build(texts)          # once per review / record set (cacheable)
    scores = rank(features, {row: label, ...})      # after each batch of decisions
    if scores is None: keep import order            # cold start: no include or no exclude yet
    queue = queue_order(scores, decided_rows)        # undecided rows, most likely relevant first

Simulation (``simulate``) replays a labelled review with this model as the reviewer, and the
metric helpers (``screening_metrics``) compute WSS@95, recall at x % screened, ERF@10 and the
number of records screened to reach 95 % recall, with the priors left out (see their docstrings).

The package, one concern a module (each well under the house ~400-line guide):

- ``config``: ``ModelConfig`` (every choice the model makes) and the tuned ``DEFAULT_CONFIG``;
- ``features``: ``record_text`` and ``ReviewFeatures`` (the review's TF-IDF, cacheable);
- ``model``: the classifiers, trained on the decided rows and scoring every row (internal);
- ``scoring``: ``rank`` and ``queue_order``, what the worker calls after each batch;
- ``simulation``: ``simulate`` and ``asreview_priors``, replaying a labelled review;
- ``metrics``: ``screening_metrics`` and ``simulation_metrics``.

Callers import the package (``from screening import ranking``) and use the names below.
"""

from __future__ import annotations

from .config import DEFAULT_CONFIG, ModelConfig
from .features import ReviewFeatures, record_text
from .metrics import ScreeningMetrics, screening_metrics, simulation_metrics
from .scoring import queue_order, rank
from .simulation import SimulationResult, asreview_priors, simulate

__all__ = [
    "DEFAULT_CONFIG",
    "ModelConfig",
    "ReviewFeatures",
    "ScreeningMetrics",
    "SimulationResult",
    "asreview_priors",
    "queue_order",
    "rank",
    "record_text",
    "screening_metrics",
    "simulate",
    "simulation_metrics",
]
