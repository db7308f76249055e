"""Audit log commands: `shotline audit verify` and `shotline audit list`."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from shotline.cli.common import JsonFlag, ProjectOption, app, open_project, out, say
from shotline.errors import InputError
from shotline.files import to_json
from shotline.governance.audit import KINDS, AuditReport, entries, entry_dict, verify

EXIT_TAMPERED = 3  # the chain or its anchor shows an edit, a removal or a reordering

audit_app = typer.Typer(name="audit", help="The audit log: a hash chain of every generation, "
                        "provider call, export, review decision and consent change.",
                        no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def audit_verify(as_json: JsonFlag = False, project_dir: ProjectOption = None) -> None:
    """Check the audit log: each entry's hash, the links between entries, and the anchor.

    Exit codes: 0 intact (warnings, such as a missing anchor, do not fail it), 3 tampered
    (each problem is printed with its entry's seq), 2 no project or no database.
    """
    project = open_project(project_dir)
    try:
        report = verify(project)
    finally:
        project.close()
    if as_json:
        sys.stdout.write(to_json(report.to_dict()))
    else:
        _summary(report)
    if not report.ok:
        raise typer.Exit(EXIT_TAMPERED)


def _summary(report: AuditReport) -> None:
    head = f", head {report.head.seq} {report.head.hash}" if report.head else ""
    noun = "entry" if report.entries == 1 else "entries"
    if report.ok:
        out.print(f"[bold green]INTACT[/] {report.entries} {noun}{head}")
    else:
        count = len(report.problems)
        out.print(f"[bold red]TAMPERED[/] {count} problem{'' if count == 1 else 's'} in "
                  f"{report.entries} {noun}{head}")
    for problem in report.problems:
        where = f"entry {problem.seq}" if problem.seq is not None else "anchor"
        out.print(f"  [red]{where}[/] {escape(problem.kind)}: {escape(problem.detail)}")
    for warning in report.warnings:
        out.print(f"  [yellow]warning[/] {escape(warning)}")


@audit_app.command("list")
def audit_list(
    kind: Annotated[str | None, typer.Option(
        "--kind", metavar="KIND", show_default=False,
        help=f"Only entries of this kind: {', '.join(KINDS)}.")] = None,
    limit: Annotated[int | None, typer.Option(
        "--limit", metavar="N", show_default=False,
        help="Only the last N entries.")] = None,
    as_json: JsonFlag = False,
    project_dir: ProjectOption = None,
) -> None:
    """The log's entries, oldest first (with --json: every field, hashes included)."""
    if kind is not None and kind not in KINDS:
        raise InputError(f"--kind must be one of {', '.join(KINDS)}, got {kind!r}")
    if limit is not None and limit < 1:
        raise InputError("--limit must be 1 or more")
    project = open_project(project_dir)
    try:
        found = entries(project, kind=kind, limit=limit)
    finally:
        project.close()
    if as_json:
        sys.stdout.write(to_json([entry_dict(e) for e in found]))
        return
    if not found:
        say("no audit entries" + (f" of kind {kind}" if kind else ""))
        return
    table = Table(title="Audit log", header_style="bold")
    for column in ("seq", "at (UTC)", "kind", "actor", "subject", "hash"):
        table.add_column(column, justify="right" if column == "seq" else "left")
    for e in found:
        table.add_row(str(e.seq), e.at.isoformat(sep=" ", timespec="seconds"), e.kind,
                      escape(e.actor), escape(e.subject), e.hash[:12])
    out.print(table)
