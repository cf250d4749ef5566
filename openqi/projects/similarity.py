"""Similar projects: TF-IDF cosine similarity over title, aim and problem.

When someone starts a project, the projects already in the organisation that
look like it are shown before it is saved, each with the words and phrases
they share. Standard library only.

How a score is made:

- each text is split into words, lower-cased, stripped of common English (and
  common QI) words, and lightly stemmed (``falls`` and ``fall``, ``discharged``
  and ``discharge`` meet); adjacent words also make two-word phrases
  (``hand hygiene``);
- a project's terms are counted with the title weighted three times the aim
  and the problem, since a title says what the project is about;
- each count is multiplied by the term's inverse document frequency across the
  organisation's projects, smoothed: ``idf = ln((1 + n) / (1 + df)) + 1``;
- the score is the cosine of the two weighted vectors (0: nothing shared,
  1: the same words in the same proportions). Someone still typing only a title
  is compared title to title, so a long aim on an older project does not hide it.

The reason shown is the shared terms that contribute most to the score, as the
existing project writes them, each with the fields it appears in there.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

__all__ = [
    "FIELDS",
    "Match",
    "SharedTerm",
    "THRESHOLD",
    "TITLE_THRESHOLD",
    "Text",
    "similar",
    "stem",
    "terms",
]

#: The fields compared, and how much each counts.
FIELDS: dict[str, float] = {"title": 3.0, "aim": 1.0, "problem": 1.0}

#: Scores at or above this are shown. Chosen on realistic project texts
#: (tests/projects/test_project_similarity.py): unrelated projects in the same
#: hospital score below 0.1, projects on the same problem 0.25 and more.
THRESHOLD = 0.2
#: The same for a title alone (someone still typing): a few words share less.
TITLE_THRESHOLD = 0.12

STOP_WORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because
    been before being below between both but by can could did do does doing down
    during each few for from further had has have having he her here hers him his
    how i if in into is it its itself just me more most my no nor not now of off
    on once only or other our ours out over own same she should so some such than
    that the their theirs them then there these they this those through to too
    under until up very was we were what when where which while who whom why will
    with would you your yours per via within without across around using use used
    make makes made get gets got many much one two three new
    """.split()
    # Words in nearly every QI project (the aim's verbs and directions), which say
    # nothing about what the project is about.
    + """
    improve improving improved improvement improvements reduce reducing reduced
    reduction increase increasing increased project projects aim aims quality
    better ensure percent fewer less lower higher faster sooner earlier
    """.split()
)

_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
_DOUBLE_ENDING = re.compile(r"([bdfgkmnprt])\1$")


def stem(word: str) -> str:
    """A light stem: plurals, -ion after t or ss, -ing, -ed, -ly and a final e removed.

    Enough to match the forms project texts use (``falls``/``fall``,
    ``discharged``/``discharging``/``discharge``, ``prevention``/``preventing``)
    without a stemming library.

    >>> [stem(w) for w in ("falls", "discharged", "discharging", "therapies")]
    ['fall', 'discharg', 'discharg', 'therapy']
    >>> stem("prevention") == stem("preventing") == stem("prevent")
    True
    """
    word = word.replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if word.endswith(("tion", "ssion")) and len(word) > 6:
        word = word[:-3]
    for suffix, shortest in (("ing", 6), ("ed", 5), ("ly", 5)):
        if word.endswith(suffix) and len(word) >= shortest:
            word = word[: -len(suffix)]
            if _DOUBLE_ENDING.search(word):
                word = word[:-1]
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


def _words(text: str) -> list[tuple[str, str] | None]:
    """(stem, surface word) for each content word; None where a phrase breaks."""
    out: list[tuple[str, str] | None] = []
    for piece in re.split(r"[.,;:!?()\[\]\n]", text.lower()):
        for word in _WORD.findall(piece):
            if word in STOP_WORDS or word.isdigit() or len(word) < 2:
                out.append(None)
            else:
                out.append((stem(word), word))
        out.append(None)
    return out


def terms(text: str) -> list[tuple[str, str]]:
    """The text's terms as (key, how to show it): stemmed words and two-word phrases.

    >>> terms("Hand hygiene at night")
    [('hand', 'hand'), ('hygien', 'hygiene'), ('hand hygien', 'hand hygiene'), ('night', 'night')]
    """
    found: list[tuple[str, str]] = []
    previous: tuple[str, str] | None = None
    for item in _words(text):
        if item is not None:
            found.append(item)
            if previous is not None and previous[0] != item[0]:
                found.append((f"{previous[0]} {item[0]}", f"{previous[1]} {item[1]}"))
        previous = item
    return found


@dataclass(frozen=True)
class Text:
    """A project's words: ``key`` identifies it (a primary key) in the matches."""

    key: object
    title: str
    aim: str = ""
    problem: str = ""


@dataclass(frozen=True)
class SharedTerm:
    """A word or phrase both projects use, and the fields of the existing project it is in."""

    term: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class Match:
    key: object
    score: float
    shared: tuple[SharedTerm, ...] = field(default=())


@dataclass
class _Profile:
    counts: dict[str, float]
    title_counts: Counter[str]
    fields_of: dict[str, list[str]]
    shown: dict[str, str]


def _profile(text: Text) -> _Profile:
    counts: dict[str, float] = defaultdict(float)
    title_counts: Counter[str] = Counter()
    fields_of: dict[str, list[str]] = defaultdict(list)
    shown: dict[str, str] = {}
    for name, weight in FIELDS.items():
        for key, surface in terms(getattr(text, name) or ""):
            counts[key] += weight
            if name == "title":
                title_counts[key] += 1
            if name not in fields_of[key]:
                fields_of[key].append(name)
            shown.setdefault(key, surface)
    return _Profile(counts, title_counts, dict(fields_of), shown)


def _weighted(counts: Mapping[str, float], idf: dict[str, float]) -> dict[str, float]:
    return {term: count * idf[term] for term, count in counts.items()}


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if not a or not b:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    dot = sum(weight * b[term] for term, weight in a.items() if term in b)
    if not dot:
        return 0.0
    norm = math.sqrt(sum(w * w for w in a.values())) * math.sqrt(
        sum(w * w for w in b.values())
    )
    return dot / norm


def similar(
    text: Text,
    others: Iterable[Text],
    *,
    threshold: float | None = None,
    limit: int = 5,
    reasons: int = 5,
) -> list[Match]:
    """The ``others`` most like ``text``, best first, scoring at least ``threshold``
    (by default :data:`THRESHOLD`, or :data:`TITLE_THRESHOLD` for a title alone).

    Each match carries its score (0–1, rounded to two places) and up to
    ``reasons`` shared terms, the biggest contributors first.
    """
    query = _profile(text)
    if not query.counts:
        return []
    profiles: list[tuple[Text, _Profile]] = [(o, _profile(o)) for o in others]
    total = len(profiles) + 1
    document_frequency: Counter[str] = Counter(query.counts.keys())
    for _, profile in profiles:
        document_frequency.update(profile.counts.keys())
    idf = {
        term: math.log((1 + total) / (1 + df)) + 1
        for term, df in document_frequency.items()
    }
    title_only = not (text.aim.strip() or text.problem.strip())
    if threshold is None:
        threshold = TITLE_THRESHOLD if title_only else THRESHOLD
    query_title = _weighted(query.title_counts, idf)
    query_full = _weighted(query.counts, idf)

    matches = []
    for other, profile in profiles:
        vector = _weighted(profile.counts, idf)
        if title_only:
            score, query_vector = _cosine(query_title, vector), query_title
        else:
            title_score = _cosine(query_title, _weighted(profile.title_counts, idf))
            score, query_vector = (
                max(_cosine(query_full, vector), title_score),
                query_full,
            )
        if score < threshold:
            continue
        shared = sorted(
            (t for t in query_vector if t in vector),
            key=lambda t: (-query_vector[t] * vector[t], t),
        )
        matches.append(
            Match(
                key=other.key,
                score=round(score, 2),
                shared=tuple(
                    SharedTerm(profile.shown[t], tuple(profile.fields_of[t]))
                    for t in _without_covered_words(shared)[:reasons]
                ),
            )
        )
    matches.sort(key=lambda m: -m.score)
    return matches[:limit]


def _without_covered_words(shared: Sequence[str]) -> list[str]:
    """Drop a single word when a shared phrase already contains it."""
    covered = {word for term in shared if " " in term for word in term.split(" ")}
    return [term for term in shared if " " in term or term not in covered]
