"""Fountain emphasis markup (``*italic*``, ``**bold**``, ``_underline_``) to spans and back."""

from __future__ import annotations

import re

from shotline.model.script import Emphasis, Style

# Placeholders for escaped marker characters while the patterns run; a screenplay
# never contains these control characters.
_ESC_STAR = "\x01"
_ESC_UNDER = "\x02"
_GONE = "\x00"

# Longest marker first, so "***" is not read as "**" + "*". A span's text may not
# start or end with a space or a marker and may not cross a line end.
_PATTERNS: tuple[tuple[re.Pattern[str], int, tuple[Style, ...]], ...] = (
    (re.compile(r"\*\*\*(?=[^\s*])([^\n]*?[^\s*])?\*\*\*"), 3, ("bold", "italic")),
    (re.compile(r"\*\*(?=[^\s*])([^\n]*?[^\s*])?\*\*"), 2, ("bold",)),
    (re.compile(r"\*(?=[^\s*])([^\n]*?[^\s*])?\*"), 1, ("italic",)),
    (re.compile(r"_(?=[^\s_])([^\n]*?[^\s_])?_"), 1, ("underline",)),
)


def parse_emphasis(marked: str) -> tuple[str, tuple[Emphasis, ...]]:
    """Split Fountain-marked text into plain text and its styled spans."""
    if "*" not in marked and "_" not in marked and "\\" not in marked:
        return marked, ()
    work = marked.replace("\\*", "\\" + _ESC_STAR).replace("\\_", "\\" + _ESC_UNDER)
    removed = [False] * len(work)
    for i, ch in enumerate(work):
        if ch == "\\" and i + 1 < len(work) and work[i + 1] in (_ESC_STAR, _ESC_UNDER):
            removed[i] = True
    raw_spans: list[tuple[int, int, Style]] = []
    for pattern, width, styles in _PATTERNS:
        if pattern.pattern[0] == "_" and "_" not in work:
            continue
        if "*" not in work and pattern.pattern[0] != "_":
            continue
        chars = list(work)
        for m in pattern.finditer(work):
            start, end = m.start(), m.end()
            for style in styles:
                raw_spans.append((start + width, end - width, style))
            for k in range(width):
                removed[start + k] = True
                removed[end - 1 - k] = True
                chars[start + k] = _GONE
                chars[end - 1 - k] = _GONE
        work = "".join(chars)
    # Map source offsets to plain-text offsets.
    offset = [0] * (len(work) + 1)
    kept = 0
    out: list[str] = []
    for i, ch in enumerate(marked_chars(work)):
        offset[i] = kept
        if not removed[i]:
            out.append(ch)
            kept += 1
    offset[len(work)] = kept
    found = {Emphasis(offset[a], offset[b], style) for a, b, style in raw_spans}
    spans = sorted(
        (e for e in found if e.end > e.start), key=lambda e: (e.start, -e.end, e.style)
    )
    return "".join(out), tuple(spans)


def marked_chars(work: str) -> str:
    """The working text with escaped markers turned back into literal characters."""
    return work.replace(_ESC_STAR, "*").replace(_ESC_UNDER, "_")


def split_at_line_ends(text: str, spans: tuple[Emphasis, ...]) -> tuple[Emphasis, ...]:
    """Spans cut at line ends (Fountain emphasis never crosses one); empty parts dropped."""
    if "\n" not in text or not spans:
        return spans
    out: list[Emphasis] = []
    for span in spans:
        start = span.start
        while start < span.end:
            stop = text.find("\n", start, span.end)
            stop = span.end if stop < 0 else stop
            if stop > start:
                out.append(Emphasis(start, stop, span.style))
            start = stop + 1
    return tuple(sorted(set(out), key=lambda e: (e.start, -e.end, e.style)))


_MARK: dict[Style, str] = {"bold": "**", "italic": "*", "underline": "_"}
_NEEDS_ESCAPE = re.compile(r"([*_])")


def render_emphasis(text: str, spans: tuple[Emphasis, ...]) -> str:
    """Plain text and spans back to Fountain markup, escaping literal markers."""
    spans = split_at_line_ends(text, spans)
    if not spans:
        return _NEEDS_ESCAPE.sub(r"\\\1", text) if ("*" in text or "_" in text) else text
    opens: dict[int, list[Emphasis]] = {}
    closes: dict[int, list[Emphasis]] = {}
    for span in spans:
        opens.setdefault(span.start, []).append(span)
        closes.setdefault(span.end, []).append(span)
    out: list[str] = []
    for i in range(len(text) + 1):
        if i in closes:
            # Inner spans close first: shorter ones (later starts) before longer ones;
            # underline wraps the star markers, so it closes last.
            for span in sorted(closes[i], key=lambda e: (-e.start, e.style == "underline")):
                out.append(_MARK[span.style])
        if i in opens:
            for span in sorted(opens[i], key=lambda e: (-e.end, e.style != "underline")):
                out.append(_MARK[span.style])
        if i < len(text):
            ch = text[i]
            out.append("\\" + ch if ch in "*_" else ch)
    return "".join(out)
