"""Cast and consent commands: `shotline performer ...` and `shotline consent ...`."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from shotline.cli.common import JsonFlag, ProjectOption, app, open_project, out, say
from shotline.engine.generation import withdraw
from shotline.errors import InputError
from shotline.files import to_json
from shotline.governance.consent import (
    GRANTORS,
    REPLICAS,
    USES,
    add_consent,
    add_performer,
    list_consents,
    list_performers,
    quarantine,
    revoke,
)
from shotline.review.takes import likeness_dependencies
from shotline.store.project import now

performer_app = typer.Typer(name="performer", help="The cast: people whose likeness a "
                            "character may carry.", no_args_is_help=True)
consent_app = typer.Typer(name="consent", help="The consent ledger: who agreed to which use "
                          "of their likeness, in writing.", no_args_is_help=True)
app.add_typer(performer_app, name="performer")
app.add_typer(consent_app, name="consent")

NameArgument = Annotated[str, typer.Argument(help="The performer's name.", show_default=False)]


def _date(value: str, option: str) -> datetime:
    """An ISO date (or date and time) as naive UTC, the way the ledger keeps times."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InputError(f"{option} must be a date as YYYY-MM-DD, got {value!r}") from None
    return parsed if parsed.tzinfo is None else parsed.astimezone(UTC).replace(tzinfo=None)


@performer_app.command("add")
def performer_add(
    name: NameArgument,
    alias: Annotated[list[str] | None, typer.Option(
        "--alias", help="Another name the performer goes by (repeat for more).",
        show_default=False)] = None,
    deceased: Annotated[bool | None, typer.Option(
        "--deceased/--living", help="Deceased: consent must then come from the estate "
        "(default: as recorded; living for a new performer).", show_default=False)] = None,
    minor: Annotated[bool | None, typer.Option(
        "--minor/--adult", help="A minor: consent must then come from a guardian "
        "(default: as recorded; adult for a new performer).", show_default=False)] = None,
    project_dir: ProjectOption = None,
) -> None:
    """Add a performer, or change one already in the cast: aliases given replace the
    old ones; flags not given stay as they were."""
    project = open_project(project_dir)
    try:
        known = {p.facts.name for p in list_performers(project)}
        facts = add_performer(project, name, alias, deceased=deceased, minor=minor)
    finally:
        project.close()
    flags = [f for f, on in (("deceased", facts.deceased), ("minor", facts.minor)) if on]
    say(f"{'updated' if facts.name in known else 'added'} performer {facts.name}"
        + (f" ({', '.join(flags)})" if flags else "")
        + (f", also known as {', '.join(facts.aliases)}" if facts.aliases else ""))


@performer_app.command("list")
def performer_list(as_json: JsonFlag = False, project_dir: ProjectOption = None) -> None:
    """The cast, with the characters each performer plays."""
    project = open_project(project_dir)
    try:
        entries = list_performers(project)
    finally:
        project.close()
    if as_json:
        sys.stdout.write(to_json([e.to_dict() for e in entries]))
        return
    if not entries:
        say("no performers yet: add one with `shotline performer add NAME`")
        return
    table = Table(title="Performers", header_style="bold")
    for column in ("name", "aliases", "flags", "plays", "consents"):
        table.add_column(column)
    for e in entries:
        flags = [f for f, on in (("deceased", e.facts.deceased), ("minor", e.facts.minor)) if on]
        table.add_row(escape(e.facts.name), escape(", ".join(e.facts.aliases)),
                      ", ".join(flags), escape(", ".join(e.characters)), str(e.consents))
    out.print(table)


@consent_app.command("add")
def consent_add(
    *,  # keyword-only: the options list in the order a consent form reads
    performer: Annotated[str, typer.Option(
        "--performer", metavar="NAME", show_default=False,
        help="Whose consent: a name or alias from `shotline performer list`.")],
    use: Annotated[list[str], typer.Option(
        "--use", metavar="USE", show_default=False,
        help=f"A use it covers: {', '.join(USES)} (repeat for more).")],
    replica: Annotated[str, typer.Option(
        "--replica", metavar="KIND", show_default=False,
        help=f"The kind of replica: {', '.join(REPLICAS)}.")],
    description: Annotated[str, typer.Option(
        "--description", metavar="TEXT", show_default=False,
        help="The intended use, specifically: what is depicted, and where.")],
    valid_from: Annotated[str, typer.Option(
        "--from", metavar="DATE", show_default=False,
        help="The first day it holds (YYYY-MM-DD, UTC).")],
    valid_until: Annotated[str | None, typer.Option(
        "--until", metavar="DATE", show_default=False,
        help="The day it no longer holds, from 00:00 UTC (default: no end).")] = None,
    granted_by: Annotated[str, typer.Option(
        "--granted-by", metavar="WHO", show_default=False,
        help=f"Who granted it: {', '.join(GRANTORS)}.")],
    grantor: Annotated[str, typer.Option(
        "--grantor", metavar="NAME", show_default=False, help="The name of who signed.")],
    document: Annotated[Path, typer.Option(
        "--document", metavar="FILE", show_default=False,
        help="The signed document; it is kept, and its sha256 recorded.")],
    represented: Annotated[bool, typer.Option(
        "--represented", help="The performer had union or legal representation.")] = False,
    compensation: Annotated[str, typer.Option(
        "--compensation", metavar="REF", show_default=False,
        help="The reference of the agreed compensation.")],
    project_dir: ProjectOption = None,
) -> None:
    """Record a performer's signed consent to specific uses of their likeness."""
    start = _date(valid_from, "--from")
    end = _date(valid_until, "--until") if valid_until is not None else None
    if not document.is_file():
        raise InputError("no such file (the signed consent document)", source=str(document))
    project = open_project(project_dir)
    try:
        entry = add_consent(project, performer, use, replica, description, start, end,
                            granted_by, grantor, document, represented=represented,
                            compensation_ref=compensation)
    finally:
        project.close()
    facts = entry.facts
    until = f" until {facts.valid_until.date()}" if facts.valid_until else ""
    uses = ", ".join(u for u in USES if u in facts.uses)
    say(f"consent {entry.id} for {entry.performer}: {uses} from "
        f"{facts.valid_from.date()}{until} ({entry.status}); document "
        f"{entry.document_hash[:12]}")


@consent_app.command("list")
def consent_list(as_json: JsonFlag = False, project_dir: ProjectOption = None) -> None:
    """Every consent record and where it stands today: valid, expired, revoked, not yet
    valid."""
    project = open_project(project_dir)
    try:
        entries = list_consents(project, now())
    finally:
        project.close()
    if as_json:
        sys.stdout.write(to_json([e.to_dict() for e in entries]))
        return
    if not entries:
        say("no consents yet: record one with `shotline consent add`")
        return
    table = Table(title="Consents", header_style="bold")
    for column in ("id", "performer", "uses", "from", "until", "granted by", "status",
                   "description"):
        table.add_column(column)
    for e in entries:
        f = e.facts
        status = e.status
        if f.revoked_at is not None:  # when and why belong next to the word
            status += f" {f.revoked_at.date()}" + (f": {f.revoke_reason}"
                                                   if f.revoke_reason else "")
        table.add_row(str(e.id), escape(e.performer), ", ".join(u for u in USES if u in f.uses),
                      str(f.valid_from.date()),
                      str(f.valid_until.date()) if f.valid_until else "-",
                      escape(f"{f.granted_by} ({f.grantor_name})"), escape(status),
                      escape(f.description))
    out.print(table)


@consent_app.command("revoke")
def consent_revoke(
    consent_id: Annotated[int, typer.Argument(help="The consent's id (`shotline consent "
                                              "list`).", show_default=False)],
    reason: Annotated[str, typer.Option("--reason", help="Why it is revoked.",
                                        show_default=False)],
    project_dir: ProjectOption = None,
) -> None:
    """Revoke a consent from now on. The takes made under it are quarantined at once:
    kept, but no longer exported or shared (the next run puts the board back in the cut)."""
    project = open_project(project_dir)
    try:
        entry = revoke(project, consent_id, reason, now())
        changes = quarantine(project, now(), likeness_dependencies(project))
        withdrawn = withdraw(project, changes)
    finally:
        project.close()
    say(f"revoked consent {entry.id} for {entry.performer}: {entry.facts.revoke_reason}")
    for change in changes:
        if change.action == "quarantined":
            say(f"shot {change.shot_id} take {change.number} quarantined")
    if withdrawn:
        say(f"took {len(withdrawn)} files out of exports/; `shotline run` re-cuts the "
            "animatic and the timelines without them")
