"""`shotline export` and `shotline conform` as a user runs them: a real process, real
files, exit codes and one-line errors."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import opentimelineio as otio
import pytest

Cli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def project(cli: Cli, fountain_file: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "tide"
    made = cli("run", fountain_file, "-o", folder, "--executor", "inline")
    assert made.returncode == 0, made.stderr
    return folder


@pytest.mark.parametrize(("fmt", "name"), [
    ("otio", "timeline.otio"), ("edl", "timeline.edl"), ("fcp7", "timeline.xml"),
    ("fcpxml", "timeline.fcpxml"), ("aaf", "timeline.aaf")])
def test_export_copies_the_timeline(cli: Cli, project: Path, tmp_path: Path, fmt: str,
                                    name: str) -> None:
    target = tmp_path / f"handoff{Path(name).suffix}"
    done = cli("export", fmt, "-p", project, "-o", target, "--executor", "inline")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(target)
    assert target.read_bytes() == (project / "exports" / "editorial" / name).read_bytes()


def test_export_usd_checks_every_stage(cli: Cli, project: Path, tmp_path: Path) -> None:
    done = cli("export", "usd", "-p", project, "-o", tmp_path / "usd", "-e", "inline")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "usd").iterdir()) == ["scene-1.usda",
                                                                    "scene-2.usda"]


def test_export_otioz_bundles_the_media(cli: Cli, project: Path, tmp_path: Path) -> None:
    done = cli("export", "otioz", "-p", project, "-e", "inline")
    assert done.returncode == 0, done.stderr
    bundle = Path(done.stdout.strip())
    unpacked = tmp_path / "unpacked"
    unpacked.mkdir()
    timeline = otio.adapters.read_from_file(str(bundle), adapter_name="otioz",
                                            extract_to_directory=str(unpacked))
    urls = {c.media_reference.target_url for c in timeline.find_clips()}
    assert urls and all(not u.startswith("file:") for u in urls)  # relative, inside
    assert all((unpacked / u).is_file() for u in urls)


def test_export_csv_writes_the_tracker_files(cli: Cli, project: Path) -> None:
    done = cli("export", "csv", "-p", project, "-e", "inline")
    assert done.returncode == 0, done.stderr
    names = {Path(line).name for line in done.stdout.split()}
    assert {"kitsu-shots.csv", "shotgrid-shots.csv", "kitsu-assets.csv"} <= names


def test_unknown_export_format_is_a_usage_error(cli: Cli, project: Path) -> None:
    done = cli("export", "mov", "-p", project)
    assert done.returncode == 2
    assert "unknown export format 'mov'" in done.stderr


def test_conform_reports_and_applies_the_cut(cli: Cli, project: Path, tmp_path: Path) -> None:
    edl = project / "exports" / "editorial" / "timeline.edl"
    lines = edl.read_text().splitlines()
    events = [k for k, line in enumerate(lines) if line[:3].isdigit()]
    # drop the second event, with its comment lines
    second = slice(events[1], events[2])
    edited = tmp_path / "cut.edl"
    edited.write_text("\n".join(lines[:second.start] + lines[second.stop:]) + "\n")
    dropped = lines[events[1]].split()[1]

    dry = cli("conform", edited, "-p", project, "--dry-run", "-e", "inline")
    assert dry.returncode == 0, dry.stderr
    assert f"removed  {dropped}" in dry.stdout and "dry run: nothing changed" in dry.stdout
    assert not (project / "exports" / "conform-report.json").exists()

    done = cli("conform", edited, "-p", project, "--json", "-e", "inline")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert [r["shot"] for r in report["removed"]] == [dropped]
    saved = json.loads((project / "exports" / "conform-report.json").read_text())
    assert saved == report
    after = (project / "exports" / "editorial" / "timeline.edl").read_text()
    assert len([x for x in after.splitlines() if x[:3].isdigit()]) == len(events) - 1

    reset = cli("conform", "--reset", "-p", project, "-e", "inline")
    assert reset.returncode == 0 and "planner's edit is back" in reset.stdout


@pytest.mark.parametrize(("content", "message"), [
    ("<xmeml><sequence>", "not well-formed XML"),
    ('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xmeml>&e;</xmeml>', "refused"),
])
def test_conform_refuses_bad_xml_in_one_line(cli: Cli, project: Path, tmp_path: Path,
                                             content: str, message: str) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text(content)
    done = cli("conform", bad, "-p", project, "-e", "inline")
    assert done.returncode == 2
    assert message in done.stderr and "bad.xml" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr


def test_conform_needs_a_timeline_or_reset(cli: Cli, project: Path) -> None:
    done = cli("conform", "-p", project)
    assert done.returncode == 2 and "--reset" in done.stderr
    missing = cli("conform", "gone.edl", "-p", project)
    assert missing.returncode == 2 and "gone.edl: no such file" in missing.stderr
