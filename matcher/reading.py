"""What the engine reads from a description: codes and the words that named them.

The feature pipeline reads free text with :class:`~matcher.features.VocabularyTextMatcher`
(character n-grams against the vocabulary's labels and synonyms). This module says the
same thing in words a user can check: which needs and offers a description names, with
the words of the text that triggered each. Codes are read in their usual direction,
exactly as the pipeline reads them (:func:`~matcher.features.directed`: a sentence that
says it needs or offers something is read that way, others in the code's usual direction).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from matcher.errors import RowError, ValidationError
from matcher.features import SIDES, VocabularyTextMatcher, directed, fold
from matcher.schema import MAX_TEXT  # a description's own limit: what read_text reads
from matcher.vocabulary import load_vocabulary

_WORD = re.compile(r"\w+", re.UNICODE)


def _evidence(matcher: VocabularyTextMatcher, text: str, codes: list[int]) -> dict[int, str]:
    """For each code index in ``codes``, the words of ``text`` that name it: every phrase
    of the code present in the text (by the matcher's rule) has each of its words aligned
    with the text word sharing most of that word's n-grams; aligned words next to each
    other form one piece of evidence, pieces are joined by commas."""
    analyse = matcher.vectorizer_.build_analyzer()
    vocab = matcher.vectorizer_.vocabulary_
    idf = matcher.idf_
    spans = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    words = [fold(text[a:b]) for a, b in spans]
    word_grams = [set(analyse(w)) for w in words]
    vocab_codes = load_vocabulary().codes
    out: dict[int, str] = {}
    for j in codes:
        hit: set[int] = set()
        for phrase in load_vocabulary().phrases(vocab_codes[j]):
            aligned: list[int] = []
            for pw in _WORD.findall(fold(phrase)):
                grams = [g for g in analyse(pw) if g in vocab]
                total = float(sum(idf[vocab[g]] for g in grams))
                if total <= 0 or not word_grams:
                    aligned = []
                    break
                shares = [sum(idf[vocab[g]] for g in grams if g in wg) / total for wg in word_grams]
                best = int(np.argmax(shares))
                if shares[best] < matcher.threshold:
                    aligned = []
                    break
                aligned.append(best)
            hit.update(aligned)
        if not hit:
            continue
        pieces: list[list[int]] = []
        for w in sorted(hit):
            if pieces and pieces[-1][-1] == w - 1:
                pieces[-1].append(w)
            else:
                pieces.append([w])
        out[j] = ", ".join(text[spans[p[0]][0] : spans[p[-1]][1]] for p in pieces)
    return out


def read_text(
    matcher: VocabularyTextMatcher, text: str, side: str, lang: str = "id"
) -> dict[str, list[dict[str, Any]]]:
    """The needs and offers a description names, as ``{"needs": [...], "offers": [...]}``
    with ``{"code", "label", "evidence"}`` items, strongest first.

    ``matcher`` is a fitted text matcher (the active model's, so the answer is what the
    engine reads); ``side`` is "school" or "partner" (it decides which way a code that
    can flow both ways is read).
    """
    if side not in SIDES:
        raise ValidationError("text", [RowError(1, "side", f"use one of {', '.join(SIDES)}")])
    if not isinstance(text, str):
        raise ValidationError("text", [RowError(1, "text", "must be a string")])
    if len(text) > MAX_TEXT:
        raise ValidationError("text", [RowError(1, "text", f"longer than {MAX_TEXT} characters")])
    if "\x00" in text:
        raise ValidationError("text", [RowError(1, "text", "contains a NUL character")])
    vocab = load_vocabulary()
    need, offer = (a[0] for a in directed(matcher.transform([text]), side))
    found = [int(j) for j in np.argsort(-np.maximum(need, offer), kind="stable")]
    evidence = _evidence(matcher, text, [j for j in found if need[j] > 0 or offer[j] > 0])
    answer: dict[str, list[dict[str, Any]]] = {"needs": [], "offers": []}
    for key, strength in (("needs", need), ("offers", offer)):
        for j in np.argsort(-strength, kind="stable"):
            if strength[j] <= 0:
                break
            code = vocab.codes[int(j)]
            answer[key].append(
                {
                    "code": code,
                    "label": vocab.label(code, lang),
                    "evidence": evidence.get(int(j), ""),
                }
            )
    return answer


def default_matcher() -> VocabularyTextMatcher:
    """A text matcher fitted on no corpus (every n-gram weighs alike), for reading text
    before any model is trained."""
    return VocabularyTextMatcher().fit([""])


__all__ = ["MAX_TEXT", "default_matcher", "read_text"]
