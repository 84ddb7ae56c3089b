"""The feature pipeline: schools' and partners' needs and offers in one shared space.

Both sides are encoded into the same columns — the vocabulary codes — so that a school's
need can meet a partner's offer and a partner's need can meet a school's offer. Each side
has a scikit-learn ``ColumnTransformer`` of stock and small custom transformers:

* ``CodeListEncoder``: multi-hot over the vocabulary for the ``needs``/``offers`` tags;
* ``VocabularyTextMatcher``: free text (Indonesian, English, mixed) read with character
  n-grams against the vocabulary's labels and synonyms, so "laptop untuk lab komputer"
  reads as ``digital_devices``;
* ``OneHotEncoder`` / ``StandardScaler`` for level, ownership, type, accreditation and
  size, and ``CodeListEncoder`` again for languages.

:class:`FeatureSpace` fits both pipelines and turns their outputs into need and offer
matrices weighted so that rare needs count more.
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler
from sklearn.utils.validation import check_is_fitted

from matcher.vocabulary import Vocabulary, load_vocabulary

# What every school can give a partner by its nature, with the strength of that offer;
# a school's own tags or text add to these (docs/vocabulary.md "to partner" codes).
IMPLICIT_SCHOOL_OFFERS: dict[str, dict[str, float]] = {
    "*": {
        "community_access": 0.5,
        "csr_impact": 0.5,
        "brand_visibility": 0.4,
        "research_site": 0.4,
        "teaching_practicum": 0.4,
        "product_pilot": 0.3,
    },
    "SMA": {"talent_pipeline": 0.4, "student_volunteers": 0.4},
    "SMK": {"talent_pipeline": 0.6, "student_volunteers": 0.4},
    "MA": {"talent_pipeline": 0.4, "student_volunteers": 0.4},
}


def _students(f: pd.DataFrame) -> np.ndarray:
    return pd.to_numeric(f["students"], errors="coerce").fillna(0).to_numpy(dtype=np.float64)


# What a school gives more of by its profile: a partner seeking social impact gains most
# with a school in need (small, private, or weakly accredited), one seeking visibility
# with a large or well-known school, a public programme with a public school.
PROFILE_OFFERS: dict[str, tuple[Any, float]] = {
    "csr_impact": (
        lambda f: (
            (_students(f) < 300)
            | (f["ownership"].to_numpy() == "swasta")
            | np.isin(f["accreditation"].to_numpy(), ["C", "none"])
        ),
        0.8,
    ),
    "brand_visibility": (
        lambda f: (_students(f) >= 600) | (f["accreditation"].to_numpy() == "A"),
        0.7,
    ),
    "program_reach": (lambda f: f["ownership"].to_numpy() == "negeri", 0.6),
}


SIDES = ("school", "partner")


def read_directions(side: str) -> tuple[np.ndarray, np.ndarray]:
    """Which codes free text of one side is read as needs, and which as offers.

    Free text says what a side wants or has without saying which: a code that flows
    both ways is read in its usual direction (a school needs it, a partner offers it);
    codes that flow only to partners are read as the school's offer and the partner's
    need. Returns boolean masks over the vocabulary codes: (needs, offers).
    """
    vocab = load_vocabulary()
    to_school = np.asarray(vocab.flows_to_school())
    partner_only = np.asarray(vocab.flows_to_partner()) & ~to_school
    if side == "school":
        return to_school, partner_only
    return partner_only, to_school


def _as_lists(X: Any) -> list[list[str]]:
    if isinstance(X, pd.DataFrame):
        X = X.iloc[:, 0]
    return [list(v) if isinstance(v, (list, tuple, np.ndarray)) else [] for v in X]


def _as_texts(X: Any) -> list[str]:
    if isinstance(X, pd.DataFrame):
        X = X.iloc[:, 0]
    return ["" if v is None or (isinstance(v, float) and v != v) else str(v) for v in X]


class CodeListEncoder(TransformerMixin, BaseEstimator):
    """Multi-hot encoding of a column of lists over a fixed, ordered set of classes.

    Parameters
    ----------
    classes : sequence of str or None
        Column order; None means the vocabulary codes. Items outside it are ignored
        (validation rejects them before they get here).
    """

    def __init__(self, classes: Sequence[str] | None = None) -> None:
        self.classes = classes

    def fit(self, X: Any, y: Any = None) -> CodeListEncoder:
        classes = self.classes if self.classes is not None else load_vocabulary().codes
        self.classes_ = np.asarray(list(classes), dtype=object)
        self.index_ = {c: i for i, c in enumerate(self.classes_)}
        return self

    def transform(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "classes_")
        lists = _as_lists(X)
        rows, cols = [], []
        for r, items in enumerate(lists):
            for it in items:
                j = self.index_.get(it)
                if j is not None:
                    rows.append(r)
                    cols.append(j)
        out = np.zeros((len(lists), len(self.classes_)), dtype=np.float32)
        out[rows, cols] = 1.0
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        check_is_fitted(self, "classes_")
        return np.asarray([str(c) for c in self.classes_], dtype=object)


# Words that say which way a sentence points, folded as the reader folds text (lower
# case, no accents), Indonesian and English. A sentence with offer words only offers
# what it names ("Kami dapat menyediakan relawan siswa"), one with need words only needs
# it ("Kami butuh laptop"); with both ("Kami mencari mitra yang dapat menyediakan ...")
# or neither, each code is read in its usual direction (:func:`read_directions`).
NEED_CUES = (
    "butuh", "membutuhkan", "dibutuhkan", "kebutuhan", "perlu", "memerlukan", "diperlukan",
    "mencari", "ingin", "berharap", "mengharapkan", "belum", "kurang", "kekurangan",
    "minim", "terbatas", "tidak ada", "tidak punya", "tidak memiliki", "tidak mencukupi",
    "masih rendah", "sulit", "need", "needs", "needed", "looking for", "seek", "seeking",
    "lack", "lacks", "want", "wants", "would like", "hope", "hoping", "limited",
    "shortage", "require", "requires", "struggle", "struggles",
)  # fmt: skip
OFFER_CUES = (
    "menyediakan", "menawarkan", "dapat memberikan", "bisa memberikan", "siap memberikan",
    "bersedia", "dapat menerima", "bisa menerima", "siap menerima", "terbuka untuk",
    "offer", "offers", "provide", "provides", "can host", "willing to", "happy to",
)  # fmt: skip
# Blocks of the text matcher's output: codes named in sentences without a cue (or with
# both kinds), in sentences with need words only, in sentences with offer words only.
TEXT_BLOCKS = ("plain", "need", "offer")
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")


def _cue_pattern(cues: Sequence[str]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(re.escape(c) for c in cues) + r")\b")


_NEED_RE, _OFFER_RE = _cue_pattern(NEED_CUES), _cue_pattern(OFFER_CUES)


@functools.cache
def _combining() -> re.Pattern[str]:
    """Every combining mark (``unicodedata.combining``), as one character class: the
    marks NFKD splits off accented letters (912 code points; found once, 0.15 s)."""
    marks = [i for i in range(sys.maxunicode + 1) if unicodedata.combining(chr(i))]
    runs, start = [], marks[0]
    for prev, cur in zip(marks, marks[1:] + [-1], strict=True):
        if cur != prev + 1:
            runs.append(
                re.escape(chr(start)) + ("-" + re.escape(chr(prev)) if prev > start else "")
            )
            start = cur
    return re.compile("[" + "".join(runs) + "]")


def fold(text: str) -> str:
    """Lower case without accents: how the reader compares words (the same rule as
    scikit-learn's ``strip_accents="unicode"`` after lower-casing)."""
    return _combining().sub("", unicodedata.normalize("NFKD", text.lower()))


def fold_all(texts: pd.Series) -> pd.Series:
    """:func:`fold` over a series of texts, vectorised (pandas string methods)."""
    split = texts.str.lower().str.normalize("NFKD")
    marked = ~split.map(str.isascii, na_action="ignore").fillna(True).astype(bool)
    if marked.any():  # an ASCII text has no marks: the character class is costly
        split[marked] = split[marked].str.replace(_combining(), "", regex=True)
    return split


def sentences(texts: Sequence[str], cues: bool = True) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Split texts into sentences: (sentences, owner text of each, block of each — an
    index into :data:`TEXT_BLOCKS`). Every text has at least one sentence (maybe empty),
    and sentences come in the order of their texts. Vectorised over texts (pandas
    string methods), as it runs on every description of a national load; the cue words
    are looked for once per distinct sentence."""
    which, distinct, owner, block = _distinct_sentences(texts, cues)
    return [str(s) for s in distinct[which]], owner, block


def _distinct_sentences(
    texts: Sequence[str], cues: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`sentences` as (which distinct sentence each is, the distinct sentences,
    owner, block), for readers that handle each distinct sentence once."""
    parts = pd.Series(list(texts), dtype=object).str.split(_SENTENCE_END).explode()
    parts = parts.fillna("")
    keep = (parts.str.strip().str.len() > 0).to_numpy(dtype=bool)
    owner_all = parts.index.to_numpy(dtype=np.int64)
    # a text with no non-blank sentence keeps one empty sentence
    first = ~parts.index.duplicated(keep="first")
    has_any = np.zeros(len(texts), dtype=bool)
    has_any[owner_all[keep]] = True
    chosen = keep | (first & ~has_any[owner_all])
    parts = pd.Series(np.where(keep, parts.to_numpy(dtype=object), "")[chosen], dtype=object)
    owner = owner_all[chosen]
    which, uniques = pd.factorize(parts)
    distinct = np.asarray(uniques, dtype=object)
    block = np.zeros(len(parts), dtype=np.int64)
    if cues and len(parts):
        folded = fold_all(pd.Series(distinct, dtype=object))
        need = folded.str.contains(_NEED_RE).to_numpy(dtype=bool)
        offer = folded.str.contains(_OFFER_RE).to_numpy(dtype=bool)
        block = np.where(need & ~offer, 1, np.where(offer & ~need, 2, 0)).astype(np.int64)[which]
    return which.astype(np.int64), distinct, owner, block


class VocabularyTextMatcher(TransformerMixin, BaseEstimator):
    """How strongly free text names each vocabulary code, and which way it points.

    Each code is known by its labels and synonyms (phrases). A text is read sentence by
    sentence, so words of different sentences never make a phrase together. A phrase
    matches a sentence when the share of its character n-grams present in the sentence,
    weighted by how rare each n-gram is in the corpus, reaches ``threshold``; a code's
    affinity is the best share among its phrases, 0 below the threshold. Character
    n-grams read Indonesian affixes ("pelatihan", "dilatih"), mixed language and typos
    robustly.

    The output has one block of codes per kind of sentence (:data:`TEXT_BLOCKS`): codes
    named where nothing says which way they point, where the text says it needs them,
    where it says it offers them (:func:`directed` turns them into needs and offers).

    Parameters
    ----------
    ngram_range : tuple of int
        Character n-gram lengths (within word boundaries).
    threshold : float
        Minimal weighted share of a phrase's n-grams for it to count as present.
    cues : bool
        Read need and offer words (:data:`NEED_CUES`, :data:`OFFER_CUES`); without,
        every code is read in its usual direction.
    """

    def __init__(
        self, ngram_range: tuple[int, int] = (3, 5), threshold: float = 0.8, cues: bool = True
    ) -> None:
        self.ngram_range = ngram_range
        self.threshold = threshold
        self.cues = cues

    def fit(self, X: Any, y: Any = None) -> VocabularyTextMatcher:
        if not 0 < self.threshold <= 1:
            raise ValueError(f"threshold must be in (0, 1], got {self.threshold}")
        vocab = load_vocabulary()
        phrases, owner = [], []
        for j, code in enumerate(vocab.codes):
            for ph in vocab.phrases(code):
                phrases.append(ph)
                owner.append(j)
        self.vectorizer_ = CountVectorizer(
            analyzer="char_wb",
            ngram_range=tuple(self.ngram_range),
            lowercase=True,
            strip_accents="unicode",
            binary=True,
            dtype=np.float32,
        ).fit(phrases)
        texts = _as_texts(X)
        df = np.zeros(len(self.vectorizer_.vocabulary_), dtype=np.float64)
        for start in range(0, len(texts), 50_000):
            df += np.asarray(self._ngrams(texts[start : start + 50_000]).sum(axis=0)).ravel()
        n = len(texts)
        self.idf_ = (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float32)
        P = self.vectorizer_.transform(phrases).multiply(self.idf_[None, :]).tocsr()
        self.phrase_weights_ = P.T.tocsr().astype(np.float32)
        self.phrase_totals_ = np.asarray(P.sum(axis=1)).ravel().astype(np.float32)
        self.phrase_code_ = np.asarray(owner, dtype=np.int64)
        # phrases are grouped by code, so a code's best phrase is a reduceat over its run
        self.code_starts_ = np.flatnonzero(np.r_[True, np.diff(self.phrase_code_) != 0])
        self.n_codes_ = len(vocab.codes)
        return self

    def _ngrams(self, texts: list[str]) -> Any:
        """Binary text × n-gram matrix, built word by word: a text's character n-grams
        (within word boundaries) are the union of its words' n-grams, and each distinct
        word is analysed once per batch instead of once per occurrence."""
        words = CountVectorizer(
            analyzer="word",
            token_pattern=r"(?u)\b\w+\b",
            lowercase=True,
            strip_accents="unicode",
            binary=True,
            dtype=np.float32,
        )
        try:
            T = words.fit_transform(texts)
        except ValueError:  # no words at all in this batch
            return sparse.csr_matrix((len(texts), len(self.vectorizer_.vocabulary_)))
        W = self.vectorizer_.transform(words.get_feature_names_out())
        D = (T @ W).tocsr()
        D.data[:] = 1.0
        # n-grams in column order: a text's shares are summed in the same order whatever
        # else is in its batch, so reading one text alone gives the bulk answer exactly
        D.sort_indices()
        return D

    def affinity(self, texts: list[str]) -> np.ndarray:
        """Each text's (or sentence's) affinity to each code, ignoring direction."""
        check_is_fitted(self, "phrase_weights_")
        out = np.zeros((len(texts), self.n_codes_), dtype=np.float32)
        for start in range(0, len(texts), 20_000):
            D = self._ngrams(texts[start : start + 20_000])
            share = (D @ self.phrase_weights_).toarray() / self.phrase_totals_[None, :]
            share[share < self.threshold] = 0.0
            out[start : start + len(share)] = np.maximum.reduceat(share, self.code_starts_, axis=1)
        return out

    def transform(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "phrase_weights_")
        texts = _as_texts(X)
        n_c = self.n_codes_
        out = np.zeros((len(texts), len(TEXT_BLOCKS) * n_c), dtype=np.float32)
        for start in range(0, len(texts), 50_000):
            # descriptions share sentences (boilerplate): each distinct one is read once
            which, distinct, owner, block = _distinct_sentences(
                texts[start : start + 50_000], self.cues
            )
            aff = self.affinity(distinct.tolist())
            for b in range(len(TEXT_BLOCKS)):
                rows = np.flatnonzero(block == b)
                if not len(rows):
                    continue
                # sentences come in text order: a text's best per code is a reduceat
                o = owner[rows]
                starts = np.flatnonzero(np.r_[True, np.diff(o) != 0])
                got = np.maximum.reduceat(aff[which[rows]], starts, axis=0)
                out[start + o[starts], b * n_c : (b + 1) * n_c] = got
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        codes = load_vocabulary().codes
        return np.asarray([f"text_{b}_{c}" for b in TEXT_BLOCKS for c in codes], dtype=object)


def directed(blocks: np.ndarray, side: str) -> tuple[np.ndarray, np.ndarray]:
    """Need and offer strengths of one side's texts from the text matcher's blocks.

    A code named without a cue goes its usual way (:func:`read_directions`); one named
    where the text says it needs it is a need when this side can need it, one named
    where it says it offers it is an offer when this side can offer it (otherwise the
    usual way).
    """
    n = blocks.shape[1] // len(TEXT_BLOCKS)
    plain, need_c, offer_c = blocks[:, :n], blocks[:, n : 2 * n], blocks[:, 2 * n :]
    usual_need, usual_offer = read_directions(side)
    vocab = load_vocabulary()
    to_school, to_partner = (
        np.asarray(vocab.flows_to_school()),
        np.asarray(vocab.flows_to_partner()),
    )
    can_need, can_offer = (to_school, to_partner) if side == "school" else (to_partner, to_school)
    need = np.maximum.reduce([plain * usual_need, need_c * can_need, offer_c * ~can_offer])
    offer = np.maximum.reduce([plain * usual_offer, offer_c * can_offer, need_c * ~can_need])
    return need.astype(np.float32), offer.astype(np.float32)


def _log_size(X: Any) -> np.ndarray:
    arr = pd.DataFrame(X).apply(pd.to_numeric, errors="coerce").to_numpy(dtype=np.float64)
    return np.log1p(np.nan_to_num(arr, nan=0.0))


def _as_float(X: Any) -> np.ndarray:
    return np.asarray(X, dtype=np.float32)


def _side_pipeline(side: str, vocab: Vocabulary, text: dict[str, Any]) -> ColumnTransformer:
    steps: list[tuple[str, Any, Any]] = [
        ("needs", CodeListEncoder(), "needs"),
        ("offers", CodeListEncoder(), "offers"),
        ("text", VocabularyTextMatcher(**text), "description"),
        ("languages", CodeListEncoder(classes=("id", "en", "jv", "su", "mad")), "languages"),
    ]
    if side == "school":
        steps += [
            (
                "category",
                OneHotEncoder(
                    categories=[
                        list(vocab.levels),
                        list(vocab.ownership),
                        list(vocab.accreditation),
                    ],
                    handle_unknown="ignore",
                    sparse_output=False,
                ),
                ["level", "ownership", "accreditation"],
            ),
            (
                "size",
                make_pipeline(FunctionTransformer(_log_size), StandardScaler()),
                ["students", "teachers"],
            ),
        ]
    else:
        steps += [
            (
                "category",
                OneHotEncoder(
                    categories=[list(vocab.partner_types)],
                    handle_unknown="ignore",
                    sparse_output=False,
                ),
                ["type"],
            ),
            ("levels", CodeListEncoder(classes=vocab.levels), "levels"),
            ("online", FunctionTransformer(_as_float), ["online"]),
        ]
    return ColumnTransformer(steps, remainder="drop", sparse_threshold=0.0)


@dataclass
class SideMatrices:
    """Encoded needs and offers of one side, rows aligned with the input frame.

    ``need``/``offer`` are what scoring uses (tags, text and implicit offers combined,
    need weighted by rarity); the ``*_tag``/``*_text`` parts say where each came from, for
    explanations.
    """

    need: np.ndarray
    offer: np.ndarray
    need_tag: np.ndarray
    need_text: np.ndarray
    offer_tag: np.ndarray
    offer_text: np.ndarray
    attrs: np.ndarray
    languages: np.ndarray


class FeatureSpace(BaseEstimator):
    """Fits the school and partner pipelines and produces :class:`SideMatrices`.

    Parameters
    ----------
    text_weight : float
        Strength of a need or offer read only from free text, relative to a tag (1).
    ngram_range, threshold : see :class:`VocabularyTextMatcher`.
    implicit : bool
        Add what schools give by nature and by profile (``IMPLICIT_SCHOOL_OFFERS``,
        ``PROFILE_OFFERS``). A partner's needs are what it
        lists or writes: one that names none is met by any school (see the index).
    rarity : bool
        Weight needs by how rare they are on their side (inverse frequency).
    """

    def __init__(
        self,
        text_weight: float = 0.8,
        ngram_range: tuple[int, int] = (3, 5),
        threshold: float = 0.8,
        implicit: bool = True,
        rarity: bool = False,
    ) -> None:
        self.text_weight = text_weight
        self.ngram_range = ngram_range
        self.threshold = threshold
        self.implicit = implicit
        self.rarity = rarity

    def fit(self, schools: pd.DataFrame, partners: pd.DataFrame) -> FeatureSpace:
        vocab = load_vocabulary()
        text = {"ngram_range": self.ngram_range, "threshold": self.threshold}
        self.vocabulary_ = vocab  # the model's own codes and labels, saved with it
        self.codes_ = vocab.codes
        self.school_pipeline_ = _side_pipeline("school", vocab, text).fit(schools)
        self.partner_pipeline_ = _side_pipeline("partner", vocab, text).fit(partners)
        self.levels_ = vocab.levels
        self.partner_types_ = vocab.partner_types
        s = self._raw("school", schools)
        p = self._raw("partner", partners)
        # Rare needs count more: inverse document frequency over each side's population.
        self.school_need_weight_ = (
            _idf(s.need) if self.rarity else np.ones(len(self.codes_), dtype=np.float32)
        )
        self.partner_need_weight_ = (
            _idf(p.need) if self.rarity else np.ones(len(self.codes_), dtype=np.float32)
        )
        return self

    def _implicit(self, side: str, frame: pd.DataFrame) -> np.ndarray:
        idx = {c: i for i, c in enumerate(self.codes_)}
        out = np.zeros((len(frame), len(self.codes_)), dtype=np.float32)
        if not self.implicit:
            return out
        if side != "school":  # a partner's needs are what it says (see _normalised)
            return out
        for code, w in IMPLICIT_SCHOOL_OFFERS["*"].items():
            out[:, idx[code]] = w
        levels = frame["level"].to_numpy()
        for key, extra in IMPLICIT_SCHOOL_OFFERS.items():
            if key == "*":
                continue
            for code, w in extra.items():
                rows = levels == key
                out[rows, idx[code]] = np.maximum(out[rows, idx[code]], w)
        for code, (rule, w) in PROFILE_OFFERS.items():
            rows = rule(frame)
            out[rows, idx[code]] = np.maximum(out[rows, idx[code]], w)
        return out

    def _raw(self, side: str, frame: pd.DataFrame) -> SideMatrices:
        ct = self.school_pipeline_ if side == "school" else self.partner_pipeline_
        X = np.asarray(ct.transform(frame), dtype=np.float32)
        sl = ct.output_indices_
        needs, offers, text = X[:, sl["needs"]], X[:, sl["offers"]], X[:, sl["text"]]
        need_read, offer_read = directed(text, side)
        need_text = need_read * self.text_weight
        offer_text = offer_read * self.text_weight
        need = np.maximum(needs, need_text)
        offer = np.maximum(offers, offer_text)
        implicit = self._implicit(side, frame)
        if side == "school":
            offer = np.maximum(offer, implicit)
        else:
            need = np.maximum(need, implicit)
        attr_names = [n for n in sl if n not in ("needs", "offers", "text", "remainder")]
        attrs = np.hstack([X[:, sl[n]] for n in attr_names]) if attr_names else X[:, :0]
        return SideMatrices(
            need=need,
            offer=offer,
            need_tag=needs,
            need_text=need_text,
            offer_tag=offers,
            offer_text=offer_text,
            attrs=attrs,
            languages=X[:, sl["languages"]] > 0,
        )

    def text_matcher(self, side: str) -> VocabularyTextMatcher:
        """The fitted free-text reader of one side ("school" or "partner")."""
        check_is_fitted(self, "school_pipeline_")
        ct = self.school_pipeline_ if side == "school" else self.partner_pipeline_
        return ct.named_transformers_["text"]

    def transform_schools(self, schools: pd.DataFrame) -> SideMatrices:
        """Encode schools; ``need`` is weighted by rarity of each need among schools."""
        check_is_fitted(self, "school_pipeline_")
        m = self._raw("school", schools)
        m.need = m.need * self.school_need_weight_[None, :]
        return m

    def transform_partners(self, partners: pd.DataFrame) -> SideMatrices:
        """Encode partners; ``need`` is weighted by rarity of each need among partners."""
        check_is_fitted(self, "partner_pipeline_")
        m = self._raw("partner", partners)
        m.need = m.need * self.partner_need_weight_[None, :]
        return m


def _idf(M: np.ndarray) -> np.ndarray:
    df = (M > 0).sum(axis=0)
    n = M.shape[0]
    return (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float32)


__all__ = [
    "SIDES",
    "CodeListEncoder",
    "FeatureSpace",
    "SideMatrices",
    "VocabularyTextMatcher",
    "directed",
    "fold",
    "read_directions",
    "sentences",
]
