"""Screen time: dialogue at about 2.5 words a second, about a minute a page."""

from __future__ import annotations

import pytest

from shotline.breakdown import build_breakdown
from shotline.breakdown.pagination import LINES_PER_PAGE
from shotline.model.script import Element, ElementType
from shotline.planning import plan_script
from shotline.planning.durations import (
    DIRECTED_PAUSE,
    LINE_SECONDS,
    SPEECH_PAUSE,
    WORDS_PER_SECOND,
    action_seconds,
    heading_seconds,
    speech_seconds,
    words,
)
from shotline.script import parse_fountain
from tests.planning.screenplays import KITCHEN, scene_plan

T = ElementType

# A realistic page: a scene heading, description, a two-hander with a parenthetical,
# a bit of business, and a cut to the next scene.
PAGE = """\
INT. HARBOUR MASTER'S OFFICE - NIGHT

A cramped office above the quay. Charts curl on every wall. Rain streams down the only
window, blurring the lights of the moored trawlers beyond.

ABEL CROSS (60s), the harbour master, sits hunched over a ledger, reading glasses low on
his nose. A kettle ticks as it cools on the stove behind him.

The door bangs open. NELL PRICE (30s), soaked to the skin, shoulders in out of the storm.

NELL
The Morning Star hasn't come in.

ABEL
(not looking up)
She'll be sheltering behind the point. Skipper's got more sense than you.

NELL
She radioed at six. Said she was an hour out. That was four hours ago.

Abel finally looks up. He takes off the glasses, folds them, sets them on the ledger.

ABEL
Radio's been dead since the mast came down. You know that.

NELL
Then how did she radio me?

A long silence. The kettle stops ticking.

ABEL
You've been down at the old boat shed again.

NELL
The set in there still works. I've been keeping it running.

ABEL
For your father.

NELL
For anyone who's still out there.

Abel stands, crosses to the window, and wipes a clear patch in the fog on the glass.
Out in the dark, a single green light blinks, then vanishes.

ABEL
Get your coat.

CUT TO:

EXT. QUAY - CONTINUOUS

Wind howls off the water. Nell and Abel run the length of the quay toward the lifeboat
station, heads down against the rain.
"""


def test_dialogue_runs_at_two_and_a_half_words_a_second() -> None:
    line = Element(T.DIALOGUE, " ".join(["word"] * 25), 1)
    assert speech_seconds([line]) == pytest.approx(25 / WORDS_PER_SECOND + SPEECH_PAUSE)
    assert WORDS_PER_SECOND == 2.5


def test_a_beat_parenthetical_adds_a_pause() -> None:
    line = Element(T.DIALOGUE, "Fine.", 1)
    paused = speech_seconds([Element(T.PARENTHETICAL, "(beat)", 1), line])
    assert paused == pytest.approx(speech_seconds([line]) + DIRECTED_PAUSE)


def test_words_ignore_punctuation_on_its_own() -> None:
    assert words("Wait -- no. Stop!") == 3


def test_action_runs_at_the_page_rate_of_its_print() -> None:
    # One printed line and the blank before it, at 60 seconds a 55-line page.
    assert pytest.approx(60 / LINES_PER_PAGE) == LINE_SECONDS
    assert action_seconds("Rain.") == pytest.approx(2 * LINE_SECONDS)
    long = " ".join(["Rain falls on the glass."] * 10)  # 240 characters: four lines of 61
    assert action_seconds(long) == pytest.approx(6 * LINE_SECONDS)


def test_a_realistic_page_runs_about_a_minute() -> None:
    script = parse_fountain(PAGE)
    breakdown = build_breakdown(script)
    pages = breakdown.eighths / 8
    assert 1 <= pages <= 1.5  # a page and its spill onto the next
    seconds = plan_script(script, breakdown).duration
    assert seconds / pages == pytest.approx(60, rel=0.25)  # measured: 55.7 s a page


def test_the_heading_gives_the_opening_beat_its_moment() -> None:
    plan = scene_plan("INT. HALL - DAY\n\nRain.\n")
    # Blank line and heading, blank line and one line of action.
    assert plan.duration == pytest.approx(4 * LINE_SECONDS, abs=1e-3)


def test_scene_duration_is_the_sum_of_its_cuts() -> None:
    plan = scene_plan(KITCHEN)
    assert plan.duration == pytest.approx(sum(c.duration for c in plan.edit))
    assert plan.duration > 0


def test_a_shot_lasts_as_long_as_it_is_on_screen() -> None:
    plan = scene_plan(KITCHEN)
    for shot in plan.shots:
        on_screen = sum(c.duration for c in plan.edit if c.shot == shot.id)
        assert shot.duration == pytest.approx(on_screen, abs=1e-6)


def test_a_speech_cut_lasts_as_long_as_the_speech() -> None:
    text = "INT. HALL - DAY\n\nMARA\nOne two three four five six seven eight nine ten.\n"
    plan = scene_plan(text)
    speech = 10 / 2.5 + SPEECH_PAUSE
    assert plan.duration == pytest.approx(speech + heading_seconds("INT. HALL - DAY"), abs=1e-3)
