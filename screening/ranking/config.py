"""The ranking model's settings: ``ModelConfig`` and the tuned ``DEFAULT_CONFIG``.

One frozen dataclass names every choice the model makes (features, classifier, weighting, where
textless records go), so a benchmark can compare variants and the app can label each run with the
configuration it used (``label()`` is stored on the run and keys the feature cache). The
experiment options stay here, next to the default, because the features, model and simulation
modules read them on the same code path the app runs.
"""

from __future__ import annotations

from dataclasses import dataclass


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
      ranked record: the model cannot judge them, so the reviewer sees them early) or ``dry``
      (after every ranked record until the model's supply runs dry: first once the latest
      ``textless_run`` decisions are all excludes, the caller passing that run to ``rank``).
    textless_run: the run of excludes in a row that queues textless records first (``dry``).
    train_textless: False = decided textless records are not training rows (a zero vector
      only moves the intercept and the class balance).
    textless_give_up: ``dry`` only: once this many textless records are decided and none was
      an include, the rest stay last (None = never give up).
    nb_features: the NB half of ``nb+svm`` on its own TF-IDF (a name of
      ``features.NB_FEATURES``, e.g. ``u3``: ASReview elas_u3's unigrams), None = the SVM's.
    nb_weight: weight of the naive Bayes ranks in ``nb+svm`` (the SVM's get 1 - nb_weight).
    nb_until: ``nb+svm`` only while fewer than this many includes are decided; from then on the
      SVM alone (None = always the mix).
    fusion: how ``nb+svm`` combines the two models: ``mean`` (weighted mean of the normalised
      ranks: favours records both rank fairly high) or ``rrf`` (reciprocal rank fusion,
      1 / (60 + rank) summed: a record at the top of either model's list comes early, so the
      queue takes each model's best guesses in turn).
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
    fusion: str = "mean"
    textless_run: int = 50
    textless_give_up: int | None = None
    train_textless: bool = True
    nb_features: str | None = None

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
        if self.textless == "dry":
            parts.append(f"textless_run={self.textless_run}")
            if self.textless_give_up is not None:
                parts.append(f"textless_give_up={self.textless_give_up}")
        if self.classifier == "nb+svm" and self.nb_weight != 0.5:
            parts.append(f"nb_weight={self.nb_weight:g}")
        if self.classifier == "nb+svm" and self.fusion != "mean":
            parts.append(f"fusion={self.fusion}")
        if self.classifier == "nb+svm" and self.nb_features:
            parts.append(f"nb_features={self.nb_features}")
        if self.classifier == "nb+svm" and self.nb_until is not None:
            parts.append(f"nb_until={self.nb_until}")
        if not self.train_textless:
            parts.append("no_textless_training")
        if self.max_train_excluded is not None:
            parts.append(f"max_excl={self.max_train_excluded}")
        return ",".join(parts)


# Chosen with bench/prioritise.py --candidates (how, and how much to trust it: see its docstring):
# ASReview's elas_u4 SVM (C 0.11, includes weighted 9.8x in total, word 1-2-grams) mixed, while
# fewer than 60 includes are decided, with a naive Bayes model on the same features (the mean of
# the two models' normalised ranks: NB learns from few examples, the SVM overtakes it once it has
# many); every term counts (min_df 1: with 2, a record whose words no other record has became
# "textless" too); records with no title and abstract wait at the end of the queue until the
# latest 100 decisions are all excludes, then come first (issue #14: queued first always, they
# cost their share of the review on every set that needs none of them, and left to their
# intercept one such include decided cohen2006_adhd's WSS@95); at most 1,000 sampled excludes
# train the models (bounds the fit time of large reviews; no WSS change measured). Issue #14's
# target (ahead of ASReview's better model by 0.02 on average, never behind by more than 0.02)
# is NOT met by this or any variant measured: see the docstring's figures.
DEFAULT_CONFIG = ModelConfig(
    classifier="nb+svm",
    C=0.11,
    alpha=3.822,
    balance_ratio=9.8,
    min_df=1,
    max_df=0.95,
    textless="dry",
    textless_run=100,
    max_train_excluded=1000,
    nb_weight=0.5,
    nb_until=60,
)
