"""The character bible: entries, appearance rules, performers, reference images, and the
words and overrides other parts of Shotline take from it."""

from __future__ import annotations

import io
import random
import struct
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from sqlalchemy import func, select

from shotline.breakdown.characters import cue_name
from shotline.errors import InputError
from shotline.model.appearance import HAIR_COLOURS, TOPS, appearance_for
from shotline.store import characters as bible
from shotline.store.project import Project
from shotline.store.schema import Asset, CharacterReference, Performer
from tests.conftest import SCRIPT

MakeProject = Callable[..., Project]


# -- images -------------------------------------------------------------------------------


def png(size: tuple[int, int] = (32, 24), colour: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def noisy_png(size: int = 64) -> bytes:
    """Noise compresses badly, so cutting the file short cuts into the pixels."""
    image = Image.frombytes("RGB", (size, size), random.Random(7).randbytes(size * size * 3))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 90, 160)).save(buffer, "JPEG")
    return buffer.getvalue()


def chunk(kind: bytes, body: bytes) -> bytes:
    return (struct.pack(">I", len(body)) + kind + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))


def png_claiming(width: int, height: int) -> bytes:
    """A well-formed PNG header for an image of that size, with a few bytes of pixels:
    what a decompression bomb looks like before anything decodes it."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (bible.PNG_MAGIC + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def asset_count(project: Project) -> int:
    with project.sessions() as s:
        return s.scalar(select(func.count()).select_from(Asset)) or 0


# -- entries ------------------------------------------------------------------------------


def test_set_and_get_round_trip(make_project: MakeProject, database_url: str) -> None:
    project = make_project(database_url=database_url)
    assert bible.get(project, "MARA") is None
    entry = bible.set_entry(project, "  mara ", description="A harbour pilot.",
                            appearance={"height": 1.72, "top": "#1F7F86"},
                            aliases=["Captain", "Okafor"], performer="Ana Lee")
    again = bible.get(project, "Mara")
    assert again == entry
    assert again is not None
    assert (again.name, again.description, again.aliases, again.performer) == \
        ("MARA", "A harbour pilot.", ("Captain", "Okafor"), "Ana Lee")
    assert again.appearance == {"height": 1.72, "top": "#1f7f86"}  # colours in lower case
    assert [e.name for e in bible.all_entries(project)] == ["MARA"]


def test_what_is_not_given_stays(make_project: MakeProject) -> None:
    project = make_project()
    bible.set_entry(project, "MARA", description="A pilot.", appearance={"hair": "bun"},
                    aliases=["Captain"], performer="Ana Lee")
    entry = bible.set_entry(project, "MARA", appearance={"height": 1.6})
    assert entry.description == "A pilot."
    assert entry.aliases == ("Captain",)
    assert entry.performer == "Ana Lee"
    assert entry.appearance == {"hair": "bun", "height": 1.6}  # merged, not replaced


def test_a_none_field_drops_out_of_the_overrides(make_project: MakeProject) -> None:
    project = make_project()
    bible.set_entry(project, "MARA", appearance={"hair": "bun", "height": 1.6})
    assert bible.set_entry(project, "MARA", appearance={"hair": None}).appearance == \
        {"height": 1.6}


def test_an_int_height_is_stored_as_metres(make_project: MakeProject) -> None:
    project = make_project()
    assert bible.set_entry(project, "MARA", appearance={"height": 2}).appearance == \
        {"height": 2.0}


@pytest.mark.parametrize(("appearance", "named"), [
    ({"eyes": "blue"}, "eyes"),
    ({"height": 3.1}, "height"),
    ({"height": True}, "height"),
    ({"height": "tall"}, "height"),
    ({"build": "huge"}, "build"),
    ({"hair": "mohawk"}, "hair"),
    ({"top": "#zzzzzz"}, "top"),
    ({"hair_colour": "red"}, "hair_colour"),
    ({"skin": "#12345"}, "skin"),
])
def test_bad_appearance_is_refused_by_name(make_project: MakeProject,
                                           appearance: dict[str, Any], named: str) -> None:
    project = make_project()
    bible.set_entry(project, "MARA", appearance={"hair": "bun"})
    with pytest.raises(InputError, match=named):
        bible.set_entry(project, "MARA", description="changed", appearance=appearance)
    entry = bible.get(project, "MARA")
    assert entry is not None
    assert (entry.description, entry.appearance) == ("", {"hair": "bun"})  # nothing written


def test_an_unknown_character_needs_force(make_project: MakeProject) -> None:
    project = make_project()
    with pytest.raises(InputError, match="no character MARRA in the script; did you mean MARA"):
        bible.set_entry(project, "Marra", description="A typo.")
    assert bible.all_entries(project) == []
    bible.set_entry(project, "ghost", description="Arrives in act three.", force=True)
    # once in the bible, the entry can change without force
    assert bible.set_entry(project, "GHOST", aliases=["The Visitor"]).aliases == \
        ("The Visitor",)


@pytest.mark.parametrize(("given", "normal"), [
    ("mara", "MARA"), ("  Old   man ", "OLD MAN"), ("Zoë", "ZOË"), ("straße", "STRASSE")])
def test_names_are_normalised_as_cues(given: str, normal: str) -> None:
    assert bible.normalise_name(given) == normal


@pytest.mark.parametrize(("name", "why"), [
    ("", "needs a name"), ("   ", "needs a name"), ("MA\x00RA", "control"),
    ("X" * 201, "at most 200")])
def test_bad_names_are_refused(name: str, why: str) -> None:
    with pytest.raises(InputError, match=why):
        bible.normalise_name(name)


def test_aliases_are_cleaned(make_project: MakeProject) -> None:
    project = make_project()
    entry = bible.set_entry(project, "MARA", aliases=[" Captain ", "", "Captain", "the  pilot"])
    assert entry.aliases == ("Captain", "the pilot")
    assert bible.set_entry(project, "MARA", aliases=[""]).aliases == ()


def test_long_or_controlled_text_is_refused(make_project: MakeProject) -> None:
    project = make_project()
    with pytest.raises(InputError, match="at most 4000"):
        bible.set_entry(project, "MARA", description="x" * 4001)
    with pytest.raises(InputError, match="control"):
        bible.set_entry(project, "MARA", description="bell\x07")
    with pytest.raises(InputError, match="control"):
        bible.set_entry(project, "MARA", aliases=["two\nlines"])
    assert bible.set_entry(project, "MARA", description="one\n\ttwo").description == "one\n\ttwo"


# -- performers ---------------------------------------------------------------------------


def performers(project: Project) -> list[str]:
    with project.sessions() as s:
        return list(s.scalars(select(Performer.name).order_by(Performer.id)))


def test_a_performer_is_linked_made_and_unlinked(make_project: MakeProject,
                                                 database_url: str) -> None:
    project = make_project(database_url=database_url)
    assert bible.set_entry(project, "MARA", performer=" Ana  Lee ").performer == "Ana Lee"
    assert performers(project) == ["Ana Lee"]
    with project.sessions() as s:
        row = s.scalars(select(Performer)).one()
        assert (row.aliases, row.deceased, row.minor) == ([], False, False)
    # the same person for another character, spelt in other case: one row
    assert bible.set_entry(project, "TEO", performer="ana lee").performer == "Ana Lee"
    assert performers(project) == ["Ana Lee"]
    entry = bible.set_entry(project, "MARA", performer="")
    assert entry.performer is None
    assert performers(project) == ["Ana Lee"]  # consents may hang on the row: it stays
    assert bible.likeness(project, "MARA") == (None, [])


def test_likeness_names_the_performer_and_aliases(make_project: MakeProject) -> None:
    project = make_project()
    assert bible.likeness(project, "MARA") == (None, [])
    bible.set_entry(project, "MARA", aliases=["Captain"], performer="Ana Lee")
    assert bible.likeness(project, "mara") == ("Ana Lee", ["Captain"])


# -- merged with shotline.toml ------------------------------------------------------------


def with_settings_characters(project: Project, tables: str) -> Project:
    path = project.root / "shotline.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n" + tables, encoding="utf-8")
    project.close()
    return Project.open(project.root)


def test_the_bible_lays_over_shotline_toml(make_project: MakeProject) -> None:
    project = with_settings_characters(make_project(), (
        '[characters.MARA]\nheight = 1.6\nhair = "bun"\n\n'
        '[characters.teo]\ntop = "#2e6da4"\n'))
    try:
        bible.set_entry(project, "MARA", appearance={"height": 1.8, "top": "#c0392b"})
        bible.set_entry(project, "NOBODY", description="No looks of their own.", force=True)
        assert bible.appearance_overrides(project) == {
            "MARA": {"height": 1.8, "hair": "bun", "top": "#c0392b"},
            "TEO": {"top": "#2e6da4"},
        }
        look = bible.effective_appearance(project, "mara")
        assert (look.height, look.hair, look.top) == (1.8, "bun", "#c0392b")
        page = bible.describe(project, "MARA")
        assert page["sources"]["height"] == "bible"
        assert page["sources"]["hair"] == "settings"
        assert page["sources"]["build"] == "default"
        assert page["appearance"]["build"] == appearance_for("MARA").build
    finally:
        project.close()


def test_without_a_bible_the_overrides_are_shotline_toml(make_project: MakeProject) -> None:
    project = with_settings_characters(make_project(), '[characters.MARA]\nhair = "long"\n')
    try:
        assert bible.appearance_overrides(project) == {"MARA": {"hair": "long"}}
    finally:
        project.close()


# -- reference images ---------------------------------------------------------------------


def test_a_reference_is_an_asset_with_the_same_bytes(make_project: MakeProject,
                                                     database_url: str, tmp_path: Path) -> None:
    project = make_project(database_url=database_url)
    data = png()
    digest = bible.add_reference(project, "mara", write(tmp_path, "front.png", data), "Front")
    assert project.objects.get(digest) == data
    with project.sessions() as s:
        asset = s.get(Asset, digest)
        assert asset is not None
        assert (asset.size, asset.media_type) == (len(data), "image/png")
    assert bible.references(project, "MARA") == [(digest, "Front", "image/png")]
    assert bible.get(project, "MARA") is not None  # the entry was made for it


def test_jpeg_is_kept_whatever_the_file_is_called(make_project: MakeProject,
                                                  tmp_path: Path) -> None:
    project = make_project()
    data = jpeg()
    digest = bible.add_reference(project, "TEO", write(tmp_path, "teo.bin", data))
    assert bible.references(project, "TEO") == [(digest, "teo.bin", "image/jpeg")]
    assert project.objects.get(digest) == data


def test_the_same_image_twice_is_one_reference(make_project: MakeProject,
                                               tmp_path: Path) -> None:
    project = make_project()
    path = write(tmp_path, "front.png", png())
    first = bible.add_reference(project, "MARA", path, "front")
    assert bible.add_reference(project, "MARA", path) == first
    assert bible.references(project, "MARA") == [(first, "front", "image/png")]
    bible.add_reference(project, "MARA", path, "front, at the harbour")  # a new label wins
    assert bible.references(project, "MARA") == [(first, "front, at the harbour", "image/png")]
    # the same image for another character is that character's reference too
    bible.add_reference(project, "TEO", path)
    assert [h for h, _, _ in bible.references(project, "TEO")] == [first]
    assert asset_count(project) == 1


def test_references_are_listed_in_order_and_removed_by_prefix(make_project: MakeProject,
                                                              tmp_path: Path) -> None:
    project = make_project()
    first = bible.add_reference(project, "MARA", write(tmp_path, "a.png", png()), "a")
    second = bible.add_reference(project, "MARA", write(tmp_path, "b.jpg", jpeg()), "b")
    assert [h for h, _, _ in bible.references(project, "MARA")] == [first, second]
    assert bible.remove_reference(project, "MARA", first[:8].upper()) == first
    assert [h for h, _, _ in bible.references(project, "MARA")] == [second]
    assert project.objects.has(first)  # the asset stays: other things may use it
    with pytest.raises(InputError, match="no reference"):
        bible.remove_reference(project, "MARA", first[:8])
    with pytest.raises(InputError, match="4 hex digits"):
        bible.remove_reference(project, "MARA", "ab")
    with pytest.raises(InputError, match="4 hex digits"):
        bible.remove_reference(project, "MARA", "zzzzzz")


HOSTILE = {
    "text renamed": (b"INT. KITCHEN - DAY\n\nNot an image.\n", "not a PNG or JPEG"),
    "empty": (b"", "not a PNG or JPEG"),
    "gif": (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "not a PNG or JPEG"),
    "truncated png": (noisy_png()[:6000], "not a readable PNG"),
    "truncated jpeg": (jpeg()[:200], "not a readable JPEG"),
    "png magic, then junk": (bible.PNG_MAGIC + b"\0" * 64, "not a readable PNG"),
    "bomb header": (png_claiming(100_000, 100_000), "decompression bomb"),
    "too wide": (png_claiming(9000, 10), "at most 8192 pixels a side"),
}


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_hostile_files_are_refused(make_project: MakeProject, tmp_path: Path,
                                   kind: str) -> None:
    project = make_project()
    data, why = HOSTILE[kind]
    with pytest.raises(InputError, match=why) as refused:
        bible.add_reference(project, "MARA", write(tmp_path, "ref.png", data))
    assert refused.value.source == str(tmp_path / "ref.png")
    assert bible.references(project, "MARA") == []
    assert asset_count(project) == 0


def test_pillows_pixel_limit_is_kept(make_project: MakeProject, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_project()
    path = write(tmp_path, "ref.png", png((32, 24)))  # 768 pixels
    for limit in (500, 100):  # over the limit (a warning to Pillow) and over twice it
        monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", limit)
        with pytest.raises(InputError, match="decompression bomb"):
            bible.add_reference(project, "MARA", path)


def test_big_and_odd_files_are_refused_before_reading(make_project: MakeProject,
                                                      tmp_path: Path) -> None:
    project = make_project()
    big = tmp_path / "big.png"
    with big.open("wb") as f:
        f.write(png())
        f.truncate(bible.MAX_REFERENCE_BYTES + 1)  # sparse: no 32 MiB written
    with pytest.raises(InputError, match="at most 32 MiB"):
        bible.add_reference(project, "MARA", big)
    with pytest.raises(InputError, match="not a regular file"):
        bible.add_reference(project, "MARA", tmp_path)
    with pytest.raises(InputError, match="cannot read"):
        bible.add_reference(project, "MARA", tmp_path / "missing.png")


def test_a_reference_for_an_unknown_character_stores_nothing(make_project: MakeProject,
                                                             tmp_path: Path) -> None:
    project = make_project()
    path = write(tmp_path, "ref.png", png())
    with pytest.raises(InputError, match="no character GHOST"):
        bible.add_reference(project, "ghost", path)
    assert asset_count(project) == 0
    digest = bible.add_reference(project, "ghost", path, force=True)
    with project.sessions() as s:
        assert s.scalars(select(CharacterReference.character)
                         .where(CharacterReference.asset_hash == digest)).all() == ["GHOST"]


# -- the roster ---------------------------------------------------------------------------


def test_the_roster_joins_the_script_and_the_bible(make_project: MakeProject,
                                                   tmp_path: Path) -> None:
    project = make_project()
    bible.set_entry(project, "MARA", description="A pilot.")
    bible.set_entry(project, "GHOST", description="Cut from the draft.", force=True)
    bible.add_reference(project, "MARA", write(tmp_path, "a.png", png()))
    rows = {r.name: r for r in bible.roster(project)}
    assert list(rows) == ["TEO", "MARA", "GHOST"]  # the script's order, then the rest
    assert (rows["MARA"].in_script, rows["MARA"].scenes, rows["MARA"].references) == \
        (True, 3, 1)
    assert rows["TEO"].entry is None
    assert (rows["GHOST"].in_script, rows["GHOST"].scenes) == (False, 0)


def test_describing_a_stranger_is_refused(make_project: MakeProject) -> None:
    project = make_project()
    with pytest.raises(InputError, match="no character NOBODY"):
        bible.describe(project, "nobody")


# -- words for generative models ----------------------------------------------------------


def test_the_prompt_is_the_description_then_the_look(make_project: MakeProject) -> None:
    project = make_project()
    bible.set_entry(project, "MARA", description="A harbour pilot in her thirties",
                    appearance={"height": 1.85, "build": "slim", "hair": "long",
                                "hair_colour": "#1c1a17", "top": "#1f7f86"})
    assert bible.prompt_description(project, "mara") == (
        "A harbour pilot in her thirties. Tall, slim build, long black hair, "
        "wearing a teal top.")


def test_without_a_description_the_prompt_is_the_look(make_project: MakeProject) -> None:
    project = make_project()
    look = appearance_for("TEO")
    words = bible.prompt_description(project, "TEO")
    assert words == bible.appearance_words(look)
    assert words.endswith(".") and "build" in words


@pytest.mark.parametrize(("hair", "colour", "words"), [
    ("bald", "#1c1a17", "bald"),
    ("bun", "#d9b26f", "blonde hair in a bun"),
    ("curly", "#00ff00", "curly hair"),  # no name near it: left unsaid
])
def test_hair_in_words(hair: str, colour: str, words: str) -> None:
    look = appearance_for("X", {"hair": hair, "hair_colour": colour, "height": 1.5})
    sentence = bible.appearance_words(look)
    assert sentence.startswith("Short, ")
    assert words in sentence


def test_every_palette_colour_has_a_name() -> None:
    names = {**bible.HAIR_COLOUR_NAMES, **bible.VIVID_NAMES}
    assert all(bible.colour_name(c, names) for c in HAIR_COLOURS)
    assert all(bible.colour_name(c, bible.CLOTHING_COLOUR_NAMES) for c in TOPS)
    assert bible.colour_name("#c0392c", bible.CLOTHING_COLOUR_NAMES) == "red"
    assert bible.colour_name("not a colour", bible.CLOTHING_COLOUR_NAMES) is None


# -- properties ---------------------------------------------------------------------------

# Text people type: anything printable, including far-off scripts and emoji.
printable = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=60)


@given(st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=40)
       .filter(lambda s: s.strip()))
def test_names_normalise_idempotently_as_the_breakdown_does(name: str) -> None:
    normal = bible.normalise_name(name)
    assert bible.normalise_name(normal) == normal
    assert normal == cue_name(name)


@pytest.fixture(scope="module")
def shared_project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """One project for every example of a property: making one per example is slow."""
    folder = tmp_path_factory.mktemp("bible")
    source = folder / "two-rooms.fountain"
    source.write_text(SCRIPT, encoding="utf-8")
    project = Project.init(folder / "project", source)
    yield project
    project.close()


@settings(max_examples=40, deadline=None)
@given(description=st.text(st.characters(blacklist_categories=("Cc", "Cs"))
                           | st.sampled_from("\n\t"), max_size=300),
       aliases=st.lists(printable, max_size=5))
def test_any_text_round_trips(shared_project: Project, description: str,
                              aliases: list[str]) -> None:
    bible.set_entry(shared_project, "MARA", description=description, aliases=aliases)
    entry = bible.get(shared_project, "MARA")
    assert entry is not None
    assert entry.description == description.strip()
    expected = list(dict.fromkeys(" ".join(a.split()) for a in aliases if a.split()))
    assert list(entry.aliases) == expected
