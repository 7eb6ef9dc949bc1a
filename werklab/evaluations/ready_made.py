"""The ready-made questionnaires, in Dutch and in English. A programme gets a copy (which
its trainers can then change); the originals here never change under existing answers."""

from __future__ import annotations

from dataclasses import dataclass, field

from werklab.evaluations.models import QuestionKind, QuestionnairePurpose

SCALE, SINGLE, MULTIPLE, OPEN = (
    QuestionKind.SCALE,
    QuestionKind.SINGLE,
    QuestionKind.MULTIPLE,
    QuestionKind.OPEN,
)


@dataclass(frozen=True)
class QuestionSpec:
    kind: QuestionKind
    text: str
    required: bool = False
    low_label: str = ""
    high_label: str = ""
    options: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class ReadyMade:
    key: str
    title: str
    language: str
    purpose: QuestionnairePurpose
    questions: tuple[QuestionSpec, ...]


READY_MADE: dict[str, ReadyMade] = {
    r.key: r
    for r in (
        ReadyMade(
            "session-nl",
            "Korte evaluatie na een bijeenkomst",
            "nl",
            QuestionnairePurpose.SESSION,
            (
                QuestionSpec(
                    SCALE,
                    "Hoe nuttig was deze bijeenkomst voor je werk?",
                    True,
                    "Niet nuttig",
                    "Heel nuttig",
                ),
                QuestionSpec(OPEN, "Wat neem je mee uit deze bijeenkomst?"),
                QuestionSpec(OPEN, "Wat zou er anders moeten?"),
            ),
        ),
        ReadyMade(
            "session-en",
            "Short evaluation after a session",
            "en",
            QuestionnairePurpose.SESSION,
            (
                QuestionSpec(
                    SCALE,
                    "How useful was this session for your work?",
                    True,
                    "Not useful",
                    "Very useful",
                ),
                QuestionSpec(OPEN, "What do you take with you from this session?"),
                QuestionSpec(OPEN, "What should change?"),
            ),
        ),
        ReadyMade(
            "final-nl",
            "Evaluatie aan het eind van het traject",
            "nl",
            QuestionnairePurpose.FINAL,
            (
                QuestionSpec(
                    SCALE,
                    "Hoe nuttig was het traject als geheel voor je werk?",
                    True,
                    "Niet nuttig",
                    "Heel nuttig",
                ),
                QuestionSpec(
                    SCALE,
                    "Hoeveel heb je geleerd van de andere deelnemers?",
                    True,
                    "Niets",
                    "Heel veel",
                ),
                QuestionSpec(
                    SCALE,
                    "Hoe goed werkte de begeleiding?",
                    False,
                    "Slecht",
                    "Uitstekend",
                ),
                QuestionSpec(
                    MULTIPLE,
                    "Welke onderdelen waren voor jou het waardevolst?",
                    False,
                    options=(
                        "De bijeenkomsten",
                        "De werkbezoeken",
                        "Het huiswerkgroepje",
                        "De opdrachten",
                        "De gesprekken met bewoners",
                    ),
                ),
                QuestionSpec(
                    SINGLE,
                    "Zou je het traject aanraden aan een collega?",
                    True,
                    options=("Ja", "Misschien", "Nee"),
                ),
                QuestionSpec(OPEN, "Wat ga je morgen anders doen in je werk?"),
                QuestionSpec(OPEN, "Wat zou er anders moeten aan het traject?"),
            ),
        ),
        ReadyMade(
            "final-en",
            "Evaluation at the end of the programme",
            "en",
            QuestionnairePurpose.FINAL,
            (
                QuestionSpec(
                    SCALE,
                    "How useful was the programme as a whole for your work?",
                    True,
                    "Not useful",
                    "Very useful",
                ),
                QuestionSpec(
                    SCALE,
                    "How much did you learn from the other participants?",
                    True,
                    "Nothing",
                    "A great deal",
                ),
                QuestionSpec(
                    SCALE,
                    "How well did the coaching work?",
                    False,
                    "Poorly",
                    "Excellently",
                ),
                QuestionSpec(
                    MULTIPLE,
                    "Which parts were the most valuable to you?",
                    False,
                    options=(
                        "The sessions",
                        "The site visits",
                        "The homework group",
                        "The assignments",
                        "The conversations with residents",
                    ),
                ),
                QuestionSpec(
                    SINGLE,
                    "Would you recommend the programme to a colleague?",
                    True,
                    options=("Yes", "Maybe", "No"),
                ),
                QuestionSpec(OPEN, "What will you do differently in your work tomorrow?"),
                QuestionSpec(OPEN, "What should change about the programme?"),
            ),
        ),
    )
}

#: What a session gets when its trainers chose nothing.
DEFAULT_KEY = "session-nl"
