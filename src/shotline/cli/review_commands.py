"""Review commands: approve, reject, lock and unlock shots, by role."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from shotline.cli.common import ProjectOption, app, open_project, say
from shotline.engine.pipeline import current_plan
from shotline.errors import InputError
from shotline.review.decisions import Role, parse_role, record

ShotArgument = Annotated[str, typer.Argument(help="The shot id, e.g. 12B.", show_default=False)]
RoleOption = Annotated[str, typer.Option(
    "--role", "-r", help=f"Your role: {', '.join(r.value for r in Role)}.")]
NoteOption = Annotated[str | None, typer.Option("--note", "-n", help="Why.",
                                                show_default=False)]
TakeOption = Annotated[int | None, typer.Option("--take", help="Which take it is about.",
                                                show_default=False)]
ByOption = Annotated[str | None, typer.Option(
    "--by", help="Who decides (default: the login name).", show_default=False)]


def _decide(kind: str, shot_id: str, role: str, note: str | None, take: int | None,
            by: str | None, project_dir: Path | None) -> None:
    project = open_project(project_dir)
    try:
        plan = current_plan(project)
        if plan is None:
            raise InputError("the project has no shot plan yet: run it first")
        shots: dict[str, dict[str, Any]] = {
            shot["id"]: shot for scene in plan["scenes"] for shot in scene["shots"]}
        wanted = shot_id.strip().upper()
        if wanted not in shots:
            near = ", ".join(sorted(k for k in shots if k[:-1] == wanted[:-1]))[:80]
            raise InputError(f"no shot {shot_id} in the current plan"
                             + (f" (this scene has {near})" if near else ""))
        if take is not None and take < 1:
            raise InputError("--take must be 1 or more")
        decision = record(project, shots[wanted], kind, parse_role(role), note=note, take=take,
                          person=by)
    finally:
        project.close()
    say(f"{kind} {wanted} by {decision.person} as {decision.role}"
        + (f" (take {take})" if take else ""))


@app.command()
def approve(shot: ShotArgument, role: RoleOption = "director", note: NoteOption = None,
            take: TakeOption = None, by: ByOption = None,
            project_dir: ProjectOption = None) -> None:
    """Approve a shot in your role."""
    _decide("approve", shot, role, note, take, by, project_dir)


@app.command()
def reject(shot: ShotArgument, role: RoleOption = "director", note: NoteOption = None,
           take: TakeOption = None, by: ByOption = None,
           project_dir: ProjectOption = None) -> None:
    """Reject a shot in your role (say why with --note)."""
    _decide("reject", shot, role, note, take, by, project_dir)


@app.command()
def lock(shot: ShotArgument, role: RoleOption = "director", note: NoteOption = None,
         take: TakeOption = None, by: ByOption = None,
         project_dir: ProjectOption = None) -> None:
    """Lock a shot: later runs keep it exactly as it is now."""
    _decide("lock", shot, role, note, take, by, project_dir)


@app.command()
def unlock(shot: ShotArgument, role: RoleOption = "director", note: NoteOption = None,
           by: ByOption = None, project_dir: ProjectOption = None) -> None:
    """Unlock a shot: the planner may change it again."""
    _decide("unlock", shot, role, note, None, by, project_dir)
