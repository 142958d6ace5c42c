"""Words of one utterance, as every language rule downstream needs them.

Why NLTK's Treebank tokenizer: it splits contractions the way the rules
want them ("what's" -> "what" "'s", "don't" -> "do" "n't"), so "what's" and
"what is" look alike to the question detector. Why no Punkt: it needs a data
download; sentences are cut at terminal punctuation instead, and text from
speech recognition often has none, which the act rules are built to expect.
Stems (Snowball) let "meetings" in the goal match "meeting" later on.

Each utterance is parsed once (``TextParser`` runs first) and the parse is
shared through ``ctx.parsed``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from nltk.stem.snowball import EnglishStemmer
from nltk.tokenize import TreebankWordTokenizer

from companion.analysis.base import AnalysisContext, Component
from companion.analysis.lexicon import STOPWORDS
from companion.model import Event

__all__ = ["STOPWORDS", "Parsed", "Sentence", "TextParser", "parse", "stem"]

_RE_FLAGS = re.IGNORECASE | re.MULTILINE | re.DOTALL | re.VERBOSE | re.UNICODE


def _plain(pattern: Any) -> re.Pattern[str]:
    """The same pattern compiled by the standard library's ``re``."""
    return re.compile(pattern.pattern, pattern.flags & _RE_FLAGS)


class _Treebank(TreebankWordTokenizer):
    """NLTK's Treebank rules, matched with the standard library's ``re``.

    Recent NLTK wraps each of its fixed patterns in a time-limited ``regex``
    pattern (a guard against catastrophic backtracking on hostile input); on
    our short utterances that wrapper cost about 0.7 ms each, most of the
    analysis time. The rules themselves are NLTK's, unchanged.
    """

    STARTING_QUOTES = [(_plain(p), s) for p, s in TreebankWordTokenizer.STARTING_QUOTES]
    PUNCTUATION = [(_plain(p), s) for p, s in TreebankWordTokenizer.PUNCTUATION]
    PARENS_BRACKETS = (_plain(TreebankWordTokenizer.PARENS_BRACKETS[0]), TreebankWordTokenizer.PARENS_BRACKETS[1])
    DOUBLE_DASHES = (_plain(TreebankWordTokenizer.DOUBLE_DASHES[0]), TreebankWordTokenizer.DOUBLE_DASHES[1])
    ENDING_QUOTES = [(_plain(p), s) for p, s in TreebankWordTokenizer.ENDING_QUOTES]
    CONTRACTIONS2 = [_plain(p) for p in TreebankWordTokenizer.CONTRACTIONS2]
    CONTRACTIONS3 = [_plain(p) for p in TreebankWordTokenizer.CONTRACTIONS3]


_tokenizer = _Treebank()
_stemmer = EnglishStemmer()

_SENTENCE_END = re.compile(r"(?<=[.?!])\s+")
_PUNCT = re.compile(r"[.?!,;:]")
#: Curly apostrophes as plain ones; an em or en dash (an interruption in a
#: transcript: "is there— I mean") as the Treebank double dash.
_APOSTROPHE = str.maketrans({"’": "'", "‘": "'", "—": " -- ", "–": " -- "})

#: Contractions that speech recognisers write without the apostrophe,
#: spelled the way the Treebank tokenizer splits the apostrophe form.
_ASR_CONTRACTIONS = {
    "whats": ["what", "'s"], "hows": ["how", "'s"], "wheres": ["where", "'s"],
    "whos": ["who", "'s"], "thats": ["that", "'s"], "youre": ["you", "'re"],
    "theyre": ["they", "'re"], "youve": ["you", "'ve"], "youll": ["you", "'ll"],
    "youd": ["you", "'d"], "ive": ["i", "'ve"], "im": ["i", "'m"], "ill": ["i", "'ll"],
    "dont": ["do", "n't"], "doesnt": ["does", "n't"], "didnt": ["did", "n't"],
    "cant": ["ca", "n't"], "wont": ["wo", "n't"], "isnt": ["is", "n't"],
    "arent": ["are", "n't"], "wasnt": ["was", "n't"], "havent": ["have", "n't"],
    "wouldnt": ["would", "n't"], "couldnt": ["could", "n't"], "shouldnt": ["should", "n't"],
    "itll": ["it", "'ll"], "weve": ["we", "'ve"], "lets": ["let", "'s"],
}



@dataclass(slots=True)
class Sentence:
    tokens: list[str]
    #: The sentence ended with "?" in the source text.
    asked: bool = False


@dataclass(slots=True)
class Parsed:
    """One utterance's words, lower-cased, with contractions split."""

    tokens: list[str]
    sentences: list[Sentence]
    #: The source text had sentence punctuation (so "no ?" means something).
    punctuated: bool
    #: Stems of the content words (no stopwords), in order.
    stems: list[str] = field(default_factory=list)
    #: The content words themselves, parallel to ``stems`` (for messages).
    content: list[str] = field(default_factory=list)

    @property
    def joined(self) -> str:
        """Tokens joined by single spaces, padded, for phrase look-ups."""
        return " " + " ".join(self.tokens) + " "


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text`` as written, cut at terminal punctuation (the one splitter)."""
    return [s.strip() for s in _SENTENCE_END.split((text or "").translate(_APOSTROPHE)) if s.strip()]


@lru_cache(maxsize=20000)
def stem(word: str) -> str:
    return _stemmer.stem(word)


def _words(text: str) -> list[str]:
    out: list[str] = []
    for tok in _tokenizer.tokenize(text.lower()):
        if tok in _ASR_CONTRACTIONS:
            out.extend(_ASR_CONTRACTIONS[tok])
        elif tok not in ",;:\"``''()[]--" and tok != "...":
            out.append(tok)
    return out


def parse(text: str) -> Parsed:
    text = text.translate(_APOSTROPHE).strip()
    sentences: list[Sentence] = []
    for chunk in split_sentences(text):
        asked = chunk.rstrip("\"')] ").endswith("?")
        toks = [t for t in _words(chunk) if t not in (".", "?", "!")]
        if toks:
            sentences.append(Sentence(toks, asked))
    tokens = [t for s in sentences for t in s.tokens]
    content = [t for t in tokens if t.isalpha() and t not in STOPWORDS and len(t) > 2]
    return Parsed(tokens, sentences, bool(_PUNCT.search(text)), [stem(t) for t in content], content)


class TextParser(Component):
    """Parses each utterance once so that later components share the words."""

    def update(self, ctx: AnalysisContext, i: int) -> list[Event]:
        u = ctx.utterances[i]
        ctx.parsed.append(parse(u.text) if u.transcribed else parse(""))
        return []
