"""Provider commands: what is installed and what the project's policy makes of it; the
takes made through providers, their cost, and which one the cut uses."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from shotline.cli.common import JsonFlag, ProjectOption, app, open_project, out, say
from shotline.errors import InputError
from shotline.files import to_json
from shotline.governance.policy import check_terms
from shotline.governance.spend import Ledger
from shotline.providers.registry import discover
from shotline.providers.routing import (
    ANY_MODEL,
    declared_terms,
    endpoint_terms,
    make_config,
    models_of,
    provider_table,
    today,
)
from shotline.review.takes import select_take, selections, takes_of
from shotline.store.project import Project
from shotline.store.settings import Settings


def _settings(project_dir: Path | None) -> tuple[Settings, Project | None]:
    root = project_dir if project_dir is not None else Project.find(Path.cwd())
    if root is None:
        return Settings(name="(no project)", script="-"), None
    project = open_project(root)
    return project.settings, project


def provider_rows(settings: Settings) -> list[dict[str, Any]]:
    """Every installed provider's models, with what the policy says of each."""
    import os

    plugins, broken = discover()
    names = dict.fromkeys(plugins)
    for name, table in settings.providers.items():  # second names for plugins
        if isinstance(table, dict) and isinstance(table.get("plugin"), str):
            names[name] = None
    rows: list[dict[str, Any]] = []
    for name in names:
        table = provider_table(settings, name)
        plugin = plugins.get(str(table.get("plugin", name)))
        if plugin is None:
            rows.append({"provider": name, "error": f"no plugin {table.get('plugin')!r}"})
            continue
        config = make_config(name, plugin, table, os.environ)
        for model in models_of(plugin, config):
            terms = declared_terms(name, endpoint_terms(plugin, config, model.terms), table)
            refused = check_terms(terms, settings.policy, today())
            rows.append({
                "provider": name, "model": model.name, "title": plugin.info.title,
                "where": plugin.info.where, "kinds": model.kinds(),
                "capabilities": sorted(model.capabilities), "cost": model.cost.describe(),
                "terms": terms.to_dict(),
                "allowed": not refused, "refused": [str(v) for v in refused],
                "rules": [v.rule for v in refused],
                "credentials": {env: bool(os.environ.get(env))
                                for env in plugin.info.credentials},
                "endpoint": config.endpoint,
            })
    rows += [{"provider": b.name, "error": b.reason} for b in broken]
    return rows


@app.command()
def providers(project_dir: ProjectOption = None, as_json: JsonFlag = False) -> None:
    """Installed providers and models: capabilities, cost, data-use terms, and whether
    the project's policy allows each (and if not, which rule refuses it)."""
    settings, project = _settings(project_dir)
    if project is not None:
        project.close()
    rows = provider_rows(settings)
    if as_json:
        sys.stdout.write(to_json(rows))
        return
    table = Table(title="providers", show_lines=False)
    for column in ("provider:model", "where", "can do", "cost", "trains/keeps", "policy"):
        table.add_column(column, overflow="fold")
    for row in rows:
        if "error" in row:
            table.add_row(row["provider"], "", "", "", "", f"[red]broken: {row['error']}[/]")
            continue
        terms = row["terms"]
        keeps = ("?" if terms["retention_days"] is None else f"{terms['retention_days']} d")
        trains = {True: "trains", False: "no training", None: "?"}[terms["trains_on_inputs"]]
        verdict = ("[green]allowed[/]" if row["allowed"]
                   else "[red]refused[/]: " + ", ".join(row["rules"]))
        model = "any model" if row["model"] == ANY_MODEL else row["model"]
        table.add_row(f"{row['provider']}:{model}", row["where"], ", ".join(row["kinds"]),
                      row["cost"], f"{trains}, keeps {keeps}", verdict)
    out.print(table)
    if any(not r.get("allowed", True) for r in rows):
        out.print("why a provider is refused: shotline providers --json; a production with "
                  "its own terms declares them in \\[providers.NAME.terms]", style="dim")


TakeArgument = Annotated[int, typer.Argument(help="The take number (0: the previs board).",
                                             show_default=False)]


@app.command("select")
def select_command(
    shot: Annotated[str, typer.Argument(help="The shot id, e.g. 12B.", show_default=False)],
    take: TakeArgument,
    by: Annotated[str | None, typer.Option("--by", help="Who selects (default: the login "
                                                        "name).", show_default=False)] = None,
    project_dir: ProjectOption = None,
) -> None:
    """Choose the take the cut uses for a shot; the next run re-cuts the animatic and
    the exports around it."""
    project = open_project(project_dir)
    try:
        select_take(project, shot, take, by)
    finally:
        project.close()
    what = "the previs board" if take == 0 else f"take {take}"
    say(f"shot {shot.upper()} uses {what}; `shotline run` re-cuts the animatic and exports")


@app.command("takes")
def takes_command(
    shot: Annotated[str | None, typer.Argument(help="Only this shot.",
                                               show_default=False)] = None,
    project_dir: ProjectOption = None,
    as_json: JsonFlag = False,
) -> None:
    """The takes made through providers: provider, model, seed, cost, and the select."""
    project = open_project(project_dir)
    try:
        found = takes_of(project, shot.strip().upper() if shot else None)
        chosen = {s: t.number for s, t in selections(project).items()}
        spent = Ledger(project.sessions, project.settings.policy.budget_usd).spent()
        budget = project.settings.policy.budget_usd
    finally:
        project.close()
    rows = [{"shot": t.shot_id, "take": t.number, "provider": t.provider, "model": t.model,
             "seed": t.seed, "cost_usd": t.cost_usd, "asset": t.asset_hash,
             "selected": chosen.get(t.shot_id) == t.number, "quarantined": t.quarantined,
             "made": t.created_at.isoformat(timespec="seconds")} for t in found]
    if as_json:
        sys.stdout.write(to_json({"takes": rows, "spent_usd": round(spent, 6),
                                  "budget_usd": budget}))
        return
    if shot and not rows:
        raise InputError(f"shot {shot} has no takes yet (shotline run --provider NAME)")
    table = Table(title="takes")
    for column in ("shot", "take", "provider:model", "seed", "cost", "", "made"):
        table.add_column(column)
    for r in rows:
        mark = ("[red]quarantined[/]" if r["quarantined"] else
                "[green]selected[/]" if r["selected"] else "")
        table.add_row(str(r["shot"]), str(r["take"]), f"{r['provider']}:{r['model']}",
                      str(r["seed"]), f"${r['cost_usd']:.4f}", mark, str(r["made"]))
    out.print(table)
    out.print(f"spent ${spent:.4f} of a ${budget:.2f} budget", highlight=False)
