"""Shared inputs for the command-line tests: tiny screenplays and a real `shotline` process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.console import Console

from shotline.cli import app as cli_app
from shotline.cli import project_commands, review_commands

# The console script installed next to the interpreter (the package has no __main__).
SHOTLINE = Path(sys.executable).parent / "shotline"

FOUNTAIN = """\
Title: Low Tide
Credit: Written by
Author: Wren Ashby
Draft date: 1 May 2025

INT. BOATHOUSE - NIGHT #1#

Water laps at the tin walls. PIP (12) bails with a tin cup.

PIP (V.O.)
(whispering)
It always floods on a Tuesday.

CUT TO:

EXT. SLIPWAY - DAY #2#

GRAN (80) hauls a rowing boat up the ramp. A dog barks.

GRAN
Pull!

PIP ^
I am pulling!
"""

FDX = """\
<?xml version="1.0" encoding="UTF-8" standalone="no" ?>
<FinalDraft DocumentType="Script" Template="No" Version="5">
  <Content>
    <Paragraph Number="7" Type="Scene Heading"><Text>INT. LIGHTHOUSE - NIGHT</Text></Paragraph>
    <Paragraph Type="Action">
      <Text>The lamp turns. </Text><Text Style="Bold+Underline">Nobody</Text><Text> is here.</Text>
    </Paragraph>
    <Paragraph Type="Character"><Text>ODA (V.O.)</Text></Paragraph>
    <Paragraph Type="Parenthetical"><Text>(softly)</Text></Paragraph>
    <Paragraph Type="Dialogue"><Text>The light must not stop.</Text></Paragraph>
    <Paragraph Type="Dialogue"><Text>Not tonight.</Text></Paragraph>
    <Paragraph Type="Transition"><Text>CUT TO:</Text></Paragraph>
    <Paragraph Type="Shot"><Text>CLOSE ON THE LAMP</Text></Paragraph>
    <Paragraph Alignment="Center" Type="Action"><Text>INTERMISSION</Text></Paragraph>
    <Paragraph>
      <DualDialogue>
        <Paragraph Type="Character"><Text>ODA</Text></Paragraph>
        <Paragraph Type="Dialogue"><Text>Left.</Text></Paragraph>
        <Paragraph Type="Character"><Text>PIM</Text></Paragraph>
        <Paragraph Type="Dialogue"><Text>Right.</Text></Paragraph>
      </DualDialogue>
    </Paragraph>
  </Content>
  <TitlePage>
    <Content>
      <Paragraph Alignment="Center"><Text>THE KEEPER</Text></Paragraph>
      <Paragraph Alignment="Center"><Text>Written by</Text></Paragraph>
      <Paragraph Alignment="Center"><Text>Ada Lumen</Text></Paragraph>
    </Content>
  </TitlePage>
</FinalDraft>
"""


@pytest.fixture(autouse=True)
def wide_consoles(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process output must not depend on the terminal pytest runs in.

    The command's consoles take their width from COLUMNS or the terminal when first made;
    fixed-width ones (still writing to whatever sys.stdout/stderr are) keep tests steady.
    Help pages make a console per call, from COLUMNS.
    """
    monkeypatch.setenv("COLUMNS", "200")
    for module in (cli_app, project_commands, review_commands):
        monkeypatch.setattr(module, "out", Console(width=200), raising=False)
        monkeypatch.setattr(module, "err", Console(stderr=True, width=200), raising=False)


@pytest.fixture
def fountain_file(tmp_path: Path) -> Path:
    path = tmp_path / "low-tide.fountain"
    path.write_text(FOUNTAIN, encoding="utf-8")
    return path


@pytest.fixture
def fdx_file(tmp_path: Path) -> Path:
    path = tmp_path / "keeper.fdx"
    path.write_text(FDX, encoding="utf-8")
    return path


@pytest.fixture
def cli(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run `shotline ARGS` in tmp_path, as a script or CI job would (no terminal)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("COLUMNS", "LINES", "SHOTLINE_DEBUG", "FORCE_COLOR")}

    def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
        # No terminal on any standard stream: rich would take its width from one.
        return subprocess.run([str(SHOTLINE), *map(str, args)], cwd=tmp_path, env=env,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=60, check=False)

    return run
