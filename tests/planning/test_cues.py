"""Cues in action text: movement, looks, scale, angle, props in hand."""

from __future__ import annotations

import pytest

from shotline.model.shots import Angle, Movement
from shotline.planning.cues import read_action, tokenize, verb_forms


def test_tokens_carry_sentences_and_capitals() -> None:
    tokens = tokenize("Mara grabs the COMPASS. Then she runs!")
    assert [t.word for t in tokens] == ["mara", "grabs", "the", "compass", "then", "she", "runs"]
    assert [t.sentence for t in tokens] == [0, 0, 0, 0, 1, 1, 1]
    assert [t.caps for t in tokens] == [False, False, False, True, False, False, False]


def test_verb_forms() -> None:
    assert set(verb_forms("run")) >= {"run", "runs", "running"}
    assert set(verb_forms("grab")) >= {"grabs", "grabbed", "grabbing"}
    assert set(verb_forms("come in")) >= {"comes in", "coming in"}
    assert set(verb_forms("hurry")) >= {"hurries", "hurried", "hurrying"}
    assert set(verb_forms("lie on")) >= {"lies on", "lying on"}


@pytest.mark.parametrize(("text", "movement", "word"), [
    ("Mara enters, dripping.", Movement.DOLLY_IN, "enters"),
    ("Teo walks in with the shopping.", Movement.DOLLY_IN, "walks in"),
    ("She sprints along the sea wall.", Movement.TRACKING, "sprints"),
    ("The dog chases the gulls.", Movement.TRACKING, "chases"),
    ("They struggle on the wet deck.", Movement.HANDHELD, "struggle"),
    ("An EXPLOSION rips through the stall.", Movement.HANDHELD, "EXPLOSION"),
])
def test_movement_verbs(text: str, movement: Movement, word: str) -> None:
    cues = read_action(text)
    assert cues.movement is movement
    assert cues.mover is not None and cues.mover.word == word


def test_a_verb_after_a_determiner_is_a_noun() -> None:
    assert read_action("She goes for a run.").movement is None
    assert read_action("She checks her watch.").look is None
    assert read_action("He gives her a look.").look is None


def test_a_look_and_what_is_seen() -> None:
    cues = read_action("Rain. Mara looks out of the window, frowning.")
    assert cues.look is not None
    assert cues.look.view == "out of the window"
    assert cues.look.sentence_start == len("Rain. ")
    assert read_action("Teo sees the letter.").look.view == "at the letter"  # type: ignore[union-attr]


def test_a_look_deep_in_a_paragraph_is_not_what_it_is_about() -> None:
    assert read_action("Rain. Wind. Gulls. She watches everything.").look is None


@pytest.mark.parametrize("text", [
    "A crowd of hundreds surges forward.", "Thousands of lanterns rise.", "The army waits.",
    "The storm hits the harbour.", "The whole town turns out.",
])
def test_scale(text: str) -> None:
    assert read_action(text).scale


def test_no_scale_in_a_quiet_room() -> None:
    assert not read_action("Mara sits alone with her tea.").scale


@pytest.mark.parametrize(("text", "angle"), [
    ("The guard towers over the prisoner.", Angle.LOW),
    ("Mara stands on the crates, directing them.", Angle.LOW),
    ("Mei cowers under the table.", Angle.HIGH),
    ("He is trapped, helpless.", Angle.HIGH),
    ("Teo reels, dizzy.", Angle.DUTCH),
    ("Mara drinks her tea.", None),
])
def test_angle_cues(text: str, angle: Angle | None) -> None:
    assert read_action(text).angle is angle


def test_aerial_cue() -> None:
    assert read_action("Seen from above, the raft is a square of light.").aerial


def test_handled_words_are_the_few_after_a_verb_of_handling() -> None:
    cues = read_action("Teo sets down an envelope. Mara grabs the rope ladder as the deck "
                       "drops away beneath her feet.")
    words = [t.word for t in cues.tokens]
    handled = {words[i] for i in cues.handled}
    assert {"envelope", "rope"} <= handled
    assert "ladder" in handled and "deck" not in handled  # four words after the verb
    far = read_action("She jumps for the rope ladder as the deck drops away beneath her.")
    assert "rope" not in {far.tokens[i].word for i in far.handled}  # the deck drops, not her
