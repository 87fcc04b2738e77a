"""Dense encoders behind one small interface, and how an operator names one.

Two backends:

- ``lsa`` (default, nothing to install or download): latent semantic analysis fitted on the
  indexed texts themselves — hashed words, concept tokens and character bigrams, TF-IDF, then a
  truncated SVD (scikit-learn). Words that occur in the same kind of texts land near each other,
  which lexical matching alone cannot see.
- ``sentence-transformers:PATH``: a sentence-transformers model the operator has copied to PATH
  (for example a multilingual MiniLM or a BGE model). Loaded with ``local_files_only``; nothing
  is fetched. Needs the optional ``sentence-transformers`` package.

An encoder that cannot be used raises :class:`EncoderUnavailable` once, when it is made; the
index then reports it and ranks lexically.
"""

from __future__ import annotations

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
    """TF-IDF over hashed features, reduced by a truncated SVD fitted on the index's own texts."""

    spec = "lsa"
    N_FEATURES = 2**17
    DIMENSIONS = 128

    def __init__(self, tokeniser: Tokeniser):
        self._tokeniser = tokeniser
        self._idf: np.ndarray | None = None
        self._projection: np.ndarray | None = None  # (N_FEATURES, dim), C-contiguous: rows gathered fast

    @property
    def fitted(self) -> bool:
        return self._projection is not None

    def _features(self, text: str) -> list[str]:
        normalised = normalise(text)
        words = self._tokeniser.tokens(normalised, normalised=True)
        han = normalised.replace(" ", "")
        return words + [han[i : i + 2] for i in range(len(han) - 1)]

    def _counts(self, texts: list[str]):
        from sklearn.feature_extraction.text import HashingVectorizer

        vectoriser = HashingVectorizer(
            analyzer=self._features, n_features=self.N_FEATURES, alternate_sign=False, norm=None
        )
        counts = vectoriser.transform(texts)
        counts.data = 1 + np.log(counts.data)  # sublinear term frequency
        return counts

    def _weighted(self, counts):
        from sklearn.preprocessing import normalize

        # float32 like the projection: a float64 matrix would make scipy copy the whole projection
        return normalize(counts.multiply(self._idf).tocsr()).astype(np.float32)

    def fit(self, texts: list[str]) -> None:
        from sklearn.decomposition import TruncatedSVD

        if len(texts) < 3:
            self._projection = None
            return
        counts = self._counts(texts)
        df = np.bincount(counts.indices, minlength=self.N_FEATURES)
        self._idf = (np.log((1 + len(texts)) / (1 + df)) + 1).astype(np.float32)
        dims = min(self.DIMENSIONS, len(texts) - 1)
        svd = TruncatedSVD(n_components=dims, algorithm="randomized", n_iter=5, random_state=2026)
        svd.fit(self._weighted(counts))
        self._projection = np.ascontiguousarray(svd.components_.T, dtype=np.float32)

    def encode(self, texts: list[str]) -> np.ndarray:
        if self._projection is None:
            raise EncoderUnavailable("encoder_not_fitted")
        reduced = self._weighted(self._counts(texts)) @ self._projection
        return _unit_rows(reduced)

    def save(self, folder: Path) -> None:
        if self._projection is not None:
            np.savez(folder / "lsa.npz", idf=self._idf, projection=self._projection)

    def load(self, folder: Path) -> None:
        path = folder / "lsa.npz"
        if path.exists():
            data = np.load(path)
            self._idf, self._projection = data["idf"], data["projection"]


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
