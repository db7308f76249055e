"""Hypothesis strategies for screenplays that Fountain can represent exactly."""

from __future__ import annotations

from hypothesis import strategies as st

from shotline.model.script import Element, ElementType, Emphasis, Script, Style

T = ElementType

_LOWER = "abcdefghijklmnopqrstuvwxyzéøß"
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZÉØ"
_PUNCT = ",.'?!-;:"

lower_word = st.text(_LOWER, min_size=1, max_size=8)
upper_word = st.text(_UPPER, min_size=2, max_size=8)
any_word = st.one_of(
    lower_word,
    upper_word,
    st.builds(lambda w, p: w + p, lower_word, st.sampled_from(_PUNCT)),
    st.text("0123456789", min_size=1, max_size=3),
    st.sampled_from(["*", "_", "a*b", "x_y", "(a)", "[x]", "#3", "~"]),  # markers mid-text
)


@st.composite
def sentence(draw: st.DrawFn) -> str:
    """Prose: starts with a capital and has lower case, so it is never a cue."""
    first = draw(st.text(_UPPER, min_size=1, max_size=1)) + draw(lower_word)
    rest = draw(st.lists(any_word, max_size=8))
    return " ".join([first, *rest])


@st.composite
def with_emphasis(draw: st.DrawFn, text: str) -> tuple[Emphasis, ...]:
    """Styled spans over whole words, nested or disjoint, as writers mark them."""
    rows = text.split("\n")
    row = draw(st.integers(0, len(rows) - 1))
    start = sum(len(r) + 1 for r in rows[:row])
    words: list[tuple[int, int]] = []
    for word in rows[row].split(" "):
        if word and all(ch.isalnum() for ch in (word[0], word[-1])):
            words.append((start, start + len(word)))
        start += len(word) + 1
    if not words or not draw(st.booleans()):
        return ()
    a, b = sorted(draw(st.lists(st.sampled_from(range(len(words))), min_size=2, max_size=2)))
    styles: list[Style] = draw(st.lists(st.sampled_from(["bold", "italic", "underline"]),
                                        min_size=1, max_size=3, unique=True))
    return tuple(sorted(
        (Emphasis(words[a][0], words[b][1], s) for s in styles),
        key=lambda e: (e.start, -e.end, e.style)))


def _element(kind: ElementType, text: str, **fields: object) -> Element:
    return Element(kind, text, 0)._replace(**fields)


@st.composite
def action(draw: st.DrawFn) -> Element:
    rows = draw(st.lists(sentence(), min_size=1, max_size=3))
    if draw(st.booleans()):
        rows[0] = draw(st.sampled_from(["\t", "    ", "  "])) + rows[0]  # indentation kept
    if draw(st.booleans()):
        rows[0] = " ".join(draw(st.lists(upper_word, min_size=1, max_size=3)))  # needs "!"
    if len(rows) > 1 and draw(st.booleans()):
        rows.insert(1, "")  # an empty line inside the paragraph
    text = "\n".join(rows)
    return _element(T.ACTION, text, emphasis=draw(with_emphasis(text)))


@st.composite
def heading(draw: st.DrawFn) -> Element:
    prefix = draw(st.sampled_from(["INT. ", "EXT. ", "INT./EXT. ", "I/E ", "EST. ", ""]))
    words = draw(st.lists(upper_word, min_size=1, max_size=3))
    text = prefix + " ".join(words) + draw(st.sampled_from(["", " - DAY", " - NIGHT"]))
    number = draw(st.one_of(st.none(), st.from_regex(r"[1-9][0-9]{0,2}[A-Z]?", fullmatch=True)))
    return _element(T.SCENE_HEADING, text, scene_number=number)


@st.composite
def speech(draw: st.DrawFn, dual: bool = False) -> list[Element]:
    name = " ".join(draw(st.lists(upper_word, min_size=1, max_size=2)))
    extension = draw(st.sampled_from([None, "V.O.", "O.S.", "CONT'D", "V.O., CONT'D"]))
    cue = name if extension is None else f"{name} ({extension})"
    if extension == "V.O., CONT'D":
        cue = f"{name} (V.O.) (CONT'D)"
    out = [_element(T.CHARACTER, cue, name=name, extension=extension, dual=dual)]
    previous = T.CHARACTER
    for _ in range(draw(st.integers(1, 4))):
        kind = T.DIALOGUE if previous is not T.DIALOGUE and draw(st.booleans()) else (
            T.PARENTHETICAL if previous is T.DIALOGUE else T.DIALOGUE)
        if kind is T.PARENTHETICAL:
            out.append(_element(kind, "(" + draw(lower_word) + ")"))
        else:
            rows = draw(st.lists(sentence(), min_size=1, max_size=2))
            text = "\n".join(rows)
            out.append(_element(kind, text, emphasis=draw(with_emphasis(text))))
        previous = kind
    return out


@st.composite
def block(draw: st.DrawFn) -> list[Element]:
    kind = draw(st.sampled_from([
        "heading", "action", "speech", "dual", "transition", "centered", "lyrics",
        "section", "synopsis", "note", "page_break",
    ]))
    if kind == "heading":
        return [draw(heading())]
    if kind == "action":
        return [draw(action())]
    if kind == "speech":
        return draw(speech())
    if kind == "dual":
        return draw(speech(dual=True)) + draw(speech(dual=True))
    if kind == "transition":
        natural = " ".join(draw(st.lists(upper_word, min_size=1, max_size=2))) + " TO:"
        return [_element(T.TRANSITION, draw(st.sampled_from([natural, draw(sentence())])))]
    if kind in ("centered", "lyrics"):
        rows = draw(st.lists(sentence(), min_size=1, max_size=2))
        return [_element(T.CENTERED if kind == "centered" else T.LYRICS, "\n".join(rows))]
    if kind == "section":
        return [_element(T.SECTION, draw(sentence()), level=draw(st.integers(1, 3)))]
    if kind == "synopsis":
        return [_element(T.SYNOPSIS, draw(sentence()))]
    if kind == "note":
        return [_element(T.NOTE, draw(sentence()))]
    return [_element(T.PAGE_BREAK, "")]


@st.composite
def scripts(draw: st.DrawFn) -> Script:
    elements: list[Element] = []
    for part in draw(st.lists(block(), max_size=12)):
        # Two speeches side by side would merge their dual pairs; keep them apart.
        if elements and elements[-1].type in (T.DIALOGUE, T.PARENTHETICAL) and (
            part[0].type is T.CHARACTER and part[0].dual
        ):
            elements.append(_element(T.ACTION, "Beat."))
        elements.extend(part)
    title: dict[str, str] = {}
    if draw(st.booleans()):
        title["title"] = draw(sentence())
        title["author"] = draw(sentence())
        title["contact"] = "\n".join(draw(st.lists(sentence(), min_size=1, max_size=3)))
    return Script(title_page=title, elements=tuple(elements))


def comparable(script: Script) -> tuple[dict[str, str], list[tuple[object, ...]]]:
    """Everything an element means, without where it came from."""
    return script.title_page, [
        (e.type, e.text, e.scene_number, e.name, e.extension, e.dual, e.level, e.emphasis)
        for e in script.elements
    ]
