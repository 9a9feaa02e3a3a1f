"""Near-copy detection for NLU examples (the generator and the train/test leak test use it).

Two lines are near-copies when, after removing entity annotations, spaces,
punctuation, emoji and trailing ㅋㅋ/ㅎㅎ/ㅠㅠ, they are equal or their
character-trigram sets overlap by THRESHOLD (Jaccard) or more.
"""
from __future__ import annotations

import re
from collections import defaultdict
from typing import Dict, List, Set

THRESHOLD = 0.8
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\{[^}]*\}|\([^)]*\))")
_TRAILING_LAUGH = re.compile(r"[ㅋㅎㅠㅜ^]{2,}$")
_KEEP = re.compile(r"[^0-9a-z가-힣ㄱ-ㅎㅏ-ㅣ]")


def plain_text(example: str) -> str:
    """The comparable core of an example: annotations, spaces and marks removed, lowercased."""
    text = _ANNOTATION.sub(r"\1", example).lower()
    text = _KEEP.sub("", text)
    return _TRAILING_LAUGH.sub("", text)


def trigrams(text: str) -> Set[str]:
    padded = f"^{text}$"
    return {padded[i: i + 3] for i in range(max(1, len(padded) - 2))}


def similarity(a: str, b: str) -> float:
    ga, gb = trigrams(plain_text(a)), trigrams(plain_text(b))
    return len(ga & gb) / len(ga | gb) if ga or gb else 1.0


class NearDuplicateIndex:
    """Plain texts added so far, with a trigram index for fast near-copy look-ups."""

    def __init__(self, threshold: float = THRESHOLD) -> None:
        self.threshold = threshold
        self.texts: List[str] = []
        self.grams: List[Set[str]] = []
        self.exact: Set[str] = set()
        self.by_gram: Dict[str, List[int]] = defaultdict(list)

    def add(self, plain: str) -> None:
        grams = trigrams(plain)
        index = len(self.texts)
        self.texts.append(plain)
        self.grams.append(grams)
        self.exact.add(plain)
        for gram in grams:
            self.by_gram[gram].append(index)

    def nearest(self, plain: str) -> tuple[float, str]:
        """The most similar stored text and its Jaccard similarity (0.0, "" when none shares a trigram)."""
        if plain in self.exact:
            return 1.0, plain
        grams = trigrams(plain)
        shared: Dict[int, int] = defaultdict(int)
        for gram in grams:
            for index in self.by_gram.get(gram, ()):
                shared[index] += 1
        best, best_text = 0.0, ""
        for index, count in shared.items():
            score = count / (len(grams) + len(self.grams[index]) - count)
            if score > best:
                best, best_text = score, self.texts[index]
        return best, best_text

    def is_near_duplicate(self, plain: str) -> bool:
        return self.nearest(plain)[0] >= self.threshold
