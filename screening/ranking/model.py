"""The classifiers: train on the decided records' features, score every record.

Internals shared by ``scoring.rank`` (the app, after each batch of decisions) and
``simulation.simulate`` (replaying a labelled review): the sampling and weighting of training
rows, each classifier ``ModelConfig`` names, the NB + SVM mix, and where textless records go.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.naive_bayes import ComplementNB, MultinomialNB
from sklearn.svm import LinearSVC

from .config import ModelConfig


def _sample_weight(y: np.ndarray, ratio: float | None) -> np.ndarray | None:
    if ratio is None:
        return None
    n_pos = int(y.sum())
    n_neg = len(y) - n_pos
    weights = np.where(y == 1, 1.0, n_pos / (ratio * n_neg))
    return weights * (len(y) / weights.sum())


def _rank_normalise(scores: np.ndarray) -> np.ndarray:
    order = np.argsort(scores, kind="stable")
    ranks = np.empty(len(scores), dtype=np.float64)
    ranks[order] = np.arange(len(scores), dtype=np.float64)
    return ranks / max(1, len(scores) - 1)


def _reciprocal_rank(scores: np.ndarray, k: float = 60.0) -> np.ndarray:
    """1 / (k + rank), rank 1 = the highest score (ties: import order); k = 60 as in Cormack et
    al.'s reciprocal rank fusion. Scaled by k so the best record scores ~1."""
    order = np.argsort(-scores, kind="stable")
    ranks = np.empty(len(scores), dtype=np.float64)
    ranks[order] = np.arange(1, len(scores) + 1, dtype=np.float64)
    return k / (k + ranks)


def _training_rows(rows: np.ndarray, y: np.ndarray, config: ModelConfig, seed: int) -> np.ndarray:
    """Positions (into rows/y) to train on: every include, and the excludes, or a seeded random
    sample of max_train_excluded of them (bounds the fit time of big reviews)."""
    cap = config.max_train_excluded
    excluded = np.flatnonzero(y == 0)
    if cap is None or len(excluded) <= cap:
        return np.arange(len(rows))
    excluded = excluded[np.argsort(rows[excluded], kind="stable")]  # independent of input order
    keep = np.random.default_rng(seed).choice(excluded, cap, replace=False)
    return np.sort(np.concatenate([np.flatnonzero(y == 1), keep]))


def _fit_rows(
    config: ModelConfig,
    matrix: sp.csr_matrix,
    rows: np.ndarray,
    y: np.ndarray,
    seed: int,
    excludes_in_a_row: int = 0,
    nb_matrix: sp.csr_matrix | None = None,
) -> np.ndarray:
    """Train on ``rows`` (labels ``y``) and score every row, textless ones where the policy
    puts them; ``nb_matrix``: the NB half's own features (config.nb_features), None = matrix."""
    textless = np.diff(matrix.indptr) == 0
    if not config.train_textless and textless[rows].any():
        # A textless row is a zero vector: as training data it only moves the intercept
        # and the class balance, never a word's weight.
        with_text = ~textless[rows]
        train_rows, train_y = rows[with_text], y[with_text]
        if not len(train_y) or train_y.min() == train_y.max():  # no include or exclude: all
            train_rows, train_y = rows, y
    else:
        train_rows, train_y = rows, y
    keep = _training_rows(train_rows, train_y, config, seed)
    nb = (nb_matrix[train_rows[keep]], nb_matrix) if nb_matrix is not None else None
    scores = _model_scores(config, matrix[train_rows[keep]], train_y[keep], matrix, seed, nb)
    if config.textless != "intercept" and textless.any():
        policy = _textless_policy(config, textless, rows, y, excludes_in_a_row)
        if policy == "first":
            scores[textless] = scores[~textless].max(initial=0.0) + 1.0
        elif policy == "last":
            scores[textless] = scores[~textless].min(initial=0.0) - 1.0
        elif policy == "neutral":
            scores[textless] = 0.0 if config.classifier != "nb+svm" else 0.5
        else:
            raise ValueError(f"unknown textless policy {config.textless!r}")
    return scores


def _textless_policy(
    config: ModelConfig, textless: np.ndarray, rows: np.ndarray, y: np.ndarray, run: int
) -> str:
    """``dry``: textless records first once ``run`` excludes are in a row, else last; and last
    for good once textless_give_up of them are decided without one include (they are not
    where this review's includes are: every further one would cost a record screened)."""
    if config.textless != "dry":
        return config.textless
    if config.textless_give_up is not None:
        decided = textless[rows]
        if decided.sum() >= config.textless_give_up and not y[decided].any():
            return "last"
    return "first" if run >= config.textless_run else "last"


def _model_scores(
    config: ModelConfig,
    x_train: sp.csr_matrix,
    y: np.ndarray,
    x_all: sp.csr_matrix,
    seed: int,
    nb: tuple[sp.csr_matrix, sp.csr_matrix] | None = None,
) -> np.ndarray:
    weight = _sample_weight(y, config.balance_ratio)
    kind = config.classifier
    if kind == "nb+svm" and config.nb_until is not None and y.sum() >= config.nb_until:
        kind = "svm"
    if kind == "nb+svm":
        nb_train, nb_all = nb if nb is not None else (x_train, x_all)
        bayes = _model_scores(_with(config, classifier="nb"), nb_train, y, nb_all, seed)
        svm = _model_scores(_with(config, classifier="svm"), x_train, y, x_all, seed)
        w = config.nb_weight
        if config.fusion == "rrf":
            return w * _reciprocal_rank(bayes) + (1.0 - w) * _reciprocal_rank(svm)
        if config.fusion != "mean":
            raise ValueError(f"unknown fusion {config.fusion!r}")
        return w * _rank_normalise(bayes) + (1.0 - w) * _rank_normalise(svm)
    if kind == "svm":
        model = LinearSVC(C=config.C, loss="squared_hinge", random_state=seed, max_iter=2000)
    elif kind == "lr":
        model = LogisticRegression(C=config.C, solver="liblinear", random_state=seed)
    elif kind in {"sgd_hinge", "sgd_log"}:
        model = SGDClassifier(
            loss="hinge" if kind == "sgd_hinge" else "log_loss",
            alpha=config.alpha,
            random_state=seed,
            max_iter=50,
            tol=1e-4,
        )
    elif kind == "nb":
        model = MultinomialNB(alpha=config.alpha)
    elif kind == "cnb":
        model = ComplementNB(alpha=config.alpha)
    else:
        raise ValueError(f"unknown classifier {kind!r}")
    model.fit(x_train, y, sample_weight=weight)
    if kind in {"nb", "cnb"}:
        # log P(x, relevant) - log P(x, irrelevant), without sklearn's per-call input checks
        log_prob = model.feature_log_prob_
        return x_all @ (log_prob[1] - log_prob[0]) + (
            model.class_log_prior_[1] - model.class_log_prior_[0]
        )
    # the decision function without sklearn's per-call input checks and copies
    return x_all @ model.coef_.ravel() + model.intercept_[0]


def _with(config: ModelConfig, **changes) -> ModelConfig:
    return replace(config, **changes)
