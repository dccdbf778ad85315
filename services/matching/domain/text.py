"""Chinese text as matching reads it: words for ranking (jieba's search-mode segmentation,
its bundled dictionary only, nothing downloaded) and character shingles for near-duplicates.

Words: jieba's search mode gives the long word and its parts (综合利用 → 综合, 利用,
综合利用), so 秸秆综合利用 and 秸秆还田 share 秸秆. Single characters, punctuation and words
every entry of a call uses (项目, 技术, 提高…) carry no signal and are dropped.
"""

from __future__ import annotations

import logging
import re
import threading

import jieba

from services.matching.domain.profile import Profile

# Title and keywords say what an entry is about more than its prose: their words count twice.
TITLE_WEIGHT = 2
KEYWORD_WEIGHT = 2
SHINGLE = 3

_WORD = re.compile(r"[\u4e00-\u9fff]{2,}|[a-z][a-z0-9+#.-]+|\d+[a-z]+[a-z0-9]*")
# Amounts spelled in characters (二十, 百分之四十, 三成) say how much, not about what.
_NUMERAL = re.compile(r"[零一二三四五六七八九十百千万亿两半成倍分之余多第]+")
_STRIP = re.compile(r"[^\u4e00-\u9fffa-z0-9]+")

STOPWORDS = frozenset(
    """
    项目 技术 技术难题 研究 开发 应用 进行 通过 提高 实现 问题 企业 产品 我们 以及 可以 需要 主要
    相关 具有 目前 一种 方面 能够 已经 同时 工作 推广 成果 难题 单位 公司 有限公司 有限
    基于 采用 利用率 形成 提供 提升 解决 存在 需求 情况 开展 其中 包括 方法 系统性 国内
    国际 领先 先进 年度 每年 万元 亿元 元 万吨 我县 我市 我区 本地 当地 地区 目标 效益
    经济效益 社会效益 显著 良好 较好 有效 重要 主要是 达到 进一步 不断 作为 用于 对于
    """.split()  # noqa: SIM905 - a word list reads better as prose
)

_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None


def _segmenter() -> jieba.Tokenizer:
    """One tokenizer per process, loaded on first use (about a second: its dictionary)."""
    global _tokenizer
    with _lock:
        if _tokenizer is None:
            jieba.setLogLevel(logging.WARNING)
            tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            _tokenizer = tokenizer
        return _tokenizer


def words(text: str) -> list[str]:
    """The words of `text` that carry meaning, in order, repeats kept (term frequency)."""
    found = []
    for word in _segmenter().cut_for_search(text.lower()):
        word = word.strip()
        if _WORD.fullmatch(word) and word not in STOPWORDS and not _NUMERAL.fullmatch(word):
            found.append(word)
    return found


def terms(profile: Profile) -> list[str]:
    """The bag of words ranking reads: title and keywords weighted, then summary, benefits."""
    keyword_words = [w for k in profile.keywords for w in ({k.lower()} | set(words(k)))]
    return (
        words(profile.title) * TITLE_WEIGHT
        + keyword_words * KEYWORD_WEIGHT
        + words(profile.summary)
        + words(profile.benefits)
    )


def normalized(text: str) -> str:
    """Letters, digits and Chinese characters only: spacing and punctuation edits vanish."""
    return _STRIP.sub("", text.lower())


def shingles(text: str) -> set[str]:
    """The overlapping SHINGLE-character pieces of `text` (the whole text when shorter)."""
    plain = normalized(text)
    if len(plain) <= SHINGLE:
        return {plain} if plain else set()
    return {plain[i : i + SHINGLE] for i in range(len(plain) - SHINGLE + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    shared = len(a & b)  # the union's size from it: no second set built
    return shared / (len(a) + len(b) - shared)
