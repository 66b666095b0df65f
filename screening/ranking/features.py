"""Features: the text a record shows the model, and its TF-IDF over one review's records.

Fitted once on every record of the review and reused by every retrain (the worker caches it on
disk with ``to_bytes`` / ``from_bytes``), so it lives apart from the models trained on it.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from .config import DEFAULT_CONFIG, ModelConfig


def record_text(title: str | None, abstract: str | None) -> str:
    """The text the model sees for one record: title and abstract."""
    return f"{title or ''}\n{abstract or ''}".strip()


@dataclass
class ReviewFeatures:
    """TF-IDF of every record of one review, fitted once, reused by every retrain.

    Row i is the i-th text given to ``build``; labels passed to ``rank`` use these row numbers.
    ``fingerprint`` identifies the record set (rebuild when records are added or removed).
    ``nb_matrix``: the naive Bayes half's own features when the config names them
    (``nb_features``), else None (NB reads ``matrix`` too).
    Serialise with ``to_bytes`` / ``from_bytes`` to cache it outside the process.
    """

    matrix: sp.csr_matrix
    fingerprint: str = ""
    config_key: str = ""
    nb_matrix: sp.csr_matrix | None = None

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
        nb_config = NB_FEATURES.get(config.nb_features) if config.nb_features else None
        if config.nb_features and nb_config is None:
            raise ValueError(f"unknown nb_features {config.nb_features!r}")
        return cls(
            matrix=matrix,
            fingerprint=cls.fingerprint_of(texts),
            config_key=_feature_key(config),
            nb_matrix=_tfidf(texts, nb_config) if nb_config else None,
        )

    def to_bytes(self) -> bytes:
        blobs = []
        for matrix in (self.matrix, self.nb_matrix):
            if matrix is not None:
                buffer = io.BytesIO()
                sp.save_npz(buffer, matrix, compressed=False)
                blobs.append(buffer.getvalue())
        header = f"{self.fingerprint}\n{self.config_key}\n{len(blobs[0])}\n".encode()
        return len(header).to_bytes(4, "big") + header + b"".join(blobs)

    @classmethod
    def from_bytes(cls, data: bytes) -> ReviewFeatures:
        size = int.from_bytes(data[:4], "big")
        fingerprint, config_key, first = data[4 : 4 + size].decode().split("\n")[:3]
        body = data[4 + size :]
        end = int(first) if first else len(body)  # a cache written before nb_matrix: one
        matrix = sp.load_npz(io.BytesIO(body[:end])).tocsr()
        nb_matrix = sp.load_npz(io.BytesIO(body[end:])).tocsr() if len(body) > end else None
        return cls(matrix, fingerprint, config_key, nb_matrix)


# The naive Bayes half's own features (ModelConfig.nb_features): "u3" is ASReview's elas_u3
# (word unigrams, raw term counts, English stop words, no max_df), the NB model that wins the
# reviews where the SVM's features lose.
NB_FEATURES = {
    "u3": ModelConfig(ngram_max=1, sublinear_tf=False, max_df=1.0, stop_words="english"),
    "u3_mindf2": ModelConfig(
        ngram_max=1, sublinear_tf=False, max_df=1.0, stop_words="english", min_df=2
    ),
}


def _feature_key(config: ModelConfig) -> str:
    return (
        f"{config.min_df}|{config.max_df}|{config.stop_words}|{config.char_ngrams}"
        f"|{config.ngram_max}|{config.sublinear_tf}|{config.nb_features}"
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
