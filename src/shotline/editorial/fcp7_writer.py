"""Final Cut Pro 7 XML through its OpenTimelineIO adapter's own writer, less the costs
of that writer which grow with the cut, for the same text character for character.

- Text: the adapter builds an ElementTree, turns it to text, parses that again with
  minidom and has minidom indent it, most of the time for a feature. Here minidom's
  text is written straight from the tree.
- Back-references: a clip equal to one already written (by its whole JSON
  serialisation, hashed for every clip) is written as a reference to it, and each new
  id is minted from a set of all the ids so far (quadratic). Here a clip is serialised
  only when an earlier one has its name (equal serialisations have equal names), and
  ids come from a running count: the same ids, the same references.
- Metadata: a look-up of the adapter's metadata namespace on an item without one
  raises a C++ KeyError inside OpenTimelineIO (some 15 us each); for the element of
  each item the namespace is first looked for among the keys.

The adapter's functions run as they are, rebound to a copy of its module's namespace
in which those three functions are replaced; the module itself is left untouched. An
adapter without those functions is used as it is.
"""

from __future__ import annotations

import functools
import inspect
import itertools
import re
import types
from collections.abc import Callable, MutableMapping
from typing import Any
from xml.etree import ElementTree

import opentimelineio as otio

ADAPTER = "fcp_xml"

_NEEDED = ("write_to_string", "_make_pretty_string", "_backreference_for_item",
           "_element_with_item_metadata", "ID_RE", "META_NAMESPACE", "cElementTree")
# Element and attribute names written as they are: namespaced, prefixed or reserved
# ones (which minidom's parse would resolve or refuse) go the adapter's way.
_NAME = re.compile(r"(?![Xx][Mm][Ll])[A-Za-z_][A-Za-z0-9_.-]*")
# What the adapter's parse would refuse (not XML characters) or change (a carriage
# return in text becomes a line feed): a tree with any of them goes the adapter's way.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]")

_NAMESPACES: dict[types.ModuleType, dict[str, Any] | None] = {}


def fcp7_string(timeline: otio.schema.Timeline) -> str:
    """The timeline as the adapter's ``write_to_string`` writes it, character for
    character."""
    module = otio.adapters.from_name(ADAPTER).module()
    namespace = _NAMESPACES.get(module)
    if module not in _NAMESPACES:
        namespace = _NAMESPACES[module] = _rebound(module)
    if namespace is None:
        return str(otio.adapters.write_to_string(timeline, ADAPTER))
    return str(namespace["write_to_string"](timeline))


def _rebound(module: types.ModuleType) -> dict[str, Any] | None:
    """A copy of the module's namespace, its functions rebound to it and the three
    costly ones replaced; None for an adapter whose internals are not the ones expected."""
    if not all(hasattr(module, name) for name in _NEEDED):
        return None
    try:
        parameters = list(inspect.signature(module._backreference_for_item).parameters)
    except (TypeError, ValueError):
        return None
    if parameters != ["item", "tag", "br_map"]:
        return None
    original = vars(module)
    namespace = dict(original)
    done: dict[int, Any] = {}

    def rebind(value: Any) -> Any:
        # Functions of the module (and those in their closures: the back-reference
        # decorator's wrappers hold the function they wrap) look names up here.
        if not isinstance(value, types.FunctionType) or value.__globals__ is not original:
            return value
        if id(value) not in done:
            closure = None
            if value.__closure__ is not None:
                closure = tuple(_cell(rebind, cell) for cell in value.__closure__)
            copy = types.FunctionType(value.__code__, namespace, value.__name__,
                                      value.__defaults__, closure)
            copy.__kwdefaults__ = value.__kwdefaults__
            done[id(value)] = copy
        return done[id(value)]

    for name, value in original.items():
        namespace[name] = rebind(value)
    namespace["_make_pretty_string"] = functools.partial(
        _pretty_string, fallback=module._make_pretty_string)
    namespace["_backreference_for_item"] = functools.partial(
        _back_reference, id_pattern=module.ID_RE, meta_namespace=module.META_NAMESPACE)
    namespace["_element_with_item_metadata"] = functools.partial(
        _element_with_metadata, meta_namespace=module.META_NAMESPACE,
        element=module.cElementTree.Element, stock=namespace["_element_with_item_metadata"])
    return namespace


def _cell(rebind: Callable[[Any], Any], cell: types.CellType) -> types.CellType:
    try:
        contents = cell.cell_contents
    except ValueError:  # a closure's variable not yet assigned
        return types.CellType()
    return types.CellType(rebind(contents))


# -- the text -------------------------------------------------------------------------


class _UnusualTreeError(Exception):
    """The tree holds something the adapter's round trip through minidom treats in a
    way of its own."""


def _pretty_string(tree: ElementTree.Element,
                   fallback: Callable[[ElementTree.Element], str]) -> str:
    """What ``minidom.parseString(ElementTree.tostring(tree)).toprettyxml("    ")``
    returns, written from the tree; for an unusual tree, that itself."""
    try:
        text = _pretty(tree)
    except _UnusualTreeError:
        return fallback(tree)
    if _UNSAFE.search(text):
        return fallback(tree)
    return text


def _escape(text: str) -> str:
    # minidom's own escaping, for text and attribute values alike.
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
            .replace(">", "&gt;"))


def _pretty(root: ElementTree.Element) -> str:
    """minidom's pretty printing: an element with one text child on one line, any other
    element's children each on its own line, four spaces deeper; no children: ``<x/>``.
    The text and tails that the tree's text would hold are minidom's text nodes."""
    if root.tail:
        raise _UnusualTreeError
    parts = ['<?xml version="1.0" ?>\n']
    write = parts.append
    names: set[str] = set()

    def checked(name: object) -> str:
        if name not in names:
            if not isinstance(name, str) or not _NAME.fullmatch(name):
                raise _UnusualTreeError
            names.add(name)
        return name

    def text_of(value: object) -> str:
        if value is None:
            return ""
        if not isinstance(value, str):
            raise _UnusualTreeError
        return value

    def element(node: ElementTree.Element, indent: str) -> None:
        tag = checked(node.tag)
        write(f"{indent}<{tag}")
        for key, value in node.items():
            write(f' {checked(key)}="{_escape(text_of(value))}"')
        text = text_of(node.text)
        if not len(node):
            write(f">{_escape(text)}</{tag}>\n" if text else "/>\n")
            return
        write(">\n")
        inner = indent + "    "
        if text:
            write(f"{inner}{_escape(text)}\n")
        for child in node:
            element(child, inner)
            tail = text_of(child.tail)
            if tail:
                write(f"{inner}{_escape(tail)}\n")
        write(f"{indent}</{tag}>\n")

    element(root, "")
    return "".join(parts)


# -- back-references ------------------------------------------------------------------


_STATE = object()  # the key of this module's state in the adapter's back-reference map


class _Seen:
    __slots__ = ("item", "key", "number")

    def __init__(self, item: Any, key: int | None, number: int) -> None:
        self.item = item
        self.key = key  # the hash of its serialisation, once needed
        self.number = number


class _Ids:
    """One tag's ids, as ``_backreference_for_item`` keeps them in its map."""

    def __init__(self) -> None:
        self.by_key: dict[int, int] = {}  # files: the adapter's own keys
        self.by_name: dict[str, list[_Seen]] = {}  # everything else
        self.used: set[int] = set()
        self.lowest = 1  # no id below it is free

    def mint(self, item: Any, tag: str, id_pattern: re.Pattern[str],
             meta_namespace: str) -> int:
        """The adapter's choice: the id the item was read with, if it is free, else the
        lowest free one from 1 (ids are only ever added, so that never goes down)."""
        preferred = None
        original = None
        if _has(item.metadata, meta_namespace):
            original = item.metadata[meta_namespace].get("@id")
        if original is not None:
            match = id_pattern.match(original)
            if match is not None and match.groupdict()["tag"] == tag:
                preferred = int(match.groupdict()["id"])
        if preferred is not None and preferred not in self.used:
            number = preferred
        else:
            while self.lowest in self.used:
                self.lowest += 1
            number = self.lowest
        self.used.add(number)
        return number


def _has(metadata: Any, key: str) -> bool:
    """``key in metadata`` for OpenTimelineIO's dictionaries without a miss's C++
    KeyError: their iterator is read no further than their length, as its end would
    raise the same way."""
    return key in itertools.islice(metadata, len(metadata))


def _element_with_metadata(tag: str, item: Any, *, meta_namespace: str,
                           element: Callable[[str], ElementTree.Element],
                           stock: Callable[[str, Any], ElementTree.Element],
                           ) -> ElementTree.Element:
    """``_element_with_item_metadata``: the element for an item, from the adapter's
    metadata of the item if it has some, else bare."""
    if _has(item.metadata, meta_namespace):
        return stock(tag, item)
    return element(tag)


def _key(item: Any) -> int:
    """The adapter's key for an item: a reference's URL, or its whole serialisation."""
    if isinstance(item, otio.schema.ExternalReference):
        return hash(str(item.target_url))
    return hash(otio.core.serialize_json_to_string(item))


def _back_reference(item: Any, tag: str, br_map: MutableMapping[Any, Any], *,
                    id_pattern: re.Pattern[str], meta_namespace: str) -> tuple[str, bool]:
    """``_backreference_for_item``: the item's id, and whether it is new (an item whose
    serialisation equals an earlier one's, with the same tag, gets that one's id).
    Files keep the adapter's keys (a URL's hash stands for a reference). Other items
    are told apart by name first: only an item named as an earlier one is serialised,
    and compared with those of that name, so the same items share ids; two different
    serialisations hashing alike, which the adapter would take for one, are the sole
    difference."""
    state = br_map.get(_STATE)
    if state is None:
        state = br_map[_STATE] = {}
    ids = state.get(tag)
    if ids is None:
        ids = state[tag] = _Ids()
    if tag == "file":
        key = _key(item)
        found = ids.by_key.get(key)
        if found is not None:
            return f"{tag}-{found}", False
        number = ids.by_key[key] = ids.mint(item, tag, id_pattern, meta_namespace)
        return f"{tag}-{number}", True
    named = ids.by_name.setdefault(str(item.name), [])
    own = _key(item) if named else None
    for seen in named:
        if seen.key is None:
            seen.key = _key(seen.item)
        if seen.key == own:
            return f"{tag}-{seen.number}", False
    number = ids.mint(item, tag, id_pattern, meta_namespace)
    named.append(_Seen(item, own, number))
    return f"{tag}-{number}", True
