"""The breakdown lexicon: stems, phrase matching, categories and project files."""

from __future__ import annotations

from pathlib import Path

import pytest

from shotline.breakdown.lexicon import Lexicon, base, default_lexicon, load_lexicon
from shotline.errors import InputError
from shotline.model.breakdown import CATEGORIES


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return default_lexicon()


# base()


@pytest.mark.parametrize(
    "forms",
    [
        ("lantern", "lanterns"),
        ("jump", "jumps", "jumped", "jumping"),
        ("rise", "rises", "rising"),
        ("box", "boxes"),
        ("crash", "crashes", "crashed"),
        ("party", "parties"),
        ("run", "runs", "running"),
        ("stop", "stopped", "stopping"),
        ("bus", "buses"),
        ("dress", "dresses"),
    ],
)
def test_base_maps_plural_and_verb_forms_onto_one_key(forms: tuple[str, ...]) -> None:
    assert len({base(w) for w in forms}) == 1


@pytest.mark.parametrize(
    "forms", [("taxi", "taxis"), ("hoodie", "hoodies"), ("painting", "paintings")],
    ids=["taxis", "hoodies", "paintings"],
)
def test_base_maps_plurals_of_lexicon_terms_onto_the_term(forms: tuple[str, ...]) -> None:
    assert len({base(w) for w in forms}) == 1


def test_base_drops_a_possessive() -> None:
    assert base("captain's") == base("captain")


def test_base_leaves_short_words_alone() -> None:
    assert [base(w) for w in ("gas", "bus", "axe")] == ["gas", "bus", "axe"]


def test_base_keeps_words_ending_in_us() -> None:
    # 'cactus' is not the plural of 'cactu'; 'taxis' is the plural of 'taxi'.
    assert (base("cactus"), base("taxis")) == ("cactus", "taxi")


# Lexicon.find


def test_find_returns_the_term_as_the_lexicon_writes_it(lexicon: Lexicon) -> None:
    assert lexicon.find("Three ambulances idle at the kerb.") == {"vehicles": {"ambulance"}}


def test_find_ignores_case(lexicon: Lexicon) -> None:
    assert lexicon.find("She lifts the REVOLVER.") == {"props": {"revolver"}}


def test_phrase_beats_its_single_words(lexicon: Lexicon) -> None:
    assert lexicon.find("A police car noses down the lane.") == {"vehicles": {"police car"}}


def test_phrase_spans_inflected_words(lexicon: Lexicon) -> None:
    # 'crashes through' is one special effect, not the stunt 'crash'.
    found = lexicon.find("The van crashed through the fence.")
    assert found == {"vehicles": {"van"}, "special_effects": {"crashes through"}}


def test_possessive_still_matches(lexicon: Lexicon) -> None:
    assert lexicon.find("the ferry's horn") == {"vehicles": {"ferry"}}


def test_word_inside_another_word_does_not_match(lexicon: Lexicon) -> None:
    # 'cat' is an animal; 'catalogue' is not.
    assert lexicon.find("She leafs through a catalogue.") == {}


def test_term_in_two_categories_is_reported_in_both(lexicon: Lexicon) -> None:
    found = lexicon.find("A spaceship hangs over the town.")
    assert found == {"vehicles": {"spaceship"}, "visual_effects": {"spaceship"}}


@pytest.mark.parametrize(
    ("category", "text", "term"),
    [
        ("props", "He checks his wristwatch.", "wristwatch"),
        ("vehicles", "A tugboat churns past.", "tugboat"),
        ("animals", "Two foxes watch from the hedge.", "fox"),
        ("wardrobe", "She buttons her raincoat.", "raincoat"),
        ("special_effects", "Smoke curls from the chimney.", "smoke"),
        ("visual_effects", "A hologram flickers.", "hologram"),
        ("stunts", "He somersaults off the wall.", "somersault"),
        ("extras", "Commuters shove past.", "commuter"),
    ],
)
def test_each_category_finds_a_typical_term(
    lexicon: Lexicon, category: str, text: str, term: str
) -> None:
    assert term in lexicon.find(text).get(category, set())


def test_default_lexicon_covers_every_category(lexicon: Lexicon) -> None:
    covered = {c for found in lexicon.entries.values() for c, _ in found}
    assert covered == set(CATEGORIES)


def test_text_without_terms_finds_nothing(lexicon: Lexicon) -> None:
    assert lexicon.find("She waits.") == {}


def test_term_followed_by_a_dash_is_found(lexicon: Lexicon) -> None:
    assert lexicon.find("She reaches for the knife--") == {"props": {"knife"}}


# Lexicon.from_terms and merged


def test_forms_of_one_term_collapse_into_one_entry() -> None:
    built = Lexicon.from_terms({"extras": ["crowd", "crowds"]})
    assert built.entries == {("crowd",): (("extras", "crowd"),)}


def test_multi_word_term_is_keyed_by_its_word_bases() -> None:
    built = Lexicon.from_terms({"props": ["Fishing Rods"]})
    assert built.entries == {("fish", "rod"): (("props", "Fishing Rods"),)}


def test_merge_adds_a_category_to_a_known_key() -> None:
    merged = Lexicon.from_terms({"props": ["lamp"]}).merged(
        Lexicon.from_terms({"special_effects": ["lamps"]}))
    assert merged.find("lamp") == {"props": {"lamp"}, "special_effects": {"lamps"}}


def test_merge_keeps_the_first_term_of_a_category() -> None:
    merged = Lexicon.from_terms({"props": ["lamp"]}).merged(
        Lexicon.from_terms({"props": ["lamps"]}))
    assert merged.find("lamp") == {"props": {"lamp"}}


# Project lexicon files


def write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "lexicon.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_project_lexicon_adds_its_terms(tmp_path: Path) -> None:
    path = write(tmp_path, '[props]\nterms = ["harpoon"]\n\n[animals]\nterms = ["seal"]\n')
    found = load_lexicon(path).find("A seal eyes the harpoons.")
    assert found == {"props": {"harpoon"}, "animals": {"seal"}}


def test_project_lexicon_keeps_the_default_terms(tmp_path: Path) -> None:
    path = write(tmp_path, '[props]\nterms = ["harpoon"]\n')
    assert load_lexicon(path).find("A gun and a harpoon.") == {"props": {"gun", "harpoon"}}


def test_empty_project_lexicon_is_the_default(tmp_path: Path, lexicon: Lexicon) -> None:
    assert load_lexicon(write(tmp_path, "")) == lexicon


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('[weather]\nterms = ["drizzle"]\n', "unknown category [weather]"),
        ('[props]\nterms = "harpoon"\n', "needs terms"),
        ("[props]\nterms = [1, 2]\n", "needs terms"),
        ('[props]\nwords = ["harpoon"]\n', "needs terms"),
        ('props = ["harpoon"]\n', "needs terms"),
        ("[props\nterms = [\n", "not a valid lexicon TOML file"),
        (b"[props]\nterms = ['\xff']\n", "not a valid lexicon TOML file"),
    ],
    ids=["unknown-category", "terms-not-a-list", "terms-not-strings", "no-terms",
         "category-not-a-table", "invalid-toml", "not-utf8"],
)
def test_bad_lexicon_raises_input_error_naming_the_file(
    tmp_path: Path, text: str | bytes, says: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as caught:
        load_lexicon(path)
    assert caught.value.source == str(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert says in str(caught.value)


def test_missing_lexicon_file_raises_input_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.toml"
    with pytest.raises(InputError, match="cannot read lexicon") as caught:
        load_lexicon(path)
    assert caught.value.source == str(path)
