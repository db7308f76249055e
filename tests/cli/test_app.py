"""The `shotline` command line: help, version, JSON and CSV output, exit codes and messages.

Exit codes and stderr are checked on a real process (`main()` is what turns errors into
exit 2); everything else runs in-process with typer's CliRunner, which is much faster.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from shotline import __version__
from shotline.cli.app import app, main
from shotline.script import load, parse_fountain

Cli = Callable[..., subprocess.CompletedProcess[str]]
runner = CliRunner()

# Nested entities: expanded, this would be 10**9 copies of "ha".
XML_BOMB = """\
<?xml version="1.0"?>
<!DOCTYPE FinalDraft [
  <!ENTITY a "ha">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
  <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
  <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
  <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
  <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
  <!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">
  <!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">
]>
<FinalDraft><Content><Paragraph Type="Action"><Text>&i;</Text></Paragraph></Content></FinalDraft>
"""
PREFIX = "shotline: error: "
BREAKDOWN_CATEGORIES = ("props", "vehicles", "animals", "wardrobe", "special_effects",
                        "visual_effects", "stunts", "extras")


def invoke(*args: str | Path) -> Any:
    result = runner.invoke(app, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def call_main(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
              *args: str | Path) -> tuple[int | str | None, str, str]:
    """`main()` in this process: the same exit codes and messages as the console script."""
    monkeypatch.setattr(sys, "argv", ["shotline", *map(str, args)])
    with pytest.raises(SystemExit) as exit_info:
        main()
    captured = capsys.readouterr()
    return exit_info.value.code, captured.out, captured.err


def flat(text: str) -> str:
    """Whitespace-normalised text: rich folds long messages at the console width."""
    return " ".join(text.split())


def content(elements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Elements without line numbers, which legitimately change between formats."""
    return [{k: v for k, v in e.items() if k != "line"} for e in elements]


# -- version and help ---------------------------------------------------------------------


def test_version(cli: Cli) -> None:
    result = cli("--version")
    assert result.returncode == 0
    assert result.stdout == f"shotline {__version__}\n"
    assert result.stderr == ""


@pytest.mark.parametrize(("command", "mentions"), [
    ((), ("parse", "breakdown", "convert", "run", "--version")),
    (("parse",), ("--json", "--all")),
    (("breakdown",), ("--json", "--csv", "--sheet", "--lexicon")),
    (("convert",), ("--output",)),
    (("run",), ("--output", "--json")),
])
def test_help(command: tuple[str, ...], mentions: tuple[str, ...]) -> None:
    result = invoke(*command, "--help")
    assert result.exit_code == 0
    assert "Usage" in result.stdout
    for word in mentions:
        assert word in result.stdout


# -- parse -------------------------------------------------------------------------------


def test_parse_json_follows_the_documented_schema(fountain_file: Path) -> None:
    result = invoke("parse", fountain_file, "--json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert set(doc) == {"title_page", "elements"}
    assert doc["title_page"] == {"title": "Low Tide", "credit": "Written by",
                                 "author": "Wren Ashby", "draft date": "1 May 2025"}
    assert [(e["type"], e["text"], e["line"]) for e in doc["elements"]] == [
        ("scene_heading", "INT. BOATHOUSE - NIGHT", 6),
        ("action", "Water laps at the tin walls. PIP (12) bails with a tin cup.", 8),
        ("character", "PIP (V.O.)", 10),
        ("parenthetical", "(whispering)", 11),
        ("dialogue", "It always floods on a Tuesday.", 12),
        ("transition", "CUT TO:", 14),
        ("scene_heading", "EXT. SLIPWAY - DAY", 16),
        ("action", "GRAN (80) hauls a rowing boat up the ramp. A dog barks.", 18),
        ("character", "GRAN", 20),
        ("dialogue", "Pull!", 21),
        ("character", "PIP", 23),
        ("dialogue", "I am pulling!", 24),
    ]
    headings = [e for e in doc["elements"] if e["type"] == "scene_heading"]
    assert [h["scene_number"] for h in headings] == ["1", "2"]
    cues = [e for e in doc["elements"] if e["type"] == "character"]
    assert [(c["name"], c["extension"], c["dual"]) for c in cues] == [
        ("PIP", "V.O.", False), ("GRAN", None, True), ("PIP", None, True)]
    # Type-specific fields appear only on their own types; emphasis only when styled.
    for e in doc["elements"]:
        extra = set(e) - {"type", "text", "line"}
        expected = {"scene_heading": {"scene_number"},
                    "character": {"name", "extension", "dual"}}.get(e["type"], set())
        assert extra == expected, e


def test_parse_json_keeps_fdx_emphasis_as_spans(fdx_file: Path) -> None:
    doc = json.loads(invoke("parse", fdx_file, "--json").stdout)
    action = doc["elements"][1]
    assert action["text"] == "The lamp turns. Nobody is here."
    assert {(s["style"], action["text"][s["start"]:s["end"]]) for s in action["emphasis"]} == {
        ("bold", "Nobody"), ("underline", "Nobody")}


def test_parse_without_json_prints_a_table(fountain_file: Path) -> None:
    result = invoke("parse", fountain_file)
    assert result.exit_code == 0
    assert result.stdout.lstrip()[:1] != "{"  # a table for people, not JSON
    for text in ("Title page", "Low Tide", "12 elements", "scene_heading",
                 "INT. BOATHOUSE - NIGHT  #1", "(dual)"):
        assert text in result.stdout


def test_parse_table_is_cut_short_unless_all(tmp_path: Path) -> None:
    path = tmp_path / "long.fountain"
    path.write_text("\n\n".join(f"Beat {n}." for n in range(75)) + "\n", encoding="utf-8")
    assert "15 more (use --all)" in invoke("parse", path).stdout
    shown = invoke("parse", path, "--all").stdout
    assert "more (use --all)" not in shown
    assert "Beat 74." in shown


# -- breakdown ---------------------------------------------------------------------------


def test_breakdown_json(fountain_file: Path) -> None:
    result = invoke("breakdown", fountain_file, "--json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["title"] == "Low Tide"
    assert doc["pages"] == 1
    assert doc["runtime_seconds"] > 0
    assert doc["scene_count"] == len(doc["scenes"]) == 2
    first, second = doc["scenes"]
    for scene in doc["scenes"]:
        for key in ("number", "heading", "int_ext", "location", "time_of_day", "eighths",
                    "characters", "speaking", *BREAKDOWN_CATEGORIES):
            assert key in scene
        for key in BREAKDOWN_CATEGORIES:
            assert isinstance(scene[key], list)
        assert scene["eighths"] >= 1
    assert (first["number"], first["heading"], first["int_ext"], first["location"],
            first["time_of_day"]) == ("1", "INT. BOATHOUSE - NIGHT", "INT", "BOATHOUSE", "NIGHT")
    assert (second["number"], second["int_ext"], second["location"], second["time_of_day"]) == (
        "2", "EXT", "SLIPWAY", "DAY")
    assert first["speaking"] == ["PIP"]
    assert sorted(second["speaking"]) == ["GRAN", "PIP"]
    assert "dog" in second["animals"]
    assert doc["eighths"] >= 1
    assert [(c["name"], c["scenes"]) for c in doc["cast"]] == [
        ("PIP", ["1", "2"]), ("GRAN", ["2"])]
    assert [(loc["name"], loc["int_ext"]) for loc in doc["locations"]] == [
        ("BOATHOUSE", "INT"), ("SLIPWAY", "EXT")]
    assert doc["day_out_of_days"]["scenes"] == ["1", "2"]
    assert {r["name"]: r["marks"] for r in doc["day_out_of_days"]["cast"]} == {
        "PIP": {"1": "S", "2": "S"}, "GRAN": {"2": "S"}}


@pytest.mark.parametrize(("sheet", "first_column", "rows"), [
    ("scenes", "number", 2), ("cast", "id", 2), ("locations", "location", 2), ("dood", "id", 2),
])
def test_breakdown_csv_sheets(fountain_file: Path, sheet: str, first_column: str,
                              rows: int) -> None:
    result = invoke("breakdown", fountain_file, "--csv", "--sheet", sheet)
    assert result.exit_code == 0
    table = list(csv.reader(io.StringIO(result.stdout)))
    header, body = table[0], table[1:]
    assert header[0] == first_column
    assert len(body) == rows
    assert all(len(row) == len(header) for row in body)
    if sheet == "dood":
        assert header == ["id", "name", "1", "2", "total"]
        assert body[0] == ["1", "PIP", "S", "S", "2"]
    if sheet == "scenes":
        assert body[0][header.index("heading")] == "INT. BOATHOUSE - NIGHT"


def test_breakdown_csv_defaults_to_the_scenes_sheet(fountain_file: Path) -> None:
    by_default = invoke("breakdown", fountain_file, "--csv").stdout
    assert by_default == invoke("breakdown", fountain_file, "--csv", "--sheet", "scenes").stdout


def test_breakdown_tables_for_people(fountain_file: Path) -> None:
    result = invoke("breakdown", fountain_file)
    assert result.exit_code == 0
    assert "Low Tide: 1 pages" in flat(result.stdout)
    assert "2 scenes" in result.stdout


def test_breakdown_rejects_json_with_csv(monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str],
                                         fountain_file: Path) -> None:
    code, out, err = call_main(monkeypatch, capsys, "breakdown", fountain_file, "--json",
                               "--csv")
    assert (code, out, err) == (2, "", f"{PREFIX}choose one of --json and --csv\n")


def test_breakdown_rejects_an_unknown_sheet(monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str],
                                            fountain_file: Path) -> None:
    code, out, err = call_main(monkeypatch, capsys, "breakdown", fountain_file, "--csv",
                               "--sheet", "props")
    assert (code, out) == (2, "")
    assert flat(err).startswith(f"{PREFIX}unknown sheet 'props'; expected one of scenes,")


# -- bad input: exit 2, one message naming the file, never a traceback --------------------

LATIN1 = "Title: Rust\n\nINT. Café - DAY\n".encode("latin-1")  # é is 0xE9, on line 3
BAD_INPUTS = {
    "missing.fountain": (None, "missing.fountain: no such file"),
    "empty.fountain": (b"", "empty.fountain: file is empty"),
    "blank.fountain": (b" \n\t\r\n\n", "blank.fountain: file is empty"),
    "photo.fountain": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
                       "photo.fountain:3: binary data, not a text screenplay"),
    "latin.fountain": (LATIN1, "latin.fountain:3: not UTF-8: byte 0xE9"),
    "bomb.fdx": (XML_BOMB.encode(), "bomb.fdx: refused unsafe XML"),
    "half.fdx": (b'<?xml version="1.0"?>\n<FinalDraft>\n<Content>\n<Paragraph Type="Act',
                 "half.fdx:4: malformed FDX XML"),
    "folder.fountain": ("dir", "folder.fountain: not a regular file"),
}


def make_input(folder: Path, name: str) -> str:
    data = BAD_INPUTS[name][0]
    if data == "dir":
        (folder / name).mkdir()
    elif isinstance(data, bytes):
        (folder / name).write_bytes(data)
    return name


# Each costs a process start, so the real-process matrix is the cases users meet most.
@pytest.mark.parametrize("name", ["missing.fountain", "empty.fountain", "photo.fountain",
                                  "latin.fountain", "bomb.fdx"])
def test_bad_input_exits_2_with_one_message(cli: Cli, tmp_path: Path, name: str) -> None:
    result = cli("parse", make_input(tmp_path, name), "--json")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"{PREFIX}{name}")
    assert f"{PREFIX}{BAD_INPUTS[name][1]}" in flat(result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    assert flat(result.stderr).count(PREFIX) == 1


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
@pytest.mark.parametrize("command", ["parse", "breakdown", "run"])
def test_bad_input_exits_2_from_every_command(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path,
        name: str, command: str) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = call_main(monkeypatch, capsys, command, make_input(tmp_path, name),
                               "--json")
    assert code == 2
    assert out == ""
    assert flat(err).startswith(f"{PREFIX}{BAD_INPUTS[name][1]}")
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ([] if name == "missing.fountain"
                                                         else [name])


def test_short_error_is_exactly_one_line(cli: Cli) -> None:
    result = cli("breakdown", "gone.fdx")
    assert result.returncode == 2
    assert result.stderr == f"{PREFIX}gone.fdx: no such file\n"


def test_long_error_is_still_one_line(cli: Cli, tmp_path: Path) -> None:
    name = "the-lighthouse-keepers-daughter-second-revised-shooting-draft.fountain"
    (tmp_path / name).write_bytes(b"")
    result = cli("parse", name)
    assert result.returncode == 2
    assert result.stderr == f"{PREFIX}{name}: file is empty\n"


def test_run_error_is_the_only_line_on_stderr(cli: Cli) -> None:
    result = cli("run", "gone.fountain", "-o", "out")
    assert result.returncode == 2
    assert result.stderr == f"{PREFIX}gone.fountain: no such file\n"


def test_bad_option_exits_2(cli: Cli) -> None:
    result = cli("parse", "x.fountain", "--bogus")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "No such option" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("args", [
    ("parse",),  # the file is required
    ("frobnicate", "x.fountain"),
    ("convert", "x.fountain"),  # so is -o
    ("breakdown", "x.fountain", "--sheet"),  # an option without its value
])
def test_usage_errors_exit_2(monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str], args: tuple[str, ...]) -> None:
    code, out, err = call_main(monkeypatch, capsys, *args)
    assert code == 2
    assert out == ""
    assert "Usage" in err or "Error" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(("toml", "says"), [
    (None, "cannot read lexicon"),
    ("props = [\n", "not a valid lexicon TOML file"),
])
def test_bad_lexicon_exits_2(monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str], fountain_file: Path,
                             toml: str | None, says: str) -> None:
    words = fountain_file.with_name("words.toml")
    if toml is not None:
        words.write_text(toml, encoding="utf-8")
    code, out, err = call_main(monkeypatch, capsys, "breakdown", fountain_file,
                               "--lexicon", words)
    assert code == 2
    assert out == ""
    assert flat(err).startswith(f"{PREFIX}{words}: {says}")


def test_internal_error_exits_1_without_traceback(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        fountain_file: Path) -> None:
    def broken(path: object) -> None:
        raise RuntimeError("the parser fell over")

    monkeypatch.delenv("SHOTLINE_DEBUG", raising=False)
    monkeypatch.setattr("shotline.cli.app.load", broken)
    monkeypatch.setattr(sys, "argv", ["shotline", "parse", str(fountain_file)])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    message = flat(captured.err)
    assert message.startswith("shotline: internal error: RuntimeError: the parser fell over")
    assert "SHOTLINE_DEBUG=1" in message
    assert "Traceback" not in captured.err


def test_debug_setting_lets_the_traceback_through(
        monkeypatch: pytest.MonkeyPatch, fountain_file: Path) -> None:
    def broken(path: object) -> None:
        raise RuntimeError("the parser fell over")

    monkeypatch.setenv("SHOTLINE_DEBUG", "1")
    monkeypatch.setattr("shotline.cli.app.load", broken)
    monkeypatch.setattr(sys, "argv", ["shotline", "parse", str(fountain_file)])
    with pytest.raises(RuntimeError, match="fell over"):
        main()


def test_success_through_main_exits_0(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        fountain_file: Path) -> None:
    monkeypatch.setattr(sys, "argv", ["shotline", "parse", str(fountain_file), "--json"])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code in (0, None)
    assert json.loads(capsys.readouterr().out)["title_page"]["title"] == "Low Tide"


# -- convert -----------------------------------------------------------------------------


def test_convert_fdx_to_fountain_round_trips(monkeypatch: pytest.MonkeyPatch, fdx_file: Path,
                                             tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # a short name keeps the note on stderr unfolded
    target = Path("out") / "keeper.fountain"
    result = invoke("convert", fdx_file.name, "-o", target)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == f"wrote {target} (12 elements)\n"
    original = load(fdx_file).to_dict()
    back = parse_fountain(target.read_text(encoding="utf-8")).to_dict()
    assert back["title_page"] == original["title_page"]
    assert content(back["elements"]) == content(original["elements"])
    assert [e["type"] for e in back["elements"]] == [
        "scene_heading", "action", "character", "parenthetical", "dialogue", "transition",
        "scene_heading", "centered", "character", "dialogue", "character", "dialogue"]


def test_convert_fountain_to_fountain_is_stable(fountain_file: Path, tmp_path: Path) -> None:
    target = tmp_path / "again.fountain"
    assert invoke("convert", fountain_file, "--output", target).exit_code == 0
    again = parse_fountain(target.read_text(encoding="utf-8")).to_dict()
    original = load(fountain_file).to_dict()
    assert again["title_page"] == original["title_page"]
    assert content(again["elements"]) == content(original["elements"])


def test_convert_bad_input_leaves_existing_output_alone(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "broken.fdx").write_text('<?xml version="1.0"?>\n<FinalDraft><Content>',
                                         encoding="utf-8")
    (tmp_path / "keep.fountain").write_text("INT. SAFE - DAY\n", encoding="utf-8")
    result = cli("convert", "broken.fdx", "-o", "keep.fountain")
    assert result.returncode == 2
    assert result.stderr.startswith(f"{PREFIX}broken.fdx")
    assert (tmp_path / "keep.fountain").read_text(encoding="utf-8") == "INT. SAFE - DAY\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.fdx", "keep.fountain"]


def test_convert_onto_a_folder_is_bad_usage(cli: Cli, fountain_file: Path,
                                            tmp_path: Path) -> None:
    (tmp_path / "folder").mkdir()
    result = cli("convert", fountain_file.name, "-o", "folder")
    assert result.returncode == 2
    assert result.stderr.startswith(f"{PREFIX}folder")


# -- run ---------------------------------------------------------------------------------


def test_run_json_lists_the_files_it_wrote(fountain_file: Path, tmp_path: Path) -> None:
    folder = tmp_path / "made"
    result = invoke("run", fountain_file, "-o", folder, "--json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["project"] == str(folder)
    exports = folder / "exports"
    assert sorted(Path(p).relative_to(exports) for p in doc["exports"]) == sorted(
        p.relative_to(exports) for p in exports.rglob("*") if p.is_file())
    assert len(doc["exports"]) > 14  # the documents, plus a board and previs per shot
    assert doc["steps_run"] > 0
    again = json.loads(invoke("run", "-o", folder, "--json").stdout)
    assert again["steps_run"] == 0  # nothing changed: no work
