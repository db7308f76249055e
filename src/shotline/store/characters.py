"""The character bible: who each character is, how they look on the boards, their
reference images and who plays them.

Names are kept as the script cues them ("MARA", "OLD MAN"), so the bible, the
breakdown and the renderer agree on who is who.
"""

from __future__ import annotations

import difflib
import io
import os
import stat
import unicodedata
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from PIL import Image
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from shotline.breakdown import build_breakdown
from shotline.breakdown.characters import cue_name
from shotline.engine.runner import store_blob
from shotline.engine.steps import Blob
from shotline.errors import InputError
from shotline.model.appearance import Appearance, appearance_for
from shotline.script import load
from shotline.store.project import Project, now
from shotline.store.schema import Asset, CharacterRecord, CharacterReference, Performer

MAX_NAME = 200  # the width of the name, label and performer columns
MAX_DESCRIPTION = 4000  # a paragraph or two: it goes into every prompt for the character
MAX_REFERENCE_BYTES = 32 * 1024 * 1024
MAX_REFERENCE_SIDE = 8192
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG"}
COLOUR_FIELDS = ("hair_colour", "skin", "top", "bottom")
APPEARANCE_FIELDS = tuple(f.name for f in fields(Appearance) if f.name != "name")


@dataclass(frozen=True)
class Entry:
    """A character's page in the bible."""

    name: str
    description: str
    appearance: dict[str, Any]  # overrides for the renderer, laid over shotline.toml's
    aliases: tuple[str, ...]
    performer: str | None
    updated_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description,
                "appearance": dict(self.appearance), "aliases": list(self.aliases),
                "performer": self.performer,
                "updated_at": self.updated_at.isoformat(timespec="seconds")}


@dataclass(frozen=True)
class RosterRow:
    """One line of `character list`: a character of the script, of the bible, or both."""

    name: str
    scenes: int  # scenes the character is in, by the current script (0: not in it)
    in_script: bool
    entry: Entry | None
    references: int


# -- names and text -----------------------------------------------------------------------


def _refuse_controls(text: str, what: str, allow: str = "") -> None:
    for ch in text:
        if ch not in allow and unicodedata.category(ch) in ("Cc", "Cs"):
            raise InputError(f"{what} may not hold control characters (found {ch!r})")


def normalise_name(name: str) -> str:
    """A character's name as the script cues it: upper case, single spaces."""
    _refuse_controls(name, "a character's name")
    normal = cue_name(name)  # exactly as the breakdown lists cues, so the two agree
    if not normal:
        raise InputError("a character needs a name")
    if len(normal) > MAX_NAME:
        raise InputError(f"a character's name is at most {MAX_NAME} characters")
    return normal


def _short_text(text: str, what: str) -> str:
    """A one-line name or label: stripped, single spaces, no control characters."""
    _refuse_controls(text, what)
    value = " ".join(text.split())
    if len(value) > MAX_NAME:
        raise InputError(f"{what} is at most {MAX_NAME} characters, got {len(value)}")
    return value


def _description(text: str) -> str:
    _refuse_controls(text, "a description", allow="\n\t")
    value = text.strip()
    if len(value) > MAX_DESCRIPTION:
        raise InputError(f"a description is at most {MAX_DESCRIPTION} characters, "
                         f"got {len(value)}")
    return value


def _aliases(names: Iterable[str]) -> list[str]:
    """Aliases in the order given, stripped; empty ones and repeats dropped."""
    kept: dict[str, None] = {}
    for alias in names:
        value = _short_text(alias, "an alias")
        if value:
            kept.setdefault(value, None)
    return list(kept)


# -- the script's cast --------------------------------------------------------------------


def script_cast(project: Project) -> dict[str, int]:
    """The characters of the project's screenplay as it stands, lead first, with the
    number of scenes each is in (parsing a script is cheap; no run is needed)."""
    breakdown = build_breakdown(load(project.script_path))
    return {m.name: len(m.scenes) for m in sorted(breakdown.cast, key=lambda m: m.id)}


def _unknown(name: str, cast: Iterable[str]) -> InputError:
    near = difflib.get_close_matches(name, list(cast), n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(near)}?" if near else ""
    return InputError(f"no character {name} in the script{hint} "
                      "(--force adds one whose scenes are not written yet)")


# -- appearance ---------------------------------------------------------------------------


def _is_hex_colour(value: object) -> bool:
    return (isinstance(value, str) and len(value) == 7 and value.startswith("#")
            and all(c in "0123456789abcdefABCDEF" for c in value[1:]))


def check_appearance(name: str, overrides: Mapping[str, Any]) -> dict[str, Any]:
    """The overrides, validated as the renderer will read them (colours in lower case,
    heights as floats); a bad field or value is an InputError naming it."""
    clean = dict(overrides)
    height = clean.get("height")
    if isinstance(height, bool):  # bool is an int to Python, not a height to anyone
        raise InputError(f"character {name}: height must be metres between 0.5 and 2.5")
    for key in COLOUR_FIELDS:
        if key in clean:
            if not _is_hex_colour(clean[key]):
                raise InputError(f"character {name}: {key} must be a colour like "
                                 f"\"#a86b48\", got {clean[key]!r}")
            clean[key] = str(clean[key]).lower()
    appearance_for(name, clean)  # unknown fields, heights out of range, builds, hair
    if "height" in clean:
        clean["height"] = float(clean["height"])
    return clean


def _settings_overrides(project: Project) -> dict[str, dict[str, Any]]:
    """shotline.toml's [characters.X] tables, keyed as the script cues the names."""
    tables: dict[str, dict[str, Any]] = {}
    for name, table in project.settings.characters.items():
        tables.setdefault(cue_name(name), {}).update(table)
    return tables


def appearance_overrides(project: Project) -> dict[str, dict[str, Any]]:
    """The renderer's overrides per character: shotline.toml's [characters.X] tables
    with the bible's appearance laid over them, field by field (the bible wins)."""
    merged = _settings_overrides(project)
    for entry in all_entries(project):
        if entry.appearance:
            merged.setdefault(entry.name, {}).update(entry.appearance)
    return merged


def effective_appearance(project: Project, name: str) -> Appearance:
    """How the character looks on the boards: from the name, then the overrides."""
    key = normalise_name(name)
    return appearance_for(key, appearance_overrides(project).get(key))


# -- reading and writing entries ----------------------------------------------------------


def _entry(record: CharacterRecord, performer: str | None) -> Entry:
    return Entry(name=record.name, description=record.description,
                 appearance=dict(record.appearance or {}), aliases=tuple(record.aliases or ()),
                 performer=performer, updated_at=record.updated_at)


def _entries(s: Session, name: str | None = None) -> list[Entry]:
    query = (select(CharacterRecord, Performer.name)
             .outerjoin(Performer, CharacterRecord.performer_id == Performer.id)
             .order_by(CharacterRecord.name))
    if name is not None:
        query = query.where(CharacterRecord.name == name)
    return [_entry(record, performer) for record, performer in s.execute(query)]


def get(project: Project, name: str) -> Entry | None:
    """The character's bible entry, if the bible has one."""
    key = normalise_name(name)
    with project.sessions() as s:
        found = _entries(s, key)
    return found[0] if found else None


def all_entries(project: Project) -> list[Entry]:
    """Every bible entry, by name."""
    with project.sessions() as s:
        return _entries(s)


def _performer_id(s: Session, name: str) -> int:
    """The performer of that name (an exact match, else one differing only in case),
    made when the project has none yet."""
    found = s.scalars(select(Performer).where(Performer.name == name)).first()
    if found is None:
        alike = s.scalars(select(Performer)
                          .where(func.lower(Performer.name) == name.lower())).all()
        found = alike[0] if len(alike) == 1 else None
    if found is None:
        found = Performer(name=name, aliases=[], deceased=False, minor=False,
                          created_at=now())
        s.add(found)
        s.flush()
    return found.id


def _record(s: Session, project: Project, name: str, force: bool) -> CharacterRecord:
    """The character's row, made (empty) for a character of the script, or any with force."""
    record = s.get(CharacterRecord, name)
    if record is not None:
        return record
    if not force:
        cast = script_cast(project)
        if name not in cast:
            raise _unknown(name, cast)
    record = CharacterRecord(name=name, description="", appearance={}, aliases=[],
                             performer_id=None, updated_at=now())
    s.add(record)
    s.flush()
    return record


def set_entry(project: Project, name: str, *, description: str | None = None,
              appearance: Mapping[str, Any] | None = None,
              aliases: Sequence[str] | None = None, performer: str | None = None,
              force: bool = False) -> Entry:
    """Change a character's entry; what is None stays as it was.

    `appearance` is merged into the entry's overrides (a field set to None drops
    out); `aliases` replaces the list; `performer=""` unlinks the performer. A name
    neither in the script nor in the bible is refused unless `force`.
    """
    key = normalise_name(name)
    text = None if description is None else _description(description)
    names = None if aliases is None else _aliases(aliases)
    who = None if performer is None else _short_text(performer, "a performer's name")
    with project.sessions.begin() as s:
        record = _record(s, project, key, force)
        if text is not None:
            record.description = text
        if appearance is not None:
            merged = {**(record.appearance or {}), **appearance}
            record.appearance = check_appearance(
                key, {k: v for k, v in merged.items() if v is not None})
        if names is not None:
            record.aliases = names
        if who is not None:
            record.performer_id = _performer_id(s, who) if who else None
        record.updated_at = now()
    entry = get(project, key)
    assert entry is not None  # written just now
    return entry


# -- reference images ---------------------------------------------------------------------


def _read_limited(path: Path) -> bytes:
    """The file's bytes; anything but a regular file, or one over the limit, is refused
    before it is read."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise InputError("not a regular file", source=str(path))
        if info.st_size > MAX_REFERENCE_BYTES:
            raise InputError(f"a reference image is at most {MAX_REFERENCE_BYTES >> 20} MiB, "
                             f"this is {info.st_size / 2**20:.1f} MiB", source=str(path))
        with path.open("rb") as f:
            data = f.read(MAX_REFERENCE_BYTES + 1)  # the file may grow after stat
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", source=str(path)) from None
    if len(data) > MAX_REFERENCE_BYTES:
        raise InputError(f"a reference image is at most {MAX_REFERENCE_BYTES >> 20} MiB",
                         source=str(path))
    return data


def sniff_image(data: bytes) -> str | None:
    """The media type by the file's first bytes (PNG or JPEG), whatever its name says."""
    if data.startswith(PNG_MAGIC):
        return "image/png"
    if data.startswith(JPEG_MAGIC):
        return "image/jpeg"
    return None


def _decode(data: bytes, fmt: str, source: str) -> None:
    """Read the image as Pillow would for real: check its size before decoding, check
    chunk checksums (PNG), then decode every pixel, so a bomb, a truncated or a
    corrupt file is refused here and not in a later step."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=[fmt]) as image:
                width, height = image.size
                if max(width, height) > MAX_REFERENCE_SIDE:
                    raise InputError(f"a reference image is at most {MAX_REFERENCE_SIDE} "
                                     f"pixels a side, this is {width}x{height}", source=source)
                image.verify()
            with Image.open(io.BytesIO(data), formats=[fmt]) as image:
                image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise InputError("too many pixels to decode safely (a decompression bomb?)",
                             source=source) from None
        except (OSError, SyntaxError, ValueError, EOFError, IndexError) as exc:
            raise InputError(f"not a readable {fmt} image: {exc}", source=source) from None


def check_image(data: bytes, source: str) -> str:
    """The media type of a reference image the project can keep; refuses anything else."""
    if len(data) > MAX_REFERENCE_BYTES:
        raise InputError(f"a reference image is at most {MAX_REFERENCE_BYTES >> 20} MiB",
                         source=source)
    media_type = sniff_image(data)
    if media_type is None:
        raise InputError("not a PNG or JPEG image (reference images must be one of those)",
                         source=source)
    _decode(data, _FORMATS[media_type], source)
    return media_type


def _default_label(path: Path) -> str:
    """The file's name, as far as it is printable."""
    name = "".join(c for c in path.name if unicodedata.category(c) not in ("Cc", "Cs"))
    return " ".join(name.split())[:MAX_NAME]


def add_reference(project: Project, name: str, path: Path, label: str = "", *,
                  force: bool = False) -> str:
    """Keep a reference image of the character in the asset store; returns its hash.
    The same image twice for the same character is one reference (a new label wins)."""
    key = normalise_name(name)
    text = _short_text(label, "a label") or _default_label(path)
    data = _read_limited(path)
    media_type = check_image(data, str(path))
    with project.sessions.begin() as s:
        _record(s, project, key, force)  # before storing: an unknown name stores nothing
    digest = store_blob(project, Blob(data, media_type))
    with project.sessions.begin() as s:
        existing = s.scalars(select(CharacterReference).where(
            CharacterReference.character == key,
            CharacterReference.asset_hash == digest)).first()
        if existing is None:
            s.add(CharacterReference(character=key, asset_hash=digest, label=text,
                                     created_at=now()))
        elif label.strip():
            existing.label = text
        s.get_one(CharacterRecord, key).updated_at = now()
    return digest


def _reference_rows(s: Session, name: str) -> list[tuple[CharacterReference, Asset]]:
    query = (select(CharacterReference, Asset)
             .join(Asset, CharacterReference.asset_hash == Asset.hash)
             .where(CharacterReference.character == name)
             .order_by(CharacterReference.created_at, CharacterReference.id))
    return [(ref, asset) for ref, asset in s.execute(query)]


def references(project: Project, name: str) -> list[tuple[str, str, str]]:
    """The character's reference images, oldest first: (hash, label, media type)."""
    key = normalise_name(name)
    with project.sessions() as s:
        return [(ref.asset_hash, ref.label, asset.media_type)
                for ref, asset in _reference_rows(s, key)]


def remove_reference(project: Project, name: str, hash_prefix: str) -> str:
    """Drop one of the character's references, named by the start of its hash (at least
    four hex digits); returns the whole hash. The image stays in the asset store."""
    key = normalise_name(name)
    prefix = hash_prefix.strip().lower()
    if len(prefix) < 4 or any(c not in "0123456789abcdef" for c in prefix):
        raise InputError(f"a reference is named by at least 4 hex digits of its hash, "
                         f"got {hash_prefix!r}")
    with project.sessions.begin() as s:
        hashes = {ref.asset_hash for ref, _ in _reference_rows(s, key)}
        matches = sorted(h for h in hashes if h.startswith(prefix))
        if not matches:
            raise InputError(f"{key} has no reference {prefix}")
        if len(matches) > 1:
            raise InputError(f"{prefix} names {len(matches)} references of {key}: "
                             + ", ".join(h[:12] for h in matches) + "; give more digits")
        s.execute(delete(CharacterReference).where(
            CharacterReference.character == key, CharacterReference.asset_hash == matches[0]))
    return matches[0]


# -- views for people and for other parts of Shotline -------------------------------------


def roster(project: Project) -> list[RosterRow]:
    """The script's characters (lead first) joined with the bible, then the bible's
    entries for characters the script no longer has (or does not have yet)."""
    cast = script_cast(project)
    entries = {e.name: e for e in all_entries(project)}
    with project.sessions() as s:
        counts: dict[str, int] = {
            character: count for character, count in s.execute(
                select(CharacterReference.character, func.count())
                .group_by(CharacterReference.character))}
    rows = [RosterRow(name, scenes, True, entries.get(name), counts.get(name, 0))
            for name, scenes in cast.items()]
    rows += [RosterRow(name, 0, False, entry, counts.get(name, 0))
             for name, entry in entries.items() if name not in cast]
    return rows


def describe(project: Project, name: str) -> dict[str, Any]:
    """Everything the bible knows of a character, for `character show`."""
    key = normalise_name(name)
    cast = script_cast(project)
    entry = get(project, key)
    if entry is None and key not in cast:
        raise _unknown(key, cast)
    settings = _settings_overrides(project).get(key, {})
    bible = entry.appearance if entry else {}
    look = appearance_for(key, {**settings, **bible} or None).to_dict()
    look.pop("name")
    with project.sessions() as s:
        refs = [{"hash": ref.asset_hash, "label": ref.label, "media_type": asset.media_type,
                 "size": asset.size} for ref, asset in _reference_rows(s, key)]
    return {
        "name": key, "in_script": key in cast, "scenes": cast.get(key, 0),
        "description": entry.description if entry else "",
        "aliases": list(entry.aliases) if entry else [],
        "performer": entry.performer if entry else None,
        "appearance": look,
        "sources": {f: "bible" if f in bible else "settings" if f in settings else "default"
                    for f in APPEARANCE_FIELDS},
        "references": refs,
        "prompt": prompt_description(project, key),
    }


def likeness(project: Project, name: str) -> tuple[str | None, list[str]]:
    """Whose likeness the character carries (the performer's name, or None) and the
    other names the character goes by, so a consent check can find them in a prompt."""
    entry = get(project, name)
    if entry is None:
        return None, []
    return entry.performer, list(entry.aliases)


# -- in words, for generative models ------------------------------------------------------

# Names for colours a prompt can use; a colour far from all of them is left unsaid.
HAIR_COLOUR_NAMES = {
    "#1c1a17": "black", "#3b2a1e": "dark brown", "#6a4a2f": "brown",
    "#a5773f": "light brown", "#d9b26f": "blonde", "#8a8a8a": "grey", "#6e2a1a": "auburn",
    "#e8e4dc": "white", "#b5562a": "ginger",
}
CLOTHING_COLOUR_NAMES = {
    "#c0392b": "red", "#2e6da4": "blue", "#3f8f5a": "green", "#d68a1f": "orange",
    "#6c4f9c": "purple", "#1f7f86": "teal", "#b5475c": "rose", "#4a5a6a": "slate grey",
    "#c7a02c": "mustard", "#7a4b2a": "brown", "#1a1a1a": "black", "#f4f4f4": "white",
    "#8a8a8a": "grey", "#1f2a44": "navy", "#e8d21d": "yellow", "#d8c8a8": "beige",
    "#6e1f2a": "maroon", "#8fb8de": "light blue", "#e89ab0": "pink", "#8a9a3a": "olive",
}
VIVID_NAMES = {"#2e6da4": "blue", "#3f8f5a": "green", "#6c4f9c": "purple",
               "#e89ab0": "pink", "#c0392b": "red"}
_NEAR_ENOUGH = 110.0  # weighted RGB distance; past it the name would mislead


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _distance(a: str, b: str) -> float:
    """The "redmean" weighted RGB distance: cheap and closer to the eye than plain RGB."""
    (r1, g1, b1), (r2, g2, b2) = _rgb(a), _rgb(b)
    mean = (r1 + r2) / 2
    dr, dg, db = r1 - r2, g1 - g2, b1 - b2
    return float(((2 + mean / 256) * dr * dr + 4 * dg * dg + (2 + (255 - mean) / 256) * db * db)
                 ** 0.5)


def colour_name(colour: str, names: Mapping[str, str]) -> str | None:
    """The nearest name for the colour, or None when no name is near it."""
    if not _is_hex_colour(colour):
        return None
    best = min(names, key=lambda known: _distance(colour.lower(), known))
    return names[best] if _distance(colour.lower(), best) <= _NEAR_ENOUGH else None


def _height_words(metres: float) -> str:
    for limit, words in ((1.40, "very short"), (1.62, "short"), (1.80, "average height"),
                         (1.92, "tall")):
        if metres < limit:
            return words
    return "very tall"


def _hair_words(look: Appearance) -> str:
    if look.hair == "bald":
        return "bald"
    colour = colour_name(look.hair_colour, {**HAIR_COLOUR_NAMES, **VIVID_NAMES})
    shade = f"{colour} " if colour else ""
    if look.hair in ("bun", "ponytail"):
        return f"{shade}hair in a {look.hair}"
    return f"{look.hair} {shade}hair"


def appearance_words(look: Appearance) -> str:
    """The look in a sentence: "Tall, slim build, long black hair, wearing a teal top." """
    build = "medium" if look.build == "average" else look.build
    parts = [_height_words(look.height), f"{build} build", _hair_words(look)]
    top = colour_name(look.top, CLOTHING_COLOUR_NAMES)
    parts.append(f"wearing a {top} top" if top else "")
    sentence = ", ".join(p for p in parts if p)
    return sentence[0].upper() + sentence[1:] + "."


def prompt_description(project: Project, name: str) -> str:
    """The words a generative model gets for the character: the bible's description,
    then how the boards show them, so a generated take matches its board."""
    key = normalise_name(name)
    entry = get(project, key)
    words = appearance_words(appearance_for(key, appearance_overrides(project).get(key)))
    text = entry.description if entry else ""
    if not text:
        return words
    text = " ".join(text.split())
    return f"{text}{'' if text[-1] in '.!?' else '.'} {words}"
