"""Fountain 1.1 text to a typed Script.

One pass over the lines, paragraph by paragraph, written for speed (a feature
script is ~5,000 lines and is re-read on every run). Never raises on any text:
what matches no rule is action, as the Fountain spec says.
"""

from __future__ import annotations

import re

from shotline.model.script import Element, ElementType, Emphasis, Script
from shotline.script.emphasis import parse_emphasis

T = ElementType

_HEADING = re.compile(r"(?:int\.?/ext|i/e|int|ext|est)[.\s]", re.IGNORECASE)
# Letters, digits, dots and dashes, as the spec's examples: a number also names files.
_SCENE_NUMBER = re.compile(r"\s*#([A-Za-z0-9][A-Za-z0-9.\-]*)#\s*$")
_TITLE_KEY = re.compile(r"([A-Za-z][A-Za-z0-9 _\-]*):(.*)$")
_BONEYARD = re.compile(r"/\*.*?\*/", re.DOTALL)
_NOTE = re.compile(r"\[\[(.*?)\]\]", re.DOTALL)
_INLINE_NOTE = re.compile(r"[ \t]*\[\[(.*?)\]\]")
_EXTENSION = re.compile(r"\(([^()]*)\)")
_NOTE_NEWLINE = "\x03"  # stands for a line end inside a note folded onto one line
_GONE_LINE = "\x04"  # stands for a line end inside a dropped boneyard
_PLACEHOLDERS = re.compile("[\x00-\x04]")  # internal markers; never screenplay text


def is_heading(s: str) -> bool:
    """Whether a stripped line reads as a scene heading without forcing."""
    return _HEADING.match(s) is not None


def is_natural_cue(s: str) -> bool:
    """An upper-case line (extensions aside) with a letter: a cue when dialogue follows."""
    if s.endswith("^"):
        s = s[:-1]
    paren = s.find("(")
    return (s if paren < 0 else s[:paren]).isupper()


def split_cue(cue: str) -> tuple[str, str | None]:
    """'MARA (V.O.) (CONT'D)' -> ('MARA', "V.O., CONT'D")."""
    paren = cue.find("(")
    if paren < 0:
        return cue.strip(), None
    extensions = [m.strip() for m in _EXTENSION.findall(cue, paren)]
    return cue[:paren].strip(), ", ".join(extensions) if extensions else None


def looks_like_title_key(row: str) -> bool:
    """A line that would open a title page if it came first."""
    return _TITLE_KEY.match(row) is not None


def is_full_note(s: str) -> bool:
    """A stripped line that is one note and nothing else."""
    return s.startswith("[[") and s.endswith("]]") and s.find("]]") == len(s) - 2


def _starts_own_line(s: str) -> bool:
    """Lines that end a paragraph and stand alone: sections, synopses, breaks, notes..."""
    c = s[0]
    return (
        c in "=#~"
        or (c == ">" and s.endswith("<") and len(s) > 1)
        or (c == "[" and is_full_note(s))
    )


def _fold_notes(text: str) -> tuple[str, bool]:
    """Put each note that spans lines onto its first line (its line ends marked)."""
    folded_any = False

    def fold(m: re.Match[str]) -> str:
        nonlocal folded_any
        body = m.group(1)
        if "\n" not in body:
            return m.group(0)
        if any(not row.strip() and row != "  " for row in body.split("\n")[1:-1]):
            return m.group(0)  # a blank line ends a note: this is no note
        folded_any = True
        return "[[" + body.replace("\n", _NOTE_NEWLINE) + "]]"

    return _NOTE.sub(fold, text), folded_any


def _source_lines(text: str) -> tuple[list[str], list[int] | None]:
    """Lines with boneyard dropped and notes folded, and (if any line moved) the
    source line of each; None means line k is source line k + 1."""
    moved = False
    if "/*" in text:
        # A boneyard goes whole, line ends included; its lines are remembered so
        # later line numbers stay true.
        text = _BONEYARD.sub(lambda m: _GONE_LINE * m.group(0).count("\n"), text)
        moved = _GONE_LINE in text
    if "[[" in text:
        text, folded = _fold_notes(text)
        moved = moved or folded
    lines = text.split("\n")
    if not moved:
        return lines, None
    source_line: list[int] = []
    line = 1
    for k, row in enumerate(lines):
        source_line.append(line)
        line += 1 + row.count(_NOTE_NEWLINE)
        if _GONE_LINE in row:
            line += row.count(_GONE_LINE)
            lines[k] = row.replace(_GONE_LINE, "")
    return lines, source_line


def _note_text(body: str) -> str:
    rows = body.split(_NOTE_NEWLINE)
    return "\n".join("" if row == "  " else row for row in rows).strip()


def parse_fountain(text: str, source: str | None = None) -> Script:
    """Parse Fountain text into a Script. Never raises: anything unrecognised is action."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _PLACEHOLDERS.search(text) is not None:
        text = _PLACEHOLDERS.sub("", text)
    lines, line_of = _source_lines(text)
    title_page, first = _title_page(lines)
    elements = _Reader(lines, line_of).read(first)
    return Script(title_page=title_page, elements=tuple(elements), source=source)


def _title_page(lines: list[str]) -> tuple[dict[str, str], int]:
    if not lines or _TITLE_KEY.match(lines[0]) is None:
        return {}, 0
    end = 0
    while end < len(lines) and lines[end].strip():
        row = lines[end]
        if _TITLE_KEY.match(row) is None and row[0] not in " \t":
            return {}, 0  # a line neither "Key: value" nor indented: this is script
        end += 1
    page: dict[str, list[str]] = {}
    key = ""
    i = 0
    while i < len(lines) and lines[i].strip():
        row = lines[i]
        m = _TITLE_KEY.match(row)
        if m is not None:
            key = m.group(1).strip().lower()
            value = m.group(2).strip()
            page[key] = [value] if value else []
        else:
            page[key].append(row.strip())
        i += 1
    return {
        k: _note_text("\n".join(parse_emphasis(v)[0] for v in values))
        for k, values in page.items()
    }, i


# Element is a named tuple; building it straight from a tuple skips a Python-level
# __new__, which is a tenth of the parse time on a feature script.
_new = tuple.__new__


class _Reader:
    """Turns lines into elements; the element list is built in place."""

    __slots__ = ("cues", "elements", "line_of", "lines")

    def __init__(self, lines: list[str], line_of: list[int] | None) -> None:
        self.lines = lines
        self.line_of = line_of
        self.elements: list[Element] = []
        # The same few cues repeat hundreds of times: read each once.
        self.cues: dict[str, tuple[str, str, str | None, tuple[Emphasis, ...]]] = {}

    def take_notes(self, marked: str, i: int) -> tuple[str, list[Element]]:
        """Cut inline notes out of an element's text; each becomes a note element."""
        notes: list[Element] = []

        def take(m: re.Match[str]) -> str:
            # The note's own line: rows of the element map to source lines.
            row = i + marked.count("\n", 0, m.start())
            own = row + 1 if self.line_of is None else self.line_of[row]
            row_start = marked.rfind("\n", 0, m.start()) + 1
            own += marked.count(_NOTE_NEWLINE, row_start, m.start())
            notes.append(Element(T.NOTE, _note_text(m.group(1)), own))
            return ""

        stripped = _INLINE_NOTE.sub(take, marked)
        return (stripped if marked[:1].isspace() else stripped.lstrip(" ")), notes

    def add(
        self, kind: ElementType, marked: str, i: int, scene_number: str | None = None,
        level: int = 0,
    ) -> None:
        """Add an element from marked-up text: inline notes and emphasis come out here."""
        line = i + 1 if self.line_of is None else self.line_of[i]
        notes: list[Element] = []
        if "[[" in marked:
            marked, notes = self.take_notes(marked, i)
        if "*" in marked or "_" in marked or "\\" in marked:
            text, spans = parse_emphasis(marked)
        else:
            text, spans = marked, ()
        if text or not notes:
            self.elements.append(
                _new(Element, (kind, text, line, scene_number, None, None, False, level, spans)))
        self.elements.extend(notes)

    def own_line(self, s: str, i: int) -> int:
        """Emit a line-level element (run of lyrics or centered lines included)."""
        lines = self.lines
        c = s[0]
        if c in "~>":
            kind = T.LYRICS if c == "~" else T.CENTERED
            run: list[str] = []
            start = i
            while i < len(lines):
                t = lines[i].strip()
                if c == "~" and t.startswith("~"):
                    run.append(t[1:].strip())
                elif c == ">" and t.startswith(">") and t.endswith("<") and len(t) > 1:
                    run.append(t[1:-1].strip())
                else:
                    break
                i += 1
            self.add(kind, "\n".join(run), start)
            return i
        line = i + 1 if self.line_of is None else self.line_of[i]
        if c == "=":
            if len(s) >= 3 and not s.strip("="):
                self.elements.append(Element(T.PAGE_BREAK, "", line))
            else:
                self.add(T.SYNOPSIS, s[1:].strip(), i)
        elif c == "#":
            level = len(s) - len(s.lstrip("#"))
            self.add(T.SECTION, s[level:].strip(), i, level=level)
        else:
            self.elements.append(Element(T.NOTE, _note_text(s[2:-2]), line))
        return i + 1

    def read(self, i: int) -> list[Element]:
        lines = self.lines
        n = len(lines)
        prev_blank = True
        while i < n:
            s = lines[i].strip()
            if not s:
                prev_blank = True
                i += 1
                continue
            c = s[0]
            if c in "=#~>[" and _starts_own_line(s):
                i = self.own_line(s, i)
            elif not prev_blank:
                i = self.action(i)  # no blank line since the last element: action
            elif c == "!":
                i = self.action(i)
            elif c == "@":
                i = self.dialogue(s, i)
            elif c == "." and s[1:2] not in (".", ""):
                self.heading(s[1:], i)
                i += 1
            elif c == ">":
                self.add(T.TRANSITION, s[1:].strip(), i)
                i += 1
            elif c in "IiEe" and _HEADING.match(s) is not None:
                self.heading(s, i)
                i += 1
            elif i + 1 < n and lines[i + 1].strip():
                if s in self.cues or is_natural_cue(s):
                    i = self.dialogue(s, i)
                else:
                    i = self.action(i)
            elif s.endswith("TO:") and s.isupper():
                self.add(T.TRANSITION, s, i)
                i += 1
            else:
                i = self.action(i)
            prev_blank = False
        return self.elements

    def heading(self, s: str, i: int) -> None:
        number = None
        if s.endswith("#"):
            m = _SCENE_NUMBER.search(s)
            if m is not None:
                number = m.group(1)
                s = s[: m.start()]
        self.add(T.SCENE_HEADING, s.strip(), i, number)

    def action(self, i: int) -> int:
        """An action paragraph from line i to the next blank line; returns the next line."""
        lines = self.lines
        n = len(lines)
        start = i
        run: list[str] = []
        while i < n:
            raw = lines[i]
            if raw == "  ":
                run.append("")  # two spaces: an empty line that keeps the paragraph
                i += 1
                continue
            row = raw.rstrip()
            if not row:
                break
            if run and row.lstrip()[0] in "=#[~>" and _starts_own_line(row.lstrip()):
                break
            run.append(row[1:] if row[0] == "!" else row)
            i += 1
        while run and not run[-1]:
            run.pop()
        if run:
            self.add(T.ACTION, "\n".join(run), start)
        return i

    def dialogue(self, cue: str, i: int) -> int:
        """A cue (stripped line, "@" kept) with its parentheticals and dialogue.

        Returns the line after the block.
        """
        lines = self.lines
        n = len(lines)
        elements = self.elements
        known = self.cues.get(cue)
        notes: list[Element] = []
        if known is None:
            bare = (cue[1:] if cue[0] == "@" else cue).strip()
            if bare.endswith("^"):
                bare = bare[:-1].rstrip()
            if "[[" in bare:
                bare, notes = self.take_notes(bare, i)
            text, spans = parse_emphasis(bare)
            name, extension = split_cue(text)
            known = (text, name, extension, spans)
            if not notes:
                self.cues[cue] = known
        text, name, extension, spans = known
        dual = cue.endswith("^")
        if dual:
            self._mark_first_of_pair()
        line = i + 1 if self.line_of is None else self.line_of[i]
        elements.append(
            _new(Element, (T.CHARACTER, text, line, None, name, extension, dual, 0, spans)))
        elements.extend(notes)
        i += 1
        speech: list[str] = []
        speech_start = i
        while True:
            raw = lines[i] if i < n else ""
            if raw == "  ":
                speech.append("")
                i += 1
                continue
            s = raw.strip()
            if s and s[0] not in "(~[":
                if not speech:
                    speech_start = i
                speech.append(s)
                i += 1
                continue
            # Anything else ends the running speech.
            while speech and not speech[-1]:
                speech.pop()
            if speech:
                self.add(T.DIALOGUE, "\n".join(speech), speech_start)
                speech = []
            if not s:
                return i
            if s[0] == "(" and s.endswith(")"):
                self.add(T.PARENTHETICAL, s, i)
            elif s[0] == "~":
                i = self.own_line(s, i)  # a sung passage: its lines make one element
                continue
            elif s[0] == "[" and is_full_note(s):
                elements.append(
                    Element(T.NOTE, _note_text(s[2:-2]), i + 1 if self.line_of is None
                            else self.line_of[i]))
            else:
                speech_start = i
                speech.append(s)
            i += 1

    def _mark_first_of_pair(self) -> None:
        """A cue with ^ is the second of a pair: the cue before it is the first."""
        elements = self.elements
        for k in range(len(elements) - 1, -1, -1):
            kind = elements[k].type
            if kind is T.CHARACTER:
                elements[k] = elements[k]._replace(dual=True)
                return
            if kind not in (T.DIALOGUE, T.PARENTHETICAL, T.NOTE, T.LYRICS):
                return
