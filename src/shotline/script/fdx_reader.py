"""Final Draft (.fdx) XML to a typed Script, read safely with defusedxml.

FDX is plain XML: ``<FinalDraft><Content><Paragraph Type="Scene Heading"
Number="12A"><Text Style="Bold">…</Text></Paragraph>…``, dual dialogue as a
``<DualDialogue>`` inside an untyped paragraph, and a free-form ``<TitlePage>``.
"""

from __future__ import annotations

import re
import xml.sax
from dataclasses import dataclass, field
from typing import Literal
from xml.sax.xmlreader import AttributesImpl, Locator

import defusedxml.sax
from defusedxml import DefusedXmlException

from shotline.model.script import Element, ElementType, Emphasis, Script, Style
from shotline.script.emphasis import split_at_line_ends
from shotline.script.errors import ScriptError
from shotline.script.fountain_reader import split_cue

T = ElementType

_TYPES: dict[str, ElementType] = {
    "Scene Heading": T.SCENE_HEADING,
    "Action": T.ACTION,
    "General": T.ACTION,
    "Cast List": T.ACTION,
    "Character": T.CHARACTER,
    "Parenthetical": T.PARENTHETICAL,
    "Dialogue": T.DIALOGUE,
    "Transition": T.TRANSITION,
    "Shot": T.SCENE_HEADING,
}

_STYLES: tuple[tuple[str, Style], ...] = (
    ("bold", "bold"), ("italic", "italic"), ("underline", "underline"))


@dataclass
class _Paragraph:
    kind: str | None
    number: str | None
    line: int
    alignment: str
    dual: bool
    runs: list[tuple[str, frozenset[Style]]] = field(default_factory=list)

    def text_and_spans(self) -> tuple[str, tuple[Emphasis, ...]]:
        text = ""
        spans: list[Emphasis] = []
        open_at: dict[Style, int] = {}
        for run, styles in self.runs:
            for style in list(open_at):
                if style not in styles:
                    spans.append(Emphasis(open_at.pop(style), len(text), style))
            for style in styles:
                open_at.setdefault(style, len(text))
            text += run
        for style, start in open_at.items():
            spans.append(Emphasis(start, len(text), style))
        # Trailing line ends are layout; spans must stay inside the kept text.
        kept = text.rstrip("\n\r")
        lead = len(kept) - len(kept.lstrip(" ")) if self.kind != "Action" else 0
        kept = kept[lead:]
        bounded = [
            Emphasis(max(e.start - lead, 0), min(e.end - lead, len(kept)), e.style)
            for e in spans
        ]
        return kept, split_at_line_ends(kept, tuple(sorted(
            {e for e in bounded if e.end > e.start}, key=lambda e: (e.start, -e.end, e.style))))


class _Handler(xml.sax.ContentHandler):
    def __init__(self) -> None:
        super().__init__()
        self.locator: Locator | None = None
        self.stack: list[_Paragraph] = []
        self.body: list[_Paragraph] = []
        self.title: list[_Paragraph] = []
        self.in_title = 0
        self.in_dual = 0
        self.text_styles: frozenset[Style] | None = None
        self.root_seen = False

    def setDocumentLocator(self, locator: Locator) -> None:  # noqa: N802 (SAX API)
        self.locator = locator

    def startElement(self, name: str, attrs: AttributesImpl) -> None:  # noqa: N802
        if not self.root_seen:
            self.root_seen = True
            if name != "FinalDraft":
                raise ScriptError(f"expected a <FinalDraft> document, found <{name}>",
                                  line=self._line())
        if name == "Paragraph":
            self.stack.append(_Paragraph(
                kind=attrs.get("Type"), number=_scene_number(attrs.get("Number")),
                line=self._line(),
                alignment=(attrs.get("Alignment") or "").lower(), dual=self.in_dual > 0))
        elif name == "Text" and self.stack:
            style = (attrs.get("Style") or "").lower()
            self.text_styles = frozenset(s for key, s in _STYLES if key in style)
        elif name == "TitlePage":
            self.in_title += 1
        elif name == "DualDialogue":
            self.in_dual += 1

    def endElement(self, name: str) -> None:  # noqa: N802
        if name == "Paragraph" and self.stack:
            paragraph = self.stack.pop()
            (self.title if self.in_title else self.body).append(paragraph)
        elif name == "Text":
            self.text_styles = None
        elif name == "TitlePage":
            self.in_title -= 1
        elif name == "DualDialogue":
            self.in_dual -= 1

    def characters(self, content: str) -> None:
        if self.text_styles is not None and self.stack:
            self.stack[-1].runs.append((content, self.text_styles))

    def _line(self) -> int:
        line = self.locator.getLineNumber() if self.locator is not None else None
        return line or 0


def parse_fdx(data: bytes, source: str | None = None) -> Script:
    """Parse Final Draft XML. Raises ScriptError for malformed or hostile XML."""
    handler = _Handler()
    try:
        defusedxml.sax.parseString(
            data, handler, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise ScriptError(f"refused unsafe XML ({_describe(exc)})", source=source) from None
    except xml.sax.SAXParseException as exc:
        raise ScriptError(f"malformed FDX XML: {exc.getMessage()}", source=source,
                          line=exc.getLineNumber()) from None
    except ScriptError as exc:
        raise ScriptError(exc.message, source=source, line=exc.line) from None
    if not handler.root_seen:
        raise ScriptError("no XML content", source=source)
    return Script(title_page=_title_page(handler.title), elements=_elements(handler.body),
                  source=source)


def _describe(exc: DefusedXmlException) -> str:
    name = type(exc).__name__
    if name == "EntitiesForbidden":
        return "entity declarations are not allowed"
    if name == "ExternalReferenceForbidden":
        return "external references are not allowed"
    if name == "DTDForbidden":
        return "document type definitions are not allowed"
    return name


def _elements(paragraphs: list[_Paragraph]) -> tuple[Element, ...]:
    out: list[Element] = []
    for p in paragraphs:
        if p.kind is None:
            continue  # a container, such as the one around <DualDialogue>
        kind = _TYPES.get(p.kind, T.ACTION)
        if kind is T.ACTION and p.alignment == "center":
            kind = T.CENTERED
        text, spans = p.text_and_spans()
        if not text.strip():
            continue
        previous = out[-1] if out else None
        if kind is T.DIALOGUE and previous is not None and previous.type is T.DIALOGUE:
            # Final Draft splits one speech into paragraphs; Fountain has one element.
            shift = len(previous.text) + 1
            merged = previous.emphasis + tuple(
                Emphasis(e.start + shift, e.end + shift, e.style) for e in spans)
            out[-1] = previous._replace(text=previous.text + "\n" + text, emphasis=merged)
            continue
        if kind is T.CHARACTER:
            name, extension = split_cue(text)
            out.append(Element(kind, text, p.line, name=name, extension=extension,
                               dual=p.dual, emphasis=spans))
        elif kind is T.SCENE_HEADING:
            number = p.number if p.kind == "Scene Heading" else None
            out.append(Element(kind, text, p.line, scene_number=number, emphasis=spans))
        else:
            out.append(Element(kind, text, p.line, emphasis=spans))
    return tuple(out)


_CREDIT = re.compile(
    r"^(written by|screenplay by|teleplay by|by|story by|created by)\b\s*(.*)$", re.I)
_SOURCE = re.compile(r"^(based on|adapted from|story by|from the)\b", re.I)
_DATE = re.compile(
    r"\b(\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}-\d{2}-\d{2}|"
    r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}?,? ?\d{4}|draft)\b",
    re.I)

Key = Literal["title", "credit", "author", "source", "draft date", "contact", "notes"]


def _title_page(paragraphs: list[_Paragraph]) -> dict[str, str]:
    """Final Draft title pages are free-form: name their parts by position and wording."""
    page: dict[str, list[str]] = {}
    expect_author = False

    def put(key: Key, value: str) -> None:
        page.setdefault(key, []).append(value)

    for p in paragraphs:
        text = p.text_and_spans()[0].strip()
        if not text:
            expect_author = False
            continue
        credit = _CREDIT.match(text)
        if p.alignment in ("left", "") and "title" in page:
            put("contact", text)
        elif p.alignment == "right":
            put("draft date" if _DATE.search(text) else "notes", text)
        elif "title" not in page:
            put("title", text)
        elif _SOURCE.match(text):
            put("source", text)
        elif credit is not None:
            put("credit", credit.group(1))
            if credit.group(2):
                put("author", credit.group(2))
            else:
                expect_author = True
            continue
        elif expect_author:
            put("author", text)
            continue
        elif _DATE.search(text):
            put("draft date", text)
        elif "credit" not in page and len(page) == 1:
            put("title", text)
        else:
            put("notes", text)
        expect_author = False
    return {k: "\n".join(v) for k, v in page.items()}


_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-]*")


def _scene_number(value: str | None) -> str | None:
    """A scene number as it may name files: anything else is not kept as one."""
    value = (value or "").strip()
    return value if _NUMBER.fullmatch(value) else None
