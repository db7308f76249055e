"""The Final Cut Pro 7 XML writer writes what its adapter writes, character for
character: the same text, the same back-references, the same ids, and it reads back
to the same timeline."""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any
from xml.etree import ElementTree

import opentimelineio as otio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shotline.editorial import fcp7_writer
from shotline.editorial.fcp7_writer import ADAPTER, fcp7_string
from shotline.editorial.formats import timeline_bytes
from shotline.editorial.timeline import Line, build_timeline
from tests.editorial.timelines import ENTRIES, FPS, HEADINGS, recut, sources, timeline


def _module() -> types.ModuleType:
    module: types.ModuleType = otio.adapters.from_name(ADAPTER).module()
    return module


def _stock(made: otio.core.SerializableObject) -> str:
    return str(otio.adapters.write_to_string(made, ADAPTER))


def _outcome(write: Callable[[], str]) -> str | type[BaseException]:
    """What a writer returns, or the kind of error it raises."""
    try:
        return write()
    except Exception as exc:  # the adapter raises what its XML libraries raise
        return type(exc)


def _quoted() -> otio.schema.Timeline:
    """Apostrophes, ampersands, angle brackets and accents wherever a name goes."""
    lines = [[Line("MARA", "It's late & <cold>, café?", 0.1, 1.0),
              Line("TEO", "\"Já\" — non.", 1.2, 1.9)], [], []]
    return build_timeline("Mara's Cut & café", ENTRIES, FPS,
                          HEADINGS | {"1": "INT. MARA'S FLAT & CAFÉ <1>"},
                          sources("/media/o'brien & café"),
                          "file:///media/o'brien/animatic%201.mp4", lines)


def _repeats() -> otio.schema.Timeline:
    """Clips equal to earlier ones (the adapter writes them as references), clips that
    only share a name with one, gaps, and a nested stack."""
    made = _quoted()
    video = made.video_tracks()[0]
    first, second = video[0], video[1]
    video.append(first.deepcopy())
    video.append(otio.schema.Gap(source_range=otio.opentime.TimeRange(
        otio.opentime.RationalTime(0, FPS), otio.opentime.RationalTime(5, FPS))))
    renamed = second.deepcopy()
    renamed.name = first.name  # the same name, a different clip
    video.append(renamed)
    video.append(second.deepcopy())
    nested = otio.schema.Stack(name="nested", source_range=first.source_range)
    inner = otio.schema.Track(name="inner")
    inner.append(first.deepcopy())
    nested.append(inner)
    video.append(nested)
    audio = made.audio_tracks()[0]
    audio.append(audio.find_clips()[0].deepcopy())
    return made


@pytest.mark.parametrize("make", [timeline, _quoted, _repeats, lambda: recut(timeline())])
def test_fcp7_is_what_its_adapter_writes(make: Callable[[], otio.schema.Timeline]) -> None:
    made = make()
    ours = timeline_bytes(made, "fcp7", FPS)
    assert ours == _stock(made).encode("utf-8")
    back = otio.adapters.read_from_string(ours.decode("utf-8"), ADAPTER)
    assert back.is_equivalent_to(otio.adapters.read_from_string(_stock(made), ADAPTER))
    picture = timeline_bytes(made, "fcp7", FPS, picture_only=True).decode("utf-8")
    assert "<audio>\n" in picture and "MARA:" not in picture


def test_equal_clips_are_written_as_references_with_the_same_ids() -> None:
    text = fcp7_string(_repeats())
    assert text == _stock(_repeats())
    assert '<clipitem id="clipitem-1"/>' in text  # the first clip, used again
    assert text.count("<clipitem id=") > text.count('<clipitem id="clipitem-1"')


def test_ids_read_from_a_file_are_kept() -> None:
    # Read back, every item carries the adapter's metadata and its id ("clipitem-3"),
    # which the writer keeps where it is free.
    back = otio.adapters.read_from_string(_stock(_repeats()), ADAPTER)
    clips = list(back.video_tracks()[0].find_clips())
    clips[0].metadata["fcp_xml"]["@id"] = "clipitem-40"
    clips[1].metadata["fcp_xml"]["@id"] = "clipitem-40"  # taken: the lowest free one
    assert fcp7_string(back) == _stock(back)
    assert 'id="clipitem-40"' in fcp7_string(back)


def test_a_feature_sized_cut_is_what_its_adapter_writes() -> None:
    from shotline.editorial.cut import CutEntry
    from shotline.editorial.timeline import ClipSource

    entries = [CutEntry(str(1 + k // 12), f"{1 + k // 12}{'ABCD'[k % 4]}", k % 12, (k,),
                        20 + k % 9) for k in range(240)]
    found = {e.shot: ClipSource(asset=e.shot * 4, url=f"file:///media/b/{e.shot}.png")
             for e in entries}
    lines = [[Line("MARA", f"Line {k} & more", 0.2, 1.1), Line("TEO", "Já.", 1.5, 2.0)]
             for k in range(20)]
    made = build_timeline("Feature", entries, FPS, {}, found, "file:///m/a.mp4", lines)
    assert fcp7_string(made) == _stock(made)


def _tree(text: str) -> ElementTree.Element:
    """The adapter's tree back from its text: the pretty printer's whitespace dropped."""
    root = ElementTree.fromstring(text)
    for node in root.iter():
        if node.text is not None and not node.text.strip():
            node.text = None
        if node.tail is not None and not node.tail.strip():
            node.tail = None
    return root


def test_the_text_is_written_without_minidom() -> None:
    def refuse(tree: ElementTree.Element) -> str:
        raise AssertionError("fell back to the adapter's pretty printer")

    made = _repeats()
    stock = _stock(made)
    assert stock.startswith('<?xml version="1.0" ?>\n<xmeml version="4">\n    <project>\n')
    assert fcp7_writer._pretty_string(_tree(stock), fallback=refuse) == stock


def test_an_adapter_without_the_expected_functions_is_used_as_it_is(
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert fcp7_writer._rebound(types.ModuleType("bare")) is None
    monkeypatch.setitem(fcp7_writer._NAMESPACES, _module(), None)
    made = _quoted()
    assert fcp7_string(made) == _stock(made)


def test_the_adapter_module_is_left_as_it_was() -> None:
    module = _module()
    before = dict(vars(module))
    fcp7_string(_repeats())
    assert vars(module) == before
    assert all(f.__globals__ is vars(module) for f in before.values()
               if isinstance(f, types.FunctionType))


# -- any tree, any cut ------------------------------------------------------------------

_plain_names = st.sampled_from(["name", "clipitem", "a.b-c_d", "_x", "xmeml", "n1"])
# Names the adapter's round trip through minidom resolves, refuses or changes.
_any_names = st.one_of(_plain_names, st.sampled_from(
    ["xmlish", "x:y", "1st", "café", "{urn:x}tag", "has space"]))
_texts = st.one_of(st.none(), st.text(max_size=8),
                   st.sampled_from(["MARA'S FLAT", "café & <co>", '"q"', " ", "a\tb\nc",
                                    "a\r\nb"]))


def _trees(names: st.SearchStrategy[str]) -> st.SearchStrategy[ElementTree.Element]:
    def element(children: list[ElementTree.Element]) -> Any:
        values = _texts.map(lambda text: text or "")
        return st.builds(_make, names, st.dictionaries(names, values, max_size=3),
                         _texts, _texts, st.just(children))

    return st.recursive(element([]), lambda inner: st.lists(inner, max_size=4).flatmap(element),
                        max_leaves=12)


def _make(tag: str, attrib: dict[str, str], text: str | None, tail: str | None,
          children: list[ElementTree.Element]) -> ElementTree.Element:
    node = ElementTree.Element(tag, attrib)
    node.text = text
    node.tail = tail
    node.extend(children)
    return node


@settings(max_examples=300)
@given(st.one_of(_trees(_plain_names), _trees(_any_names)))
def test_any_tree_is_written_as_minidom_writes_it(tree: ElementTree.Element) -> None:
    tree.tail = None  # the adapter's root has none
    stock: Callable[[ElementTree.Element], str] = _module()._make_pretty_string
    assert (_outcome(lambda: fcp7_writer._pretty_string(tree, fallback=stock))
            == _outcome(lambda: stock(tree)))


_clip_names = st.sampled_from(["1A", "1B", "MARA'S FLAT", "café & co", "<x>"])


@st.composite
def _cuts(draw: st.DrawFn) -> otio.schema.Timeline:
    """Cuts whose clips often share names and now and then equal one another, with
    gaps, markers, dialogue and ids as if read from a file."""
    made = otio.schema.Timeline(name=draw(_clip_names))
    for kind in (otio.schema.TrackKind.Video, otio.schema.TrackKind.Audio):
        track = otio.schema.Track(name=kind, kind=kind)
        made.tracks.append(track)
        for _ in range(draw(st.integers(0, 8))):
            earlier = [c for c in track if isinstance(c, otio.schema.Clip)]
            again = draw(st.booleans())
            if earlier and again:
                track.append(draw(st.sampled_from(earlier)).deepcopy())
                continue
            frames = draw(st.integers(1, 4))
            span = otio.opentime.TimeRange(otio.opentime.RationalTime(draw(st.integers(0, 3)),
                                                                      FPS),
                                           otio.opentime.RationalTime(frames, FPS))
            if draw(st.integers(0, 4)) == 0:
                track.append(otio.schema.Gap(source_range=span))
                continue
            reference: otio.core.MediaReference = otio.schema.MissingReference()
            if draw(st.booleans()):
                reference = otio.schema.ExternalReference(
                    target_url=f"file:///m/{draw(st.sampled_from(['a', 'b']))}.png",
                    available_range=otio.opentime.TimeRange(
                        otio.opentime.RationalTime(0, FPS), otio.opentime.RationalTime(50, FPS)))
            clip = otio.schema.Clip(name=draw(_clip_names), media_reference=reference,
                                    source_range=span)
            if draw(st.booleans()):
                clip.markers.append(otio.schema.Marker(
                    name=draw(_clip_names), marked_range=otio.opentime.TimeRange(
                        span.start_time, otio.opentime.RationalTime(1, FPS))))
            number = draw(st.one_of(st.none(), st.integers(0, 6)))
            if number is not None:
                clip.metadata["fcp_xml"] = {"@id": f"clipitem-{number}"}
            track.append(clip)
    return made


@settings(max_examples=150)
@given(_cuts())
def test_any_cut_is_what_its_adapter_writes(made: otio.schema.Timeline) -> None:
    assert _outcome(lambda: fcp7_string(made)) == _outcome(lambda: _stock(made))
