"""Stock phrases behind the statement acts: reflection, advice, information, affirmation.

Each list is a set of regular expressions matched on padded Treebank tokens
(" you 're worried "), so contractions and spacing look the same in typed
and recognised text. The rules that use them live in ``acts.py``.
"""

from __future__ import annotations

import re


def phrases(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f" {p} " for p in patterns))


REFLECTION = phrases(
    r"(it )?sounds (like|as if|as though|to me like)", r"it seems( like| that| as if| to me)?",
    r"seems like", r"what i 'm hearing", r"what i hear", r"i (can )?hear (that|you)",
    r"i 'm hearing", r"if i (understand|understood|'ve understood|heard)( you)?",
    r"i get the (sense|feeling|impression)", r"i sense", r"i imagine (that|you|it)",
    r"you 're (saying|feeling|telling|wondering|worried|not sure|torn|frustrated|stuck|tired|"
    r"fed up|concerned|hoping|keen|unsure|finding|struggling|thinking)",
    r"you (feel|felt|mean|want|wanted|need|'d like|would like|care|value|wish|seem|hope)",
    r"you (really|also|do n't|did n't) (feel|want|like|care|know|think)", r"part of you",
    r"on (the )?one hand", r"(it|that|this) (must|must have|would) (be|feel|have been)",
    r"(it|that) 's (been )?(hard|tough|difficult|frustrating|a lot|painful|exhausting|draining)",
    r"(it|that) ('s|has|was) (been )?(a |an )?(really |very |pretty |so |such a )?(hard|tough|rough|difficult|"
    r"painful|exhausting|draining|lonely|stressful|scary|brutal) (time|year|few|couple|week|month|day|road)",
    r"(matters|important|means|mean) (a lot |so much |a great deal )?to you", r"feels like", r"for you it 's",
    r"you 've (been|had|tried|noticed|got|found|realised|realized|decided)",
    r"you 're (really|quite|pretty|very|a bit|still|already|now|clear|ready|willing|determined|"
    r"committed|going|planning|the one|caught)",
    r"so (you|your|it 's|that 's|the|for you)", r"in other words", r"let me (check|see if)",
    r"you 'll (send|ask|talk|speak|try|start|write|book|set|do|have)", r"you have (been|had|a|got)",
)
#: "You could block out time", "you might call her": an option put to the client.
SUGGESTED_VERBS = {"block", "book", "schedule", "delegate", "write", "set", "send", "email", "call",
                    "keep", "put", "ask", "talk", "speak", "try", "start", "stop", "plan", "prepare"}
ADVICE = phrases(
    r"you (really )?(should|ought to|need to|'ve got to|have got to|must|gotta|have to)",
    r"you (could|can|might|may) (try|always|just|consider|want to|think about|look at|ask|talk|use)",
    r"you might want", r"you (could|might) (also|always|perhaps|maybe)",
    r"you (could|might|can) (" + "|".join(sorted(SUGGESTED_VERBS)) + ")",
    r"i (would|'d|might|'ll|) ?(suggest|recommend|advise)", r"my (advice|suggestion|tip)",
    r"if i (were|was) you", r"(it|that) (might|would|could|may) (help|be worth|be good|be useful|"
    r"be a good idea|be better)", r"the best (thing|way)", r"make sure", r"do n't forget",
    r"i think you (should|need|could|might)", r"one (thing|option|idea) (you|would|could|might)",
    r"what i (would|'d) do", r"a good idea (would be|is) to",
    # "I'd log that", "I'd cut the features": what the coach would do, put as a recommendation.
    r"i (would|'d) (just |definitely |probably |honestly )?(?!(like|love|be|have|say|guess|imagine|think|hate|"
    r"want|rather|need|feel|hope|prefer|agree|expect|never|not|n't|been|assume|bet|argue|call|ask|add|"
    r"put|describe|suggest|recommend|advise)\b)[a-z]+",
    r"you (can|could) (not|n't) (let|leave|wait|ignore|afford)", r"do n't (wait|leave|let|ignore)",
    r"you may want", r"(you 'll|you will) (need|want|have) to",
    r"i (want|'d like|would like) you to", r"(the|one) (best|key|trick|important) (thing )?is to",
    r"(it 's|it is|it 'd be|it would be|it might be) (really |probably |definitely )?(important|worth|best|better|"
    r"a good idea|helpful|useful) (to|that you|if you|[a-z]+ing)",
    # Offering a resource or help: "I could send you our paperwork", "do you want me to look".
    r"i (could|can) (send|forward|share|show|lend|introduce|give|dig out|put you)",
    r"(do|would) you (want|like) me to", r"i 'm happy to (look|send|share|help|go|read|check)",
)
#: "You could ask her", "you might book a slot": an option put to the coachee, unless a
#: "what/where/if" makes it part of a question or a condition ("what you could do").
YOU_COULD = re.compile(r"(?<!what)(?<!where)(?<!how)(?<!that)(?<!which)(?<! if)(?<!whether)(?<!anywhere)"
                       r"(?<!thing)(?<!one) you "
                       r"(could|might) (also |just |always |perhaps |maybe )?(?!(have|be|see|tell|hear|feel|say|"
                       r"imagine|n't|not|do with|find|get away|never|learn)\b)[a-z]+ ")
#: Advice put as a question: "have you tried...", "why not...", "what if you gave...".
ADVICE_ASKED = phrases(
    # "what have you tried" asks about the past; "have you tried" suggests.
    r"(?<!what )(?<!when )have you (tried|thought about|considered|thought of)", r"(?<!what )did you try",
    r"why (do n't|not) (you|just|try|ask)", r"why not",
    r"(what|how) about (trying|asking|talking|doing|using|getting|setting|making|telling|"
    r"speaking|sending|having|booking|writing|not|physically|just|leaving|giving|taking|putting)",
    r"how about (a|an|the)", r"what if you (just )?[a-z]+ed", r"what if you (tried|gave|took|left|put|told|"
    r"kept|sent|made|did|set|said|wrote|stopped|started)",
)
#: Courtesies, goodbyes and scheduling: they take up the coachee's words without reflecting.
COURTESY = phrases(r"good luck", r"no worries", r"no need", r"be sorry", r"same time", r"take care", r"no problem",
                   r"see you", r"bless")
#: Pointing back at a topic before a question: "you mentioned the stand-ups", "earlier you said".
TOPIC_CUE = phrases(r"you (mentioned|said|talked about|brought up|spoke about|touched on)",
                    r"(earlier|last time|before) you", r"(going|coming|getting) back to", r"on the (subject|topic) of")
#: "could you ask her", "can't you just delegate it", "could Mrs Akhtar put it in".
SUGGESTION = phrases(r"(could|can|would) (n't )?(?!i |we )([a-z]+ ){1,2}(just )?(try|ask|delegate|book|block|put|"
                     r"send|use|get|tell|speak|talk|email|call|swap|split|share|move|drop|cut|skip|pair|set)")
#: Clause-initial verbs of telling someone what to do.
IMPERATIVE = {"try", "consider", "ask", "tell", "talk", "write", "set", "send", "stop", "start",
              "avoid", "remember", "keep", "book", "schedule", "delegate", "speak", "use", "make",
              "focus", "cancel", "give", "put", "say", "email", "call", "raise", "block", "plan",
              "prepare", "read", "log", "signpost", "document", "note", "record", "check", "bring"}
#: Giving information: what people generally find, what the guidance says. Looked
#: for in statements only ("can I tell you what we usually suggest?" offers it).
INFO = phrases(
    r"(a lot of|lots of|many|most|some|other) (other )?(people|folks|patients|clients|students|parents|"
    r"smokers|drinkers|men|women|adults)( [a-z]+){0,2} (find|found|do|say|tell|notice|get|feel|use)",
    r"people (often|usually|generally|tend|typically|find)",
    r"(the|our|current) (guidelines|guidance|research|evidence|studies|recommendation|usual advice|"
    r"standard advice|advice now)", r"(research|studies|evidence) (shows|show|suggests|suggest|says)",
    r"(it 's|its|that 's) (usually |generally |really |very |quite |perfectly )?(worth|fine to|safe to|"
    r"common|normal to|very common|recommended)", r"(it|that) is (usually |generally )?(worth|common)",
    r"(is|are) (often|usually|generally|normally) (a|an|the) (early |first |common |good )?(sign|cause|"
    r"symptom|way)", r"the good news is",
    r"tends? to (make|help|work|cause|be|reduce|increase|pass|settle|ease|fade|wear off)",
    r"we (normally|usually|often|generally|tend to|typically) (say|suggest|recommend|advise|tell|start)",
    r"from what i ('ve )?(see|seen|know)", r"(very|really|quite|pretty) common",
    r"(usually|typically|generally|often) (does n't|do n't|doesnt|dont|can|will|takes?|causes?|settles?|"
    r"comes?|goes|passes?)",
)
#: Information or an option offered in the second person ("you just want to keep
#: it at the same time", "you can get it free"), as opposed to a reflection.
INFO_YOU = phrases(r"you (just )?want to (keep|make|take|avoid|try)", r"(can|could) set you up",
                     r"your (pharmacist|gp|doctor|nurse|dentist)")
#: Minimal encouragers ("go on", "take your time") invite more talk; they tell nothing.
NOT_ADVICE = phrases(r"should be proud", r"you (could|can) (see|tell|hear)", r"(tell|give|let) (me|us)",
                       r"you need to (feel|know) (that )?you", r"go (on|ahead)", r"carry on", r"keep going",
                       r"take your time", r"say more")
AFFIRMATION = phrases(
    # Praise counts when it names what was done ("well done for raising it"); a bare
    # "Great job!" or "I'm proud of you" is generic and not coded (MITI 4.2.1 E.4.f.2).
    r"(well done|good job|great job|nice work|good work|good for you) (for|on|with|in|getting|to)",
    r"(that|this|it) 's (a |an )?(really |very |such a |such an )?(great|good|brilliant|fantastic|"
    r"excellent|wonderful|lovely|smart|clever|impressive|huge|big|important|creative|useful|"
    r"strong|solid|powerful|thoughtful|proper|honest|generous|brave|clear|sensible|realistic) (idea|plan|step|"
    r"insight|point|thought|progress|start|achievement|realisation|realization|move|change|commitment|effort|"
    r"goal|option|list|question|way|reflection)",
    r"(great|good|brilliant|excellent|lovely|creative|smart|clever|solid|sensible|practical|realistic|"
    r"useful|clear|careful) (idea|ideas|thinking|plan|plans|insight|point|step|steps)",
    r"(that|it) 's (a |an )?(really |very |pretty |such a )?(honest|brave|courageous|mature|generous|"
    r"wise|sensible|smart|hard) thing (to|you)",
    r"you ('ve|have) (already |clearly |really )?(shown|proved|proven|demonstrated) (you|that|how)",
    r"you (came|'ve come|have come) up with",
    r"(sounds|seems|looks) like (a |an )?(really |very |such a )?(great|good|solid|sensible|clear|realistic|"
    r"strong|brilliant|excellent|smart|creative|practical) (plan|idea|step|start|approach)",
    r"you ('ve|have) (done|made|managed|achieved|worked|come|shown|handled|got|kept|stuck|put|"
    r"taken|already done|already made|really|clearly|obviously) .*(well|lot|great|hard|far|way|"
    r"progress|effort|already|so much|good|brilliant)",
    r"you 're (clearly |really |so |very |obviously |being )?(good at|great at|brilliant|skilled|resourceful|"
    r"committed|determined|capable|strong|thoughtful|brave|courageous|creative|organised|"
    r"organized|honest|generous|caring|talented|persistent|dedicated)",
    r"you were (really |very |so |pretty |incredibly )?(honest|brave|open|clear|focused|thoughtful|generous|calm|"
    r"professional|patient|persistent)",
    r"(is|was) (really |very |so )?(thoughtful|brave|generous|insightful|clear thinking)",
    r"(and )?(really |very |so )?(brave|courageous|generous), to",
    r"(it|that) (takes|took) (real |a lot of |some )?(courage|guts|strength|honesty|effort|commitment|"
    r"determination)",
    r"i (really )?(appreciate|admire|respect) (how|the way|that you|your)", r"i 'm (really |so |very )?impressed",
    r"impressive", r"that 's (real|great|good) progress",
    r"(that|this|it) (shows|says|speaks|took) (a lot|real|great|how|so|your|you)",
    r"you (did|handled) (it|that|this|well|really|a great)",
    r"(your|you have|you 've got) (a |real |great |clear )?(strength|skill|talent|gift|experience)",
    r"you (clearly|obviously|really|already) (know|understand) (a lot|how|what)",
)

#: "you" that does not talk about the listener: fillers and courtesies.
NOT_ABOUT_YOU = phrases(r"you know", r"thank you", r"see you", r"(nice|good|great|lovely) to (see|meet|have) you",
                          r"you see", r"mind you", r"bless you",
                          r"you 're (fine|alright|all right|welcome|okay|ok)", r"(if|wherever|whenever|however) you "
                          r"(like|want|'d like|prefer)", r"(do|does|did|would|could|can|will|are|were|have) "
                          r"(n't )?you")
