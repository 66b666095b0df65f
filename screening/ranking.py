"""Prioritised screening: rank a review's undecided records by likely relevance.

Pure (no Django): the Celery task feeds it texts and decisions and stores the order it returns.

The model, chosen with ``bench/prioritise.py`` (see its docstring for the comparison and how far
to trust it): TF-IDF over title + abstract (word 1-2-grams, sublinear tf) fitted once on *all*
records of the review, then, after each batch of decisions, a linear SVM and (while fewer than
60 includes are decided) a naive Bayes model trained on the decided records score every record;
the queue shows the undecided ones highest score first ("max" query), records with no usable
word first of all.

Typical use (one review)::

    features = ReviewFeatures.build(texts)          # once per review / record set (cacheable)
    scores = rank(features, {row: label, ...})      # after each batch of decisions
    if scores is None: keep import order            # cold start: no include or no exclude yet
    queue = queue_order(scores, decided_rows)        # undecided rows, most likely relevant first

Simulation (``simulate``) replays a labelled review with this model as the reviewer, and the
metric helpers (``screening_metrics``) compute WSS@95, recall at x % screened, ERF@10 and the
number of records screened to reach 95 % recall, with the priors left out (see their docstrings).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.naive_bayes import ComplementNB, MultinomialNB
from sklearn.svm import LinearSVC

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


# --------------------------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelConfig:
    """Everything that defines the ranking model. ``DEFAULT_CONFIG`` is the tuned choice.

    classifier: ``svm`` (LinearSVC, squared hinge), ``lr`` (logistic regression, liblinear),
      ``sgd_hinge`` / ``sgd_log`` (SGDClassifier), ``nb`` (MultinomialNB), ``cnb`` (ComplementNB),
      ``nb+svm`` (mean of the two models' rank-normalised scores).
    C: inverse regularisation of svm / lr; alpha: NB smoothing, or SGD's regularisation.
    balance_ratio: sample weights so that the included decisions weigh ``balance_ratio`` times
      as much, in total, as the excluded ones (ASReview's "balanced" sampler); None = unweighted.
    min_df / max_df / ngram_max / sublinear_tf / stop_words / char_ngrams: TF-IDF variants
      (default word 1-2-grams, sublinear tf); char_ngrams adds char_wb 3-5-grams as columns.
    exploration: chance that a simulated pick (or a queue slot) is a random undecided record
      instead of the top-scored one (0 = pure "max" query).
    textless: where records with no usable word (no title or abstract, or only words no other
      record has) go: ``intercept`` (scored like any record: the model's intercept), ``neutral``
      (score 0 / the middle rank, the model's "no evidence" point) or ``first`` (ahead of every
      ranked record: the model cannot judge them, so the reviewer sees them early).
    nb_weight: weight of the naive Bayes ranks in ``nb+svm`` (the SVM's get 1 - nb_weight).
    nb_until: ``nb+svm`` only while fewer than this many includes are decided; from then on the
      SVM alone (None = always the mix).
    max_train_excluded: train on every include and at most this many excludes (a seeded random
      sample, independent of the order decisions are given in); None = all.
    """

    classifier: str = "svm"
    C: float = 0.1
    alpha: float = 1.0
    balance_ratio: float | None = 10.0
    min_df: int = 1
    max_df: float = 0.95
    ngram_max: int = 2
    sublinear_tf: bool = True
    stop_words: str | None = None
    char_ngrams: bool = False
    exploration: float = 0.0
    textless: str = "intercept"
    max_train_excluded: int | None = None
    nb_weight: float = 0.5
    nb_until: int | None = None

    def label(self) -> str:
        parts = [self.classifier]
        if self.classifier in {"svm", "lr", "nb+svm"}:
            parts.append(f"C={self.C:g}")
        if self.classifier in {"nb", "cnb", "nb+svm", "sgd_hinge", "sgd_log"}:
            parts.append(f"alpha={self.alpha:g}")
        parts.append(f"bal={self.balance_ratio if self.balance_ratio is not None else 'none'}")
        if self.ngram_max != 2:
            parts.append(f"ngram=1-{self.ngram_max}")
        if not self.sublinear_tf:
            parts.append("raw_tf")
        if self.min_df != 1:
            parts.append(f"min_df={self.min_df}")
        if self.max_df != 0.95:
            parts.append(f"max_df={self.max_df:g}")
        if self.stop_words:
            parts.append(f"stop={self.stop_words}")
        if self.char_ngrams:
            parts.append("char")
        if self.exploration:
            parts.append(f"explore={self.exploration:g}")
        if self.textless != "intercept":
            parts.append(f"textless={self.textless}")
        if self.classifier == "nb+svm" and self.nb_weight != 0.5:
            parts.append(f"nb_weight={self.nb_weight:g}")
        if self.classifier == "nb+svm" and self.nb_until is not None:
            parts.append(f"nb_until={self.nb_until}")
        if self.max_train_excluded is not None:
            parts.append(f"max_excl={self.max_train_excluded}")
        return ",".join(parts)


# Chosen with bench/prioritise.py --candidates (how, and how much to trust it: see its docstring):
# ASReview's elas_u4 SVM (C 0.11, includes weighted 9.8x in total, word 1-2-grams) mixed, while
# fewer than 60 includes are decided, with a naive Bayes model on the same features (the mean of
# the two models' normalised ranks: NB learns from few examples, the SVM overtakes it once it has
# many); terms must occur in 2+ records; records with no usable word are queued first (the model
# cannot judge them: left to their intercept they sank to the end of the queue, and one such
# include decided cohen2006_adhd's WSS@95); at most 1,000 sampled excludes train the models
# (bounds the fit time of large reviews; no WSS change measured).
DEFAULT_CONFIG = ModelConfig(
    classifier="nb+svm",
    C=0.11,
    alpha=3.822,
    balance_ratio=9.8,
    min_df=2,
    max_df=0.95,
    textless="first",
    max_train_excluded=1000,
    nb_weight=0.5,
    nb_until=60,
)


# --------------------------------------------------------------------------------------------
# Features
# --------------------------------------------------------------------------------------------


def record_text(title: str | None, abstract: str | None) -> str:
    """The text the model sees for one record: title and abstract."""
    return f"{title or ''}\n{abstract or ''}".strip()


@dataclass
class ReviewFeatures:
    """TF-IDF of every record of one review, fitted once, reused by every retrain.

    Row i is the i-th text given to ``build``; labels passed to ``rank`` use these row numbers.
    ``fingerprint`` identifies the record set (rebuild when records are added or removed).
    Serialise with ``to_bytes`` / ``from_bytes`` to cache it outside the process.
    """

    matrix: sp.csr_matrix
    fingerprint: str = ""
    config_key: str = ""

    @property
    def n_records(self) -> int:
        return self.matrix.shape[0]

    @staticmethod
    def fingerprint_of(texts: Sequence[str]) -> str:
        digest = hashlib.sha256()
        for text in texts:
            digest.update(text.encode("utf-8", "replace"))
            digest.update(b"\x00")
        return digest.hexdigest()

    @classmethod
    def build(cls, texts: Sequence[str], config: ModelConfig = DEFAULT_CONFIG) -> ReviewFeatures:
        texts = [text or "" for text in texts]
        matrix = _tfidf(texts, config)
        return cls(
            matrix=matrix,
            fingerprint=cls.fingerprint_of(texts),
            config_key=_feature_key(config),
        )

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        sp.save_npz(buffer, self.matrix, compressed=False)
        header = f"{self.fingerprint}\n{self.config_key}\n".encode()
        return len(header).to_bytes(4, "big") + header + buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> ReviewFeatures:
        size = int.from_bytes(data[:4], "big")
        fingerprint, config_key = data[4 : 4 + size].decode().split("\n")[:2]
        matrix = sp.load_npz(io.BytesIO(data[4 + size :])).tocsr()
        return cls(matrix=matrix, fingerprint=fingerprint, config_key=config_key)


def _feature_key(config: ModelConfig) -> str:
    return (
        f"{config.min_df}|{config.max_df}|{config.stop_words}|{config.char_ngrams}"
        f"|{config.ngram_max}|{config.sublinear_tf}"
    )


def _tfidf(texts: list[str], config: ModelConfig) -> sp.csr_matrix:
    n = len(texts)
    # max_df as a fraction misbehaves on tiny reviews (every word in "most" records).
    max_df = config.max_df if n >= 20 else 1.0
    min_df = config.min_df if n >= 20 else 1
    word = TfidfVectorizer(
        ngram_range=(1, config.ngram_max),
        sublinear_tf=config.sublinear_tf,
        min_df=min_df,
        max_df=max_df,
        stop_words=config.stop_words,
        dtype=np.float64,
    )
    try:
        matrix = word.fit_transform(texts)
    except ValueError:  # empty vocabulary: no usable text at all
        matrix = sp.csr_matrix((n, 1), dtype=np.float64)
    if config.char_ngrams:
        char = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(3, 5),
            sublinear_tf=True,
            min_df=max(2, min_df) if n >= 20 else 1,
            max_df=max_df,
            dtype=np.float64,
        )
        with contextlib.suppress(ValueError):  # no character n-grams: words only
            matrix = sp.hstack([matrix, char.fit_transform(texts)]) * math.sqrt(0.5)
    # float64 with sorted indices: what liblinear takes without a per-fit copy.
    matrix = sp.csr_matrix(matrix, dtype=np.float64)
    matrix.sort_indices()
    return matrix


# --------------------------------------------------------------------------------------------
# Model
# --------------------------------------------------------------------------------------------


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
    config: ModelConfig, matrix: sp.csr_matrix, rows: np.ndarray, y: np.ndarray, seed: int
) -> np.ndarray:
    keep = _training_rows(rows, y, config, seed)
    return _fit_score(config, matrix[rows[keep]], y[keep], matrix, seed)


def _fit_score(
    config: ModelConfig, x_train: sp.csr_matrix, y: np.ndarray, x_all: sp.csr_matrix, seed: int
) -> np.ndarray:
    scores = _model_scores(config, x_train, y, x_all, seed)
    if config.textless != "intercept":
        textless = np.diff(x_all.indptr) == 0
        if textless.any():
            if config.textless == "first":
                scores[textless] = scores[~textless].max(initial=0.0) + 1.0
            elif config.textless == "neutral":
                scores[textless] = 0.0 if config.classifier != "nb+svm" else 0.5
            else:
                raise ValueError(f"unknown textless policy {config.textless!r}")
    return scores


def _model_scores(
    config: ModelConfig, x_train: sp.csr_matrix, y: np.ndarray, x_all: sp.csr_matrix, seed: int
) -> np.ndarray:
    weight = _sample_weight(y, config.balance_ratio)
    kind = config.classifier
    if kind == "nb+svm" and config.nb_until is not None and y.sum() >= config.nb_until:
        kind = "svm"
    if kind == "nb+svm":
        nb = _model_scores(_with(config, classifier="nb"), x_train, y, x_all, seed)
        svm = _model_scores(_with(config, classifier="svm"), x_train, y, x_all, seed)
        w = config.nb_weight
        return w * _rank_normalise(nb) + (1.0 - w) * _rank_normalise(svm)
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


def rank(
    features: ReviewFeatures | sp.csr_matrix,
    labels: Mapping[int, int],
    config: ModelConfig = DEFAULT_CONFIG,
    seed: int = 0,
) -> np.ndarray | None:
    """Relevance scores for every record (index-aligned with the features' rows).

    ``labels`` maps row number -> decision (1 include, 0 exclude) for the decided records.
    Higher score = more likely relevant. Returns None at the cold start (no include or no
    exclude yet): the caller keeps import order. Deterministic for a given seed.
    """
    matrix = features.matrix if isinstance(features, ReviewFeatures) else features
    if not labels:
        return None
    rows = np.fromiter(labels.keys(), dtype=np.int64, count=len(labels))
    y = np.fromiter((1 if labels[r] else 0 for r in labels), dtype=np.int64, count=len(labels))
    if y.min() == y.max():
        return None
    return _fit_rows(config, matrix, rows, y, seed)


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


# --------------------------------------------------------------------------------------------
# Simulation and metrics
# --------------------------------------------------------------------------------------------


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
                scores = _fit_rows(config, matrix, rows, y_train, seed)
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
    return SimulationResult(
        n_records=n,
        n_priors=len(prior_rows),
        n_relevant=n_relevant,
        screened=screened,
        labels=[int(y[r]) for r in screened],
        step_seconds=step_seconds,
    )


@dataclass
class ScreeningMetrics:
    wss95: float
    recall10: float
    recall25: float
    recall50: float
    erf10: float
    screened_to_95: int
    n: int
    n_relevant: int


def screening_metrics(order_labels: Sequence[int], n: int, n_relevant: int) -> ScreeningMetrics:
    """Metrics of one screening order, priors left out.

    order_labels: labels (1 relevant, 0 not) of the records in the order they were screened,
      priors excluded; may stop early (after the last relevant record): the rest count as 0.
    n: records outside the priors (N); n_relevant: relevant records outside the priors (R).

    - screened_to_95: records screened until ceil(0.95 R) relevant records had been found.
    - WSS@95 = (N - screened_to_95) / N - 0.05 (Cohen et al. 2006, as in shared/data/README).
    - recall@x = relevant found among the first floor(x N) records screened / R
      (ASReview Insights' "RRF@x" reading of the recall curve).
    - ERF@10 ("Extra Relevant records Found", ASReview Insights): relevant found after screening
      floor(0.10 N) records, minus the 0.10 R that random screening finds on average, as a
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

    def recall_at(fraction: float) -> float:
        k = math.floor(fraction * n + 1e-9)
        return float(found[k - 1]) / n_relevant if k > 0 else 0.0

    recall10 = recall_at(0.10)
    return ScreeningMetrics(
        wss95=(n - screened_to_95) / n - 0.05,
        recall10=recall10,
        recall25=recall_at(0.25),
        recall50=recall_at(0.50),
        erf10=recall10 - 0.10,
        screened_to_95=screened_to_95,
        n=n,
        n_relevant=n_relevant,
    )


def simulation_metrics(result: SimulationResult) -> ScreeningMetrics:
    return screening_metrics(result.labels, result.n_records - result.n_priors, result.n_relevant)
