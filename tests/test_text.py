"""Parsing one utterance: tokens, sentences and stems, as the act rules read them."""

from __future__ import annotations

import pytest
from nltk.tokenize import TreebankWordTokenizer

from companion.analysis.text import _tokenizer, parse


@pytest.mark.parametrize("text", [
    "What's stopping you? I don't know, I can't say.",
    'He said "stop" -- (really) [ok] {x} <y> gonna wanna $3.88, 3,36 e.g. U.S.A. ... it\'s',
    "``hi'' 'quoted' isn't it, y'know, o'clock rock'n'roll",
    "dont whats youre cant wont",
])
def test_tokens_are_nltks_treebank_tokens(text):
    # The same rules run on the standard library's re: the tokens must not change.
    assert _tokenizer.tokenize(text) == TreebankWordTokenizer().tokenize(text)


def test_contractions_split_alike_with_and_without_apostrophes():
    assert parse("what's stopping you").tokens == parse("whats stopping you").tokens == [
        "what", "'s", "stopping", "you"]


def test_sentences_and_question_marks():
    p = parse("You said Tuesday. What happened?")
    assert [(s.tokens, s.asked) for s in p.sentences] == [(["you", "said", "tuesday"], False),
                                                          (["what", "happened"], True)]
    assert p.punctuated and not parse("what happened").punctuated


def test_stems_leave_out_function_words():
    assert parse("The meetings were running late").stems == ["meet", "run", "late"]
