"""Who "he" and "she" are, from how a scene's action refers to people."""

from __future__ import annotations

from shotline.planning.cues import tokenize
from shotline.planning.pronouns import People, pronoun

KNOWN = {"MARA": "MARA", "TEO": "TEO", "RUTH HALLORAN": "HALLORAN"}


def learned(*texts: str) -> People:
    people = People(KNOWN)
    for text in texts:
        people.learn(tokenize(text))
    return people


def test_first_pronoun() -> None:
    assert pronoun(["the", "dog", "and", "his", "bone"]) == "he"
    assert pronoun(["they", "run"]) == "they"
    assert pronoun(["rain"]) is None


def test_a_sentence_starting_with_a_name_votes_for_its_pronoun() -> None:
    people = learned("Mara fills the kettle herself.", "Teo wipes his hands.")
    assert people.pronoun_of("MARA") == "she"
    assert people.pronoun_of("TEO") == "he"


def test_a_second_name_stops_the_vote() -> None:
    people = learned("Teo passes Mara the cup and smiles at her.")
    assert people.pronoun_of("TEO") is None


def test_names_are_found_by_their_last_word() -> None:
    people = learned("Halloran's radio crackles in her hand.")
    assert people.pronoun_of("HALLORAN") == "she"


def test_resolve_takes_the_most_recent_match() -> None:
    people = learned("Mara fills the kettle herself.", "Teo wipes his hands.")
    assert people.resolve("she", ["MARA", "TEO"]) == "MARA"
    assert people.resolve("he", ["TEO", "MARA"]) == "TEO"
    assert people.resolve("they", ["MARA", "TEO"]) is None
    assert people.resolve("he", ["MARA"]) is None
