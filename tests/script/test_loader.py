"""Reading screenplay files: limits, encodings, format detection and Final Draft XML."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from shotline.errors import InputError
from shotline.model.script import Element, ElementType, Emphasis, Script
from shotline.script import ScriptError, load, parse_fdx
from shotline.script.loader import MAX_SCRIPT_BYTES, decode_text, looks_like_fdx, read_bytes

T = ElementType

FOUNTAIN = (
    "Title: Dry Dock\n"
    "\n"
    "INT. ENGINE ROOM - NIGHT #3#\n"
    "\n"
    "Steam. KIT (40s) wipes her hands.\n"
    "\n"
    "KIT (O.S.)\n"
    "(calling up)\n"
    "She's ready.\n"
)


def fdx(content: str, title_page: str = "") -> str:
    """A Final Draft document around the given <Content> paragraphs."""
    title = f"  <TitlePage>\n    <Content>\n{title_page}    </Content>\n  </TitlePage>\n"
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="no" ?>\n'
        '<FinalDraft DocumentType="Script" Template="No" Version="5">\n'
        f"  <Content>\n{content}  </Content>\n"
        f"{title if title_page else ''}"
        "</FinalDraft>\n"
    )


def para(kind: str | None, text: str, **attrs: str) -> str:
    extra = "".join(f' {k}="{v}"' for k, v in attrs.items())
    typed = f' Type="{kind}"' if kind else ""
    return f"    <Paragraph{extra}{typed}><Text>{text}</Text></Paragraph>\n"


def line_of(document: str, needle: str) -> int:
    return document[: document.index(needle)].count("\n") + 1


def load_fdx(document: str) -> Script:
    return parse_fdx(document.encode("utf-8"), source="test.fdx")


def write(folder: Path, name: str, data: bytes | str) -> Path:
    path = folder / name
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


# -- files that are not screenplays -------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"   ", b"\n\n\r\n\t \n"], ids=["empty", "spaces", "lines"])
def test_empty_and_blank_files_are_refused(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path, "nothing.fountain", data)
    with pytest.raises(ScriptError, match="file is empty") as caught:
        load(path)
    assert caught.value.source == str(path)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.fountain"
    with pytest.raises(ScriptError) as caught:
        load(path)
    assert str(caught.value) == f"{path}: no such file"


def test_directory_is_not_a_screenplay(tmp_path: Path) -> None:
    folder = tmp_path / "drafts.fountain"
    folder.mkdir()
    with pytest.raises(ScriptError, match="not a regular file"):
        load(folder)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_named_pipe_is_refused_without_blocking(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.fountain"
    os.mkfifo(pipe)  # opening it would wait for a writer forever
    with pytest.raises(ScriptError, match="not a regular file"):
        load(pipe)


def test_errors_are_input_errors_and_value_errors(tmp_path: Path) -> None:
    with pytest.raises(ScriptError) as caught:
        load(tmp_path / "nope.fdx")
    assert isinstance(caught.value, InputError)
    assert isinstance(caught.value, ValueError)


def test_binary_file_names_the_offset_and_line(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00"
    path = write(tmp_path, "still.fountain", png)
    with pytest.raises(ScriptError) as caught:
        load(path)
    error = caught.value
    assert "binary data" in error.message
    assert "NUL byte at offset 8" in error.message
    assert error.line == 3  # the PNG signature holds two line feeds before its first NUL
    assert str(error).startswith(f"{path}:3: ")


def test_decode_text_finds_a_nul_on_its_line() -> None:
    with pytest.raises(ScriptError, match="offset 7") as caught:
        decode_text(b"one\ntwo\x00", source="x.fountain")
    assert caught.value.line == 2


def test_latin1_text_names_the_byte_and_line(tmp_path: Path) -> None:
    data = "Title: Rust\n\nINT. Café - DAY\n".encode("latin-1")
    path = write(tmp_path, "latin.fountain", data)
    with pytest.raises(ScriptError) as caught:
        load(path)
    error = caught.value
    assert error.line == 3
    assert "0xE9" in error.message
    assert "column 9" in error.message
    assert "UTF-8" in error.message
    assert str(error).startswith(f"{path}:3: not UTF-8")


def test_utf8_with_bom_and_crlf_reads_like_plain_utf8(tmp_path: Path) -> None:
    plain = load(write(tmp_path, "plain.fountain", FOUNTAIN))
    windows = write(tmp_path, "windows.fountain",
                    b"\xef\xbb\xbf" + FOUNTAIN.replace("\n", "\r\n").encode("utf-8"))
    assert load(windows).to_dict() == plain.to_dict()
    assert plain.title_page == {"title": "Dry Dock"}
    assert [(e.type, e.line) for e in plain.elements][:2] == [
        (T.SCENE_HEADING, 3), (T.ACTION, 5)]
    assert not decode_text(windows.read_bytes()).startswith("\ufeff")


# -- the size limit is checked before anything is read ------------------------------------


def test_file_over_the_limit_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "big.fountain", b"A" * 101)
    with pytest.raises(ScriptError, match="101 bytes; the limit for a screenplay is 100 bytes"):
        read_bytes(path, limit=100)
    assert read_bytes(write(tmp_path, "fits.fountain", b"A" * 100), limit=100) == b"A" * 100


def test_huge_sparse_file_is_refused_without_reading_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "disk-image.fountain"
    with path.open("wb") as f:
        f.truncate(200 * 1024 * 1024)  # 200 MB on paper, no blocks on disk

    def no_reading(*args: object, **kwargs: object) -> None:
        raise AssertionError("the file was opened")

    monkeypatch.setattr(Path, "open", no_reading)
    started = time.perf_counter()
    with pytest.raises(ScriptError) as caught:
        load(path)
    assert time.perf_counter() - started < 1.0
    assert f"limit for a screenplay is {MAX_SCRIPT_BYTES:,} bytes" in caught.value.message
    assert "209,715,200 bytes" in caught.value.message


# -- picking the reader --------------------------------------------------------------------

SMALL_FDX = fdx(para("Scene Heading", "INT. HOLD - DAY", Number="1")
                + para("Action", "Crates everywhere."))


@pytest.mark.parametrize(("name", "data", "expected"), [
    ("a.fdx", b"anything", True),
    ("A.FDX", b"anything", True),
    ("a.txt", b'<?xml version="1.0"?>\n<FinalDraft/>', True),
    ("a.fountain", b"\xef\xbb\xbf\r\n  <?xml version='1.0'?><FinalDraft/>", True),
    ("a.txt", b"<FinalDraft Version='5'/>", True),
    ("a.fountain", FOUNTAIN.encode(), False),
    ("a.txt", b"INT. HOLD - DAY\n\n<?xml is not at the start\n", False),
])
def test_looks_like_fdx(name: str, data: bytes, expected: bool) -> None:
    assert looks_like_fdx(Path(name), data) is expected


def test_fdx_in_a_txt_file_is_read_as_fdx(tmp_path: Path) -> None:
    script = load(write(tmp_path, "export.txt", SMALL_FDX))
    assert [(e.type, e.text, e.scene_number) for e in script.elements] == [
        (T.SCENE_HEADING, "INT. HOLD - DAY", "1"), (T.ACTION, "Crates everywhere.", None)]
    assert script.source == str(tmp_path / "export.txt")


def test_fountain_in_a_txt_file_is_read_as_fountain(tmp_path: Path) -> None:
    script = load(write(tmp_path, "draft.txt", FOUNTAIN))
    assert script.elements[0] == Element(T.SCENE_HEADING, "INT. ENGINE ROOM - NIGHT", 3,
                                         scene_number="3")


def test_fdx_declaring_another_encoding_is_decoded_by_its_declaration(tmp_path: Path) -> None:
    document = fdx(para("Action", "Café au lait.")).replace('"UTF-8"', '"ISO-8859-1"')
    script = load(write(tmp_path, "old.fdx", document.encode("latin-1")))
    assert script.elements[0].text == "Café au lait."


def test_fdx_with_bytes_that_do_not_match_its_encoding(tmp_path: Path) -> None:
    document = fdx(para("Action", "Café au lait."))
    with pytest.raises(ScriptError, match="malformed FDX XML") as caught:
        load(write(tmp_path, "mixed.fdx", document.encode("latin-1")))
    assert caught.value.line == line_of(document, "Café")


# -- broken and hostile XML ----------------------------------------------------------------


def test_truncated_fdx_names_a_line(tmp_path: Path) -> None:
    whole = fdx("".join(para("Action", f"Beat number {n}.") for n in range(20)))
    path = write(tmp_path, "cut.fdx", whole[: len(whole) // 2])
    with pytest.raises(ScriptError) as caught:
        load(path)
    error = caught.value
    assert "malformed FDX XML" in error.message
    assert error.line is not None
    assert 1 <= error.line <= whole[: len(whole) // 2].count("\n") + 1
    assert str(error).startswith(f"{path}:{error.line}: ")


def test_mismatched_tags(tmp_path: Path) -> None:
    document = fdx('    <Paragraph Type="Action"><Text>Oops</Paragraph></Text>\n')
    with pytest.raises(ScriptError, match="mismatched tag") as caught:
        load(write(tmp_path, "bad.fdx", document))
    assert caught.value.line == line_of(document, "Oops")


def test_xml_declaration_alone(tmp_path: Path) -> None:
    with pytest.raises(ScriptError, match="malformed FDX XML"):
        load(write(tmp_path, "stub.fdx", '<?xml version="1.0"?>\n'))


BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE FinalDraft [\n  <!ENTITY l0 "lol">\n'
    + "".join(f'  <!ENTITY l{n} "{f"&l{n - 1};" * 10}">\n' for n in range(1, 10))
    + ']>\n<FinalDraft><Content><Paragraph Type="Action"><Text>&l9;</Text>'
    "</Paragraph></Content></FinalDraft>\n"
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?>\n'
    '<!DOCTYPE FinalDraft [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    '<FinalDraft><Content><Paragraph Type="Action"><Text>&xxe;</Text></Paragraph>'
    "</Content></FinalDraft>\n"
)
PARAMETER_ENTITY = (
    '<?xml version="1.0"?>\n'
    '<!DOCTYPE FinalDraft [<!ENTITY % ext SYSTEM "file:///etc/passwd"> %ext;]>\n'
    "<FinalDraft><Content/></FinalDraft>\n"
)
EXTERNAL_DTD = (
    '<?xml version="1.0"?>\n'
    '<!DOCTYPE FinalDraft SYSTEM "http://example.invalid/finaldraft.dtd">\n'
    '<FinalDraft><Content><Paragraph Type="Action"><Text>Hi.</Text></Paragraph>'
    "</Content></FinalDraft>\n"
)


@pytest.mark.parametrize(("document", "says"), [
    (BILLION_LAUGHS, "entity declarations are not allowed"),
    (EXTERNAL_ENTITY, "entity declarations are not allowed"),
    (PARAMETER_ENTITY, "entity declarations are not allowed"),
    (EXTERNAL_DTD, "external references are not allowed"),
], ids=["billion-laughs", "external-entity", "parameter-entity", "external-dtd"])
def test_hostile_xml_is_refused_not_expanded(tmp_path: Path, document: str, says: str) -> None:
    path = write(tmp_path, "hostile.fdx", document)
    started = time.perf_counter()
    with pytest.raises(ScriptError) as caught:
        load(path)
    assert time.perf_counter() - started < 1.0
    message = str(caught.value)
    assert message == f"{path}: refused unsafe XML ({says})"
    assert "root:" not in message and "lollol" not in message


def test_other_xml_is_not_final_draft(tmp_path: Path) -> None:
    document = '<?xml version="1.0"?>\n<html><body>Hello</body></html>\n'
    with pytest.raises(ScriptError) as caught:
        load(write(tmp_path, "page.fdx", document))
    assert str(caught.value) == (
        f"{tmp_path / 'page.fdx'}:2: expected a <FinalDraft> document, found <html>")


# -- what a Final Draft file becomes --------------------------------------------------------

BODY = (
    para("Scene Heading", "INT. LIGHTHOUSE - LAMP ROOM - NIGHT", Number="12A")
    + para("Action", "The great lens turns.")
    + para("Character", "ODA (V.O.)")
    + para("Parenthetical", "(softly)")
    + para("Dialogue", "Keep it burning.")
    + para("Dialogue", "Whatever happens.")
    + para("Transition", "CUT TO:")
    + para("Shot", "CLOSE ON THE LENS")
    + para("General", "A moth, circling.")
    + para("Action", "THE END", Alignment="Center")
    + "    <Paragraph>\n      <DualDialogue>\n"
    + para("Character", "ODA").replace("    <P", "        <P")
    + para("Dialogue", "Left!").replace("    <P", "        <P")
    + para("Character", "PIM (CONT'D)").replace("    <P", "        <P")
    + para("Dialogue", "Right!").replace("    <P", "        <P")
    + "      </DualDialogue>\n    </Paragraph>\n"
)
DOCUMENT = fdx(BODY)


def test_paragraph_types_become_elements() -> None:
    script = load_fdx(DOCUMENT)
    assert [(e.type, e.text) for e in script.elements] == [
        (T.SCENE_HEADING, "INT. LIGHTHOUSE - LAMP ROOM - NIGHT"),
        (T.ACTION, "The great lens turns."),
        (T.CHARACTER, "ODA (V.O.)"),
        (T.PARENTHETICAL, "(softly)"),
        (T.DIALOGUE, "Keep it burning.\nWhatever happens."),  # two paragraphs, one speech
        (T.TRANSITION, "CUT TO:"),
        (T.SCENE_HEADING, "CLOSE ON THE LENS"),
        (T.ACTION, "A moth, circling."),
        (T.CENTERED, "THE END"),
        (T.CHARACTER, "ODA"),
        (T.DIALOGUE, "Left!"),
        (T.CHARACTER, "PIM (CONT'D)"),
        (T.DIALOGUE, "Right!"),
    ]
    assert script.title_page == {}
    assert script.source == "test.fdx"


def test_lines_are_those_of_the_paragraphs() -> None:
    elements = load_fdx(DOCUMENT).elements
    assert elements[0].line == line_of(DOCUMENT, "INT. LIGHTHOUSE")
    assert elements[4].line == line_of(DOCUMENT, "Keep it burning")  # where the speech starts
    assert elements[-1].line == line_of(DOCUMENT, "Right!")


def test_scene_numbers_come_from_scene_headings_only() -> None:
    headings = [e for e in load_fdx(DOCUMENT).elements if e.type is T.SCENE_HEADING]
    assert [(h.text, h.scene_number) for h in headings] == [
        ("INT. LIGHTHOUSE - LAMP ROOM - NIGHT", "12A"), ("CLOSE ON THE LENS", None)]
    bare = load_fdx(fdx(para("Scene Heading", "EXT. PIER - DAY", Number="")))
    assert bare.elements[0].scene_number is None


def test_character_cues_are_split_and_dual_marked() -> None:
    cues = [e for e in load_fdx(DOCUMENT).elements if e.type is T.CHARACTER]
    assert [(c.name, c.extension, c.dual) for c in cues] == [
        ("ODA", "V.O.", False), ("ODA", None, True), ("PIM", "CONT'D", True)]


def test_styled_runs_become_emphasis_spans() -> None:
    body = ('    <Paragraph Type="Action"><Text>The door is </Text>'
            '<Text Style="Bold+Underline">LOCKED</Text><Text>. Then </Text>'
            '<Text Style="Italic">it isn\'t</Text><Text>.</Text></Paragraph>\n')
    (action,) = load_fdx(fdx(body)).elements
    assert action.text == "The door is LOCKED. Then it isn't."
    assert sorted((e.style, action.text[e.start:e.end]) for e in action.emphasis) == [
        ("bold", "LOCKED"), ("italic", "it isn't"), ("underline", "LOCKED")]


def test_emphasis_shifts_when_dialogue_paragraphs_merge() -> None:
    body = (para("Character", "KIT") + para("Dialogue", "Not")
            + '    <Paragraph Type="Dialogue"><Text Style="Italic">now</Text>'
              "<Text> &amp; never.</Text></Paragraph>\n")
    speech = load_fdx(fdx(body)).elements[1]
    assert speech.text == "Not\nnow & never."
    assert speech.emphasis == (Emphasis(4, 7, "italic"),)


def test_blank_and_container_paragraphs_are_skipped() -> None:
    body = para("Action", "   ") + "    <Paragraph/>\n" + para("Action", "Something.")
    assert [e.text for e in load_fdx(fdx(body)).elements] == ["Something."]


def test_unknown_paragraph_types_read_as_action() -> None:
    (element,) = load_fdx(fdx(para("Lyric Sheet", "La la la."))).elements
    assert element.type is T.ACTION


def test_title_page_parts_are_named() -> None:
    title_page = (
        para(None, "THE KEEPER", Alignment="Center")
        + para(None, "", Alignment="Center")
        + para(None, "Written by", Alignment="Center")
        + para(None, "Ada Lumen", Alignment="Center")
        + para(None, "Second draft 3/4/2025", Alignment="Right")
        + para(None, "ada@example.org", Alignment="Left")
    )
    script = load_fdx(fdx(para("Action", "Fog."), title_page))
    assert script.title_page == {
        "title": "THE KEEPER",
        "credit": "Written by",
        "author": "Ada Lumen",
        "draft date": "Second draft 3/4/2025",
        "contact": "ada@example.org",
    }
    assert [e.text for e in script.elements] == ["Fog."]  # title page text stays out
