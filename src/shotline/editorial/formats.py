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
from typing import Any
from xml.etree import ElementTree

import opentimelineio as otio

from shotline.editorial.fcp7_writer import fcp7_string
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
# What `shotline run` writes each time, the slowest to write first: they run side by
# side, a task each, and a slow one started last would finish alone. The rest are made
# on request (`shotline export`): the bundle copies every board; AAF through pyaaf2
# costs some 40 ms a source, a minute or more for a feature, too much for every run.
RUN_FORMATS = ("fcp7", "fcpxml", "edl", "otio")


def timeline_bytes(timeline: otio.schema.Timeline, fmt: str, fps: int, *,
                   picture_only: bool = False) -> bytes:
    """The timeline in one format, as the file's bytes; with ``picture_only``, less its
    audio tracks' clips (the timeline itself is left as it is)."""
    spec = FORMATS[fmt]
    if picture_only and spec.name != "fcpxml":
        timeline = _for_writing(timeline, picture_only=True)
    if spec.name == "edl":
        if not any(True for _ in timeline.find_clips()):
            # The writer fails on a cut with no events; such an EDL is its title alone.
            return f"TITLE: {timeline.name}\n".encode()
        return str(otio.adapters.write_to_string(timeline, spec.adapter, rate=fps,
                                                 style="avid")).encode("utf-8")
    if spec.name == "fcpxml":
        return _fcpxml(_for_writing(timeline, quotes=True, picture_only=picture_only))
    if spec.name == "fcp7":
        return fcp7_string(timeline).encode("utf-8")
    if spec.name == "otio":
        return str(otio.adapters.write_to_string(timeline, spec.adapter)).encode("utf-8")
    with tempfile.TemporaryDirectory(prefix="shotline-") as folder:
        path = Path(folder) / f"timeline{spec.suffix}"
        otio.adapters.write_to_file(timeline, str(path), adapter_name=spec.adapter)
        return path.read_bytes()


def _for_writing(timeline: otio.schema.Timeline, *, quotes: bool = False,
                 picture_only: bool = False) -> otio.schema.Timeline:
    """A copy to write from. With ``quotes``: the FCPXML adapter finds elements by name
    and path with XPath predicates quoted in ', so one inside ("MARA'S FLAT") breaks
    it: names get the typographic apostrophe, and URLs the escape they should have
    had. With ``picture_only``: its audio tracks emptied."""
    copy = timeline.deepcopy()
    if picture_only:
        for track in copy.audio_tracks():
            track[:] = []
    if not quotes:
        return copy
    items = [copy, *copy.find_children()]
    items += [m for item in list(items) for m in getattr(item, "markers", [])]
    for item in items:
        if "'" in (item.name or ""):
            item.name = item.name.replace("'", "\u2019")
        reference = getattr(item, "media_reference", None)
        if reference is not None and "'" in (getattr(reference, "target_url", None) or ""):
            reference.target_url = reference.target_url.replace("'", "%27")
    return copy


def _fcpxml(timeline: otio.schema.Timeline) -> bytes:
    """FCPXML through its adapter's writer, less two costs of its own that grow with the
    cut: it runs ffprobe on every clip's media to name the clip's format (a process
    per clip, and a name that depends on what is installed and on disk: the boards are
    not there on a project's first run), and it finds each asset, asset clip and
    format by an XPath scan of all the others (quadratic). Here no clip's media is
    probed, which is what the adapter writes when none is on disk, and the scans are
    dictionary look-ups that return the same elements."""
    module = otio.adapters.from_name(FORMATS["fcpxml"].adapter).module()
    writer = getattr(module, "FcpxOtio", None)
    needed = ("_clip_format_name", "_asset_by_path", "_asset_by_id", "_asset_clip_by_name",
              "_format_by_frame_rate", "_framerate_to_frame_duration", "to_xml")
    if writer is None or not all(hasattr(writer, name) for name in needed):
        # Another version of the adapter: write through it as it is.
        return str(otio.adapters.write_to_string(timeline, "fcpx_xml")).encode("utf-8")
    return str(_indexed(writer)(timeline).to_xml()).encode("utf-8")


_INDEXED: dict[type, type] = {}


def _indexed(writer: type) -> type:
    """The adapter's writer class with its look-ups indexed (see ``_fcpxml``)."""
    if writer in _INDEXED:
        return _INDEXED[writer]

    class Indexed(writer):  # type: ignore[misc]
        def _first(self, parent: ElementTree.Element, tag: str, attribute: str,
                   value: str) -> ElementTree.Element | None:
            """The first child of ``parent`` with this tag and attribute value, as
            ``parent.find(f"./{tag}[@{attribute}='{value}']")`` finds it. Children are
            only ever appended while the writer looks things up, so each index reads
            the children added since it last looked."""
            indexes: dict[tuple[int, str, str], tuple[dict[str, Any], int]]
            indexes = self.__dict__.setdefault("_shotline_indexes", {})
            key = (id(parent), tag, attribute)
            index, seen = indexes.get(key, ({}, 0))
            for child in parent[seen:]:
                found = child.get(attribute)
                if child.tag == tag and found is not None:
                    index.setdefault(found, child)
            indexes[key] = (index, len(parent))
            return index.get(value)

        def _clip_format_name(self, clip: Any) -> str:
            return ""

        def _asset_by_path(self, path: str) -> ElementTree.Element | None:
            return self._first(self.resource_element, "asset", "src", path)

        def _asset_by_id(self, asset_id: str) -> ElementTree.Element | None:
            return self._first(self.resource_element, "asset", "id", asset_id)

        def _asset_clip_by_name(self, name: str) -> ElementTree.Element | None:
            return self._first(self.event_resource, "asset-clip", "name", name)

        def _format_by_frame_rate(self, frame_rate: float) -> ElementTree.Element | None:
            duration = self._framerate_to_frame_duration(frame_rate)
            return self._first(self.resource_element, "format", "frameDuration", duration)

    _INDEXED[writer] = Indexed
    return Indexed


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
