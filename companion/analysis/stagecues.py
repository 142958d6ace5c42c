"""The words that say which GROW stage talk is in: cue phrases per stage, the opening and the closing.

Pure data and one scoring function, read by the stage tracker. Patterns match
on the parsed, space-padded token string (``Parsed.joined``), so contractions
are split ("what 's") and the same rules work with and without punctuation.
"""

from __future__ import annotations

import re

from companion.model import STAGES


def _cues(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f" (?:{p})(?= )" for p in patterns))


CUES: dict[str, re.Pattern[str]] = {
    "goal": _cues(
        r"(want|like|hope|hoping|wanted|need) to (work on|talk about|focus on|get out of|achieve|"
        r"leave with|look at|explore|come away|bring|get to|sort out)",
        r"get out of (this|today|our|the session|the time|the conversation|the next)",
        r"by the end of (this|today|our|the session|the conversation|the hour)", r"goals?", r"aims?",
        r"objectives?", r"outcomes?", r"ideal(ly)?", r"how (will|would|'ll|'d) you know",
        r"success", r"what (would|do) you (like|want)", r"what are you hoping", r"topic",
        r"what (would|do) you want", r"i want to (get|be|have|make|feel|find|learn|improve|become|stop|start)",
        r"i 'd like to", r"i would like to", r"look like (for you|when|if|in)", r"what would (that|it) look like",
        r"(in|within) (six|three|two|a few|twelve|\d+) (months|weeks)", r"specific", r"measurable",
        r"what would be (most )?(useful|helpful)", r"want instead", r"like (it|things|the situation) to be",
        r"what do you want", r"bring (today|to this|to the session)", r"work on today",
        r"where would you like to be", r"what would good look like", r"how would you like",
        # What the coachee wants: the future pictured, what would count, what matters and what comes first.
        r"what would( \S+){0,6} look like", r"what would (count|be different|change|make (a|the) (real )?difference)",
        r"what 's different", r"when you (picture|imagine)", r"what would (it|that) mean (for|to) you",
        r"(most|more) (important|useful|urgent|helpful)", r"matters? (most|to you)",
        r"why does (that|this|it)( one)? matter", r"what makes (that|this|it) important",
        r"if (you could only|one thing)", r"(like|want) to have (achieved|happened|in place|done)",
        r"what 's realistic", r"the right goal",
    ),
    "reality": _cues(
        r"(what|how) (is|'s|are|'re) (happening|going on|it like|things)", r"at the moment",
        r"currently", r"right now", r"so far", r"what have you (tried|done)", r"(what|how) happened",
        r"tell me (more|about)", r"situation", r"how often", r"how long (has|have|is)",
        r"when did", r"(what|who) (is|'s) (stopping|holding|blocking)", r"getting in the way",
        r"obstacles?", r"problems?", r"who else is involved", r"impact", r"affects?",
        r"last (week|time|month|year|monday|tuesday|wednesday|thursday|friday)", r"tried",
        r"happened", r"always", r"never", r"every (time|single|week|day)", r"what (is|'s) working",
        r"where are you now", r"(what|how) did (you|that|it|they)", r"example", r"usually",
        r"these days", r"lately", r"so far", r"what makes (it|this|that)", r"how do you feel about",
        r"what (do|did) you (notice|think caused)", r"cause", r"who is involved", r"nobody",
        r"at the minute", r"these meetings", r"what 's hard", r"what gets", r"today it 's",
        r"(yes|yeah) ,? but", r"but the (problem|thing|trouble) is", r"the (problem|trouble) is",
        r"that (wo n't|would n't|does n't) work", r"i (tried|did) that", r"(he|she|they) (always|never)",
    ),
    "options": _cues(
        r"options?", r"what (else )?(could|might|can) you", r"what else", r"ideas?",
        r"possibilit(y|ies)", r"alternatives?", r"brainstorm", r"i could", r"we could",
        r"maybe i (could|can|should|might)", r"(could|might|can) (try|ask|send|talk|use|start|change|set|move|"
        r"book|delegate|speak|put|share|propose)", r"if (you|there) (were|was|had) no",
        r"what would you do if", r"what would (someone|a friend|your|you advise)", r"pros and cons",
        r"another way", r"(what|which) (other|different)", r"approach(es)?", r"choices?",
        r"could also", r"what if (i|we|you)", r"or i could", r"anything else you could",
        r"what (resources|help|support) do you", r"what has worked", r"(worked|works) before",
        r"what would it take", r"what could",
    ),
    "will": _cues(
        r"what will you (do|start|try)", r"when will you", r"by when", r"first step",
        r"next steps?", r"commit(ted|ment)?", r"on a scale", r"how likely", r"who (could|can|will) (help|support)",
        r"i 'll", r"i will", r"by (monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|next week|"
        r"the end of)", r"(this|next) (monday|tuesday|wednesday|thursday|friday)", r"actions?",
        r"i 'm going to", r"deadline", r"check in", r"follow up", r"accountab\w*",
        r"which (of these|option|one|idea|ones) (feels|would|will|do you|is)", r"what will", r"going to do",
        r"when exactly", r"starting (tomorrow|monday|today|next)", r"how will you (make sure|remember|keep)",
        r"what (might|could) get in the way", r"tomorrow", r"decide", r"out of ten",
        r"(an?|one) (six|seven|eight|nine|ten)", r"summar\w*", r"so you 'll", r"plan is",
        r"what 's your plan", r"(small|first|next) steps?", r"two (small )?steps",
    ),
}
#: Greetings and set-up belong to the opening, before any stage.
OPENING = _cues(r"hi", r"hello", r"how are you", r"good to see", r"thanks for (making|coming|joining)",
                r"nice to", r"can you hear me", r"shall we (start|begin)", r"before we start", r"confidential")

#: Wrapping up: thanks, the next session, how the session went.
CLOSING = _cues(r"thank you (so much|for)", r"thanks (so much|for)", r"see you", r"same time", r"next session",
                r"book (in|another|the next)", r"take care", r"bye", r"how was (that|this|the session|today)",
                r"what are you taking away", r"(useful|helpful) (session|conversation)",
                r"that 's been (really |so |very )?(helpful|useful)", r"enjoy (your|the) (weekend|evening)",
                r"have a good", r"catch up (next|in)", r"let 's stop there", r"wrap up")


def cue_scores(joined: str, coach: bool) -> list[float]:
    """Cue counts per decoder state (opening, goal, reality, options, will, closing); the coach's count double."""
    w = 2.0 if coach else 1.0
    scores = [len(OPENING.findall(joined)) * w]
    scores += [min(3, len(CUES[s].findall(joined))) * w for s in STAGES]
    scores.append(min(2, len(CLOSING.findall(joined))) * w)
    return scores


#: A coachee turn that opens with "but" ("yes, but...", "I could, but..."): back from an idea to what is in the way.
YES_BUT = re.compile(r"^\W*(?:(?:yes|yeah|yeh|mm|okay|ok|i mean|well|right|sure|true|maybe|possibly|i could|"
                     r"that ['’]?s true|in theory)\W+)*but\b", re.I)


def is_yes_but(text: str) -> bool:
    return bool(YES_BUT.match(text))
