"""Dense encoders behind one small interface, and how an operator names one.

Two backends:

- ``lsa`` (default, nothing to install or download): latent semantic analysis fitted on the
  indexed texts themselves — words, concept tokens and character bigrams, TF-IDF, then a
  truncated randomized SVD, sized to the corpus. Words that occur in the same kind of texts land near each other,
  which lexical matching alone cannot see.
- ``sentence-transformers:PATH``: a sentence-transformers model the operator has copied to PATH
  (for example a multilingual MiniLM or a BGE model). Loaded with ``local_files_only``; nothing
  is fetched. Needs the optional ``sentence-transformers`` package.

An encoder that cannot be used raises :class:`EncoderUnavailable` once, when it is made; the
index then reports it and ranks lexically.
"""

from __future__ import annotations

import json
import math
from array import array
from pathlib import Path
from typing import Protocol

import numpy as np

from rainforest.core.matching.normalise import normalise
from rainforest.core.matching.tokenise import Tokeniser

DEFAULT_ENCODER = "lsa"


class EncoderUnavailable(Exception):
    """The named encoder cannot run here; ``code`` says why (for the caller to word)."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


class Encoder(Protocol):
    spec: str
    learns: bool  # whether fit() learns from the texts (then it reads the shipped ones too)

    def fit(self, texts: list[str]) -> None: ...

    def encode(self, texts: list[str]) -> np.ndarray:
        """(len(texts), dim) float32 rows of unit length (a zero row for an empty text)."""
        ...

    def save(self, folder: Path) -> None: ...


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms


class LsaEncoder:
    """TF-IDF over the fitted texts' own words and character bigrams, reduced by a truncated SVD.

    The model is sized to its corpus: its features are the ones the fitted texts use (those seen
    in at least two texts once the corpus is large), at most MAX_FEATURES, and it has one dimension
    for every TEXTS_PER_DIMENSION texts, from MIN_DIMENSIONS to DIMENSIONS: a few hundred texts
    cannot support 128 independent topics, and fewer dimensions group their words more (measured on
    the development part: 64 to 96 dimensions rank better than 128 at about 600 texts). Below 64
    dimensions unrelated texts look alike (a mean similarity of 0.4 between a need and capabilities
    judged irrelevant, at 16 dimensions and 110 texts), and the calibrated levels would call them
    possible matches: MIN_DIMENSIONS keeps small corpora above that. A word the
    model never saw carries no meaning for it, so a text is encoded over the known features only.
    """

    spec = "lsa"
    learns = True
    MAX_FEATURES = 2**17
    DIMENSIONS = 128
    MIN_DIMENSIONS = 64
    TEXTS_PER_DIMENSION = 8
    SMALL_CORPUS = 2000  # below this every feature counts, even one seen in a single text

    def __init__(self, tokeniser: Tokeniser):
        self._tokeniser = tokeniser
        self._vocabulary: dict[str, int] | None = None
        self._idf: np.ndarray | None = None
        self._projection: np.ndarray | None = None  # (features, dim), C-contiguous
        self._texts: int | None = None  # how many texts it was fitted on (the shipped ones included)

    @property
    def fitted(self) -> bool:
        return self._projection is not None

    def _features(self, text: str) -> list[str]:
        normalised = normalise(text)
        words = self._tokeniser.tokens(normalised, normalised=True)
        han = normalised.replace(" ", "")
        return words + [han[i : i + 2] for i in range(len(han) - 1)]

    def _counts(self, texts: list[str]):
        """Sublinear term counts over the model's vocabulary, as a CSR matrix."""
        vocabulary = self._vocabulary or {}
        rows = []
        for text in texts:
            columns = np.array([vocabulary.get(f, -1) for f in self._features(text)], dtype=np.int64)
            rows.append(np.unique(columns, return_counts=True))
        return _sparse_rows(rows, len(vocabulary))

    def _weighted(self, counts):
        weighted = counts.multiply(self._idf).tocsr()
        norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return csr_rows_scaled(weighted, 1.0 / norms)

    def fit(self, texts: list[str]) -> None:
        self.fit_transform(texts)

    def fit_transform(self, texts: list[str]) -> np.ndarray | None:
        """Fit on ``texts`` and return their vectors (None when too few to learn from). Each text is
        read once: its features become provisional ids, so the strings never pile up."""
        if len(texts) < 3:
            self._projection = None
            return None
        # One pass over the texts into a CSR matrix over provisional columns (compact arrays, no
        # per-text objects: 200,000 texts would otherwise hold a gigabyte of small arrays).
        provisional: dict[str, int] = {}
        indptr, indices, counts = array("q", [0]), array("i"), array("f")
        for text in texts:
            counted: dict[int, int] = {}
            for feature in self._features(text):
                column = provisional.setdefault(feature, len(provisional))
                counted[column] = counted.get(column, 0) + 1
            indices.extend(counted)
            counts.extend(counted.values())
            indptr.append(len(indices))
        columns = np.frombuffer(indices, dtype=np.int32)
        df = np.bincount(columns, minlength=len(provisional))
        floor = 1 if len(texts) < self.SMALL_CORPUS else 2
        names = list(provisional)
        del provisional
        # Most frequent first, ties by the feature itself: the same texts always give the same model.
        order = sorted(np.flatnonzero(df >= floor).tolist(), key=lambda i: (-df[i], names[i]))[: self.MAX_FEATURES]
        if len(order) < 2:
            self._projection = None
            return None
        column = np.full(len(names), -1, dtype=np.int32)
        column[order] = np.arange(len(order), dtype=np.int32)
        self._vocabulary = {names[i]: int(column[i]) for i in order}
        self._idf = (np.log((1 + len(texts)) / (1 + df[order].astype(np.float32))) + 1).astype(np.float32)
        self._texts = len(texts)
        matrix = self._weighted(_kept_columns(indptr, column[columns], np.frombuffer(counts, np.float32), len(order)))
        del indices, counts, columns
        sized = min(self.DIMENSIONS, max(self.MIN_DIMENSIONS, len(texts) // self.TEXTS_PER_DIMENSION))
        dims = max(1, min(sized, len(texts) - 1, len(order) - 1))
        self._projection = np.ascontiguousarray(_top_components(matrix, dims).T, dtype=np.float32)
        return _unit_rows(matrix @ self._projection)

    def encode(self, texts: list[str]) -> np.ndarray:
        if self._projection is None:
            raise EncoderUnavailable("encoder_not_fitted")
        return _unit_rows(self._weighted(self._counts(texts)) @ self._projection)

    def share(self, feature: str) -> float | None:
        """The share of the texts it was fitted on that hold ``feature``, read back from its idf
        (None when unknown: a snapshot saved before the count was kept). The shipped texts make
        this the domain's measure of a common word, where a new platform's few offers cannot."""
        if self._vocabulary is None or self._idf is None or not self._texts:
            return None
        column = self._vocabulary.get(feature)
        if column is None:
            return 0.0  # the vocabulary keeps the most frequent features: one left out is rare
        held = (1 + self._texts) / math.exp(float(self._idf[column]) - 1) - 1
        return max(0.0, held) / self._texts

    def save(self, folder: Path) -> None:
        if self._projection is not None:
            np.savez(folder / "lsa.npz", idf=self._idf, projection=self._projection, texts=np.int64(self._texts or 0))
            terms = sorted(self._vocabulary, key=self._vocabulary.__getitem__)
            (folder / "lsa-vocabulary.json").write_text(json.dumps(terms, ensure_ascii=False), encoding="utf-8")

    def load(self, folder: Path) -> None:
        path, terms = folder / "lsa.npz", folder / "lsa-vocabulary.json"
        if path.exists() and terms.exists():
            data = np.load(path)
            self._idf, self._projection = data["idf"], data["projection"]
            self._texts = int(data["texts"]) or None if "texts" in data.files else None
            words = json.loads(terms.read_text(encoding="utf-8"))
            self._vocabulary = {feature: column for column, feature in enumerate(words)}


def _kept_columns(indptr, columns: np.ndarray, counts: np.ndarray, width: int):
    """A CSR matrix of sublinear counts from rows over provisional columns already mapped to the
    kept ones (-1 for a dropped feature, removed here)."""
    from scipy.sparse import csr_matrix

    keep = columns >= 0
    rows = np.repeat(np.arange(len(indptr) - 1), np.diff(np.frombuffer(indptr, dtype=np.int64)))[keep]
    matrix = csr_matrix((1 + np.log(counts[keep]), (rows, columns[keep])), shape=(len(indptr) - 1, width))
    matrix.sum_duplicates()
    return matrix


def _sparse_rows(rows, width: int):
    """A CSR matrix of sublinear counts from (columns, counts) per row; negative columns (features
    the model does not know) are dropped."""
    from scipy.sparse import csr_matrix

    indptr, indices, data = [0], [], []
    for columns, counts in rows:
        known = columns >= 0
        indices.append(columns[known])
        data.append(counts[known])
        indptr.append(indptr[-1] + int(known.sum()))
    counts = csr_matrix(
        (
            np.concatenate(data).astype(np.float32) if data else np.zeros(0, np.float32),
            np.concatenate(indices).astype(np.int32) if indices else np.zeros(0, np.int32),
            np.asarray(indptr),
        ),
        shape=(len(rows), width),
    )
    counts.data = 1 + np.log(counts.data)
    return counts


def csr_rows_scaled(matrix, factors: np.ndarray):
    """``matrix`` with row i multiplied by ``factors[i]`` (CSR in, CSR out, float32)."""
    scaled = matrix.astype(np.float32, copy=True)
    scaled.data *= np.repeat(factors.astype(np.float32), np.diff(scaled.indptr))
    return scaled


SINGLE_THREAD_NNZ = 5_000_000


def _top_components(matrix, dims: int, *, oversample: int = 10, iterations: int = 4) -> np.ndarray:
    """The ``dims`` leading right singular vectors of ``matrix`` (dims, features), by the randomized
    range finder with power iterations (Halko, Martinsson and Tropp 2011, algorithms 4.4 and 5.1),
    seeded so the same texts always give the same model.

    Written out here (a dozen lines of numpy) rather than imported from scikit-learn, whose import
    alone costs about a second: more than the rest of a small `rainforest match` run.
    """
    if matrix.nnz < SINGLE_THREAD_NNZ:
        from threadpoolctl import threadpool_limits

        # On a small matrix BLAS's threads only wait on each other: measured 30x the CPU time of
        # one thread for 2,050 texts on two busy cores (0.11 s against 3.1 s).
        with threadpool_limits(1, user_api="blas"):
            return _randomized_components(matrix, dims, oversample, iterations)
    return _randomized_components(matrix, dims, oversample, iterations)


def _randomized_components(matrix, dims: int, oversample: int, iterations: int) -> np.ndarray:
    rng = np.random.default_rng(2026)
    width = min(dims + oversample, min(matrix.shape))
    omega = rng.standard_normal((matrix.shape[1], width), dtype=np.float32)
    # Orthonormalised on the texts' side only: a QR of the (features x width) block would cost
    # more than everything else together once the vocabulary outgrows the texts.
    basis = np.linalg.qr(matrix @ omega)[0]
    for _ in range(iterations):
        basis = np.linalg.qr(matrix @ (matrix.T @ basis))[0]
    small = np.asarray(matrix.T @ basis).T  # basis.T @ matrix, (width, features), from the sparse side
    _u, _s, vt = np.linalg.svd(small, full_matrices=False)
    return vt[:dims]


class SentenceTransformerEncoder:
    """A sentence-transformers model from a local folder; fit() does nothing."""

    PREFIX = "sentence-transformers:"

    def __init__(self, path: str):
        self.spec = self.PREFIX + path
        if not Path(path).is_dir():
            raise EncoderUnavailable("encoder_path_missing", path)
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EncoderUnavailable("encoder_not_installed", "sentence-transformers") from exc
        try:
            self._model = SentenceTransformer(path, device="cpu", local_files_only=True)
        except Exception as exc:  # a broken or foreign folder: report it, do not crash the platform
            raise EncoderUnavailable("encoder_load_failed", f"{path}: {exc}") from exc

    fitted = True
    learns = False  # a trained model: fit() reads nothing

    def fit(self, texts: list[str]) -> None:
        return None

    def encode(self, texts: list[str]) -> np.ndarray:
        vectors = self._model.encode(texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False)
        return _unit_rows(vectors)

    def save(self, folder: Path) -> None:
        return None  # the model stays where the operator put it

    def load(self, folder: Path) -> None:
        return None


def make_encoder(spec: str, tokeniser: Tokeniser) -> Encoder:
    """The encoder named by ``spec``; raises EncoderUnavailable for an unknown or unusable one."""
    if spec == "lsa":
        return LsaEncoder(tokeniser)
    if spec.startswith(SentenceTransformerEncoder.PREFIX):
        return SentenceTransformerEncoder(spec.removeprefix(SentenceTransformerEncoder.PREFIX))
    raise EncoderUnavailable("encoder_unknown", spec)
