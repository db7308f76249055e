"""Timeline files in and out, each format through its OpenTimelineIO adapter.

Reading is where outside files come in, so it is guarded: a size limit, XML screened by
defusedxml (the adapters parse with the standard library, which expands entities),
and every adapter failure turned into an error that names the file.
"""

from __future__ import annotations

import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import opentimelineio as otio

from shotline.errors import InputError

MAX_TIMELINE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Format:
    name: str
    suffix: str
    adapter: str
    label: str


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("otio", ".otio", "otio_json", "OpenTimelineIO"),
    Format("otioz", ".otioz", "otioz", "OpenTimelineIO bundle with media"),
    Format("edl", ".edl", "cmx_3600", "CMX 3600 EDL"),
    Format("fcp7", ".xml", "fcp_xml", "Final Cut Pro 7 XML (Premiere Pro, Resolve)"),
    Format("fcpxml", ".fcpxml", "fcpx_xml", "FCPXML (Final Cut Pro)"),
    Format("aaf", ".aaf", "AAF", "AAF (Avid Media Composer)"),
)}
# What `shotline run` writes each time. The rest are made on request (`shotline export`):
# the bundle copies every board; AAF through pyaaf2 costs some 40 ms a source, a minute
# or more for a feature, too much to spend on every run.
RUN_FORMATS = ("otio", "edl", "fcp7", "fcpxml")


def timeline_bytes(timeline: otio.schema.Timeline, fmt: str, fps: int) -> bytes:
    """The timeline in one format, as the file's bytes."""
    spec = FORMATS[fmt]
    if spec.name == "edl":
        if not any(True for _ in timeline.find_clips()):
            # The writer fails on a cut with no events; such an EDL is its title alone.
            return f"TITLE: {timeline.name}\n".encode()
        return str(otio.adapters.write_to_string(timeline, spec.adapter, rate=fps,
                                                 style="avid")).encode("utf-8")
    if spec.name == "fcpxml":
        timeline = _without_quotes(timeline)
    if spec.name in ("otio", "fcp7", "fcpxml"):
        return str(otio.adapters.write_to_string(timeline, spec.adapter)).encode("utf-8")
    with tempfile.TemporaryDirectory(prefix="shotline-") as folder:
        path = Path(folder) / f"timeline{spec.suffix}"
        otio.adapters.write_to_file(timeline, str(path), adapter_name=spec.adapter)
        return path.read_bytes()


def _without_quotes(timeline: otio.schema.Timeline) -> otio.schema.Timeline:
    """The FCPXML adapter finds elements by name and path with XPath predicates quoted
    in ', so one inside ("MARA'S FLAT") breaks it: names get the typographic
    apostrophe, and URLs the escape they should have had."""
    copy = timeline.deepcopy()
    items = [copy, *copy.find_children()]
    items += [m for item in list(items) for m in getattr(item, "markers", [])]
    for item in items:
        if "'" in (item.name or ""):
            item.name = item.name.replace("'", "\u2019")
        reference = getattr(item, "media_reference", None)
        if reference is not None and "'" in (getattr(reference, "target_url", None) or ""):
            reference.target_url = reference.target_url.replace("'", "%27")
    return copy


def format_of(path: Path) -> Format:
    suffix = path.suffix.lower()
    for spec in FORMATS.values():
        if spec.suffix == suffix:
            return spec
    known = ", ".join(sorted(f.suffix for f in FORMATS.values()))
    raise InputError(f"{path}: not a timeline this reads (expected one of {known})")


def read_timeline(path: Path, fps: int) -> otio.schema.Timeline:
    """An editor's timeline from any format above; an EDL, which carries no rate, is
    read at the project's."""
    spec = format_of(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    if size > MAX_TIMELINE_BYTES:
        raise InputError(f"{path}: {size:,} bytes is over the {MAX_TIMELINE_BYTES:,}-byte "
                         "limit for a timeline")
    try:
        if spec.name == "otioz":
            _check_bundle(path)
            found = otio.adapters.read_from_file(str(path), adapter_name="otioz")
        elif spec.name == "aaf":
            found = otio.adapters.read_from_file(str(path), adapter_name="AAF",
                                                 transcribe_log=False)
        else:
            text = _text(path)
            if spec.name in ("fcp7", "fcpxml"):
                _screen_xml(path, text)
            options = {"rate": fps} if spec.name == "edl" else {}
            found = otio.adapters.read_from_string(text, spec.adapter, **options)
    except InputError:
        raise
    except Exception as exc:  # adapters raise anything from KeyError to their own errors
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"{path}: not a readable {spec.label} timeline ({detail})") from exc
    if not isinstance(found, otio.schema.Timeline):
        if isinstance(found, otio.schema.SerializableCollection):
            timelines = list(found.find_children(descended_from_type=otio.schema.Timeline))
            if timelines:
                return timelines[0]
        raise InputError(f"{path}: holds no timeline")
    return found


def _text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")  # EDLs from older systems


def _screen_xml(path: Path, text: str) -> None:
    from defusedxml import ElementTree as SafeXml

    try:
        SafeXml.fromstring(text.encode("utf-8"))
    except SafeXml.ParseError as exc:
        line = getattr(exc, "position", (0, 0))[0]
        raise InputError(f"{path}:{line}: not well-formed XML ({exc})") from exc
    except Exception as exc:  # defusedxml's refusals: entities, external references
        raise InputError(f"{path}: refused: {type(exc).__name__}: XML entity declarations "
                         "and external references are not accepted") from exc


def _check_bundle(path: Path) -> None:
    """A bundle is a zip: refuse one whose timeline would inflate past the limit."""
    try:
        with zipfile.ZipFile(path) as bundle:
            info = bundle.getinfo("content.otio")
    except (zipfile.BadZipFile, KeyError) as exc:
        raise InputError(f"{path}: not an .otioz bundle (no content.otio inside)") from exc
    if info.file_size > MAX_TIMELINE_BYTES:
        raise InputError(f"{path}: its timeline inflates to {info.file_size:,} bytes, over "
                         f"the {MAX_TIMELINE_BYTES:,}-byte limit")
