"""Shared English word lists, on Treebank tokens (lower case, contractions split: "do" "n't").

One home for the small closed word classes that several rules need: stop words,
fillers and backchannels, auxiliaries and modals, pronouns, interrogatives and
the words speakers link clauses with. Imports nothing; pure data.
"""

from __future__ import annotations

#: Interrogative words.
WH = frozenset({"what", "how", "why", "when", "where", "who", "which", "whom", "whose"})
#: Auxiliaries and modals, with the contracted forms the tokenizer splits off.
AUX = frozenset({"do", "does", "did", "is", "are", "was", "were", "will", "would", "can", "could",
                 "should", "shall", "may", "might", "must", "have", "has", "had", "am", "'s", "'re",
                 "'ll", "'d", "'ve", "'m", "ca", "wo"})
#: Personal and indefinite pronouns that can be a clause's subject.
PRONOUNS = frozenset({"i", "you", "we", "they", "he", "she", "it", "there", "that", "this", "anyone",
                      "someone", "anybody", "somebody", "everyone", "people"})
#: Words that speak about the speaker (or the speaker and listener together).
FIRST_PERSON = frozenset({"i", "me", "my", "mine", "myself", "we", "us", "our", "let"})
#: Sounds that fill a pause.
FILLERS = frozenset({"um", "uh", "erm", "er", "uhm", "ah", "hmm", "mm", "mhm"})
#: Words a speaker opens or links a clause with in running speech.
LINKERS = frozenset({"and", "so", "but", "okay", "ok", "alright", "right", "well", "now", "then",
                     "also", "sure", "oh", "great", "good", "thanks", "hi", "hello", "anyway", "just",
                     "see", "cool", "fine", "wow", "yes"} | FILLERS | {"yeah"})

#: Numbers, ordinals, months and weekdays written as words: a time, a date or an amount.
NUMBERISH = frozenset({
    "zero", "nought", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "fifteen", "twenty", "thirty", "forty", "fifty", "sixty", "hundred", "half",
    "quarter", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
    "tenth", "twelfth", "fifteenth", "twentieth", "thirtieth", "january", "february", "march", "april",
    "may", "june", "july", "august", "september", "october", "november", "december", "monday", "tuesday",
    "wednesday", "thursday", "friday", "saturday", "sunday", "tomorrow", "tonight", "week", "weeks",
    "month", "months", "minutes", "hours", "days"})
#: Function words carry no topic; kept out of the content stems.
STOPWORDS = frozenset([
    "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are",
    "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by",
    "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for", "from",
    "further", "had", "has", "have", "having", "he", "her", "here", "hers", "herself", "him", "himself",
    "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "me", "more", "most",
    "my", "myself", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "our",
    "ours", "ourselves", "out", "over", "own", "really", "same", "she", "should", "so", "some", "such",
    "than", "that", "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they",
    "this", "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were",
    "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you",
    "your", "yours", "yourself", "yourselves", "yeah", "yes", "okay", "ok", "oh", "um", "uh", "erm",
    "er", "hmm", "mm", "like", "know", "think", "get", "got", "go", "going", "gonna", "want", "wanna",
    "thing", "things", "something", "kind", "sort", "lot", "bit", "mean", "well", "right", "sure",
    "maybe", "actually", "just", "even", "still", "much", "many", "one", "two", "say", "said", "tell",
    "see", "way", "'s", "'re", "'ve", "'ll", "'d", "'m", "n't", "ca", "wo", "let", "feel", "feeling",
    "time", "today"])
