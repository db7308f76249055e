"""Takes through providers within a run: `shotline run --provider NAME --takes N` makes
N takes of each shot with each provider (as dailies, side by side), and the selected
takes replace the boards in the animatic and the exports."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import select

from shotline.engine.executors import ThreadExecutor
from shotline.engine.generation_steps import (
    DAILIES,
    GENERATE,
    OpenProvider,
    providers_open,
    seed_for,
)
from shotline.engine.keys import canonical_json
from shotline.engine.runner import Engine, Outputs
from shotline.engine.steps import Task
from shotline.errors import InputError
from shotline.governance import audit
from shotline.governance.consent import (
    PerformerFacts,
    QuarantineChange,
    likeness_uses,
    quarantine,
    require_consent,
)
from shotline.governance.spend import Ledger
from shotline.model.appearance import Appearance
from shotline.model.shots import ScenePlan, Shot
from shotline.providers.protocols import ImageProvider, ProviderError
from shotline.providers.registry import entry_point_distributions
from shotline.providers.routing import Route, connect, resolve
from shotline.providers.types import IMAGE, IMAGE_EDIT, IMAGE_REFERENCE
from shotline.render.prompts import NEGATIVE, shot_prompt
from shotline.review.takes import (
    NewTake,
    likeness_dependencies,
    record_takes,
    selections,
    take_file,
    take_outputs,
    takes_of,
)
from shotline.store import characters as bible
from shotline.store.project import Project, now
from shotline.store.schema import CharacterRecord, Performer, TakeRecord

MAX_TAKES = 20


@dataclass(frozen=True)
class GenerationRequest:
    providers: tuple[str, ...]  # PROVIDER[:MODEL], each makes `takes` takes per shot
    takes: int = 1
    shots: tuple[str, ...] = ()  # only these shots (or scenes, "12"); empty: every shot
    workers: int = 4  # provider calls in flight at once


@dataclass
class Made:
    """What a run's generation did: the takes (new and known) and what they cost."""

    takes: list[dict[str, Any]] = field(default_factory=list)
    cost_usd: float = 0.0


def open_route(project: Project, ref: str) -> Route:
    """Image-to-image where the model can (the previs frame guides it), else text to
    image; the policy is checked before anything connects."""
    return resolve(project.settings, ref, (IMAGE_EDIT, IMAGE))


def _wanted(shot: Shot, only: tuple[str, ...]) -> bool:
    return not only or any(o.upper() in (shot.id, shot.scene) for o in only)


def _references(project: Project, names: Sequence[str]) -> dict[str, str]:
    refs: dict[str, str] = {}
    for name in names:
        key = bible.normalise_name(name)  # an override may write "Mara" for MARA
        for k, (digest, _label, _media) in enumerate(bible.references(project, key)):
            refs[f"ref:{key}:{k:02d}"] = digest
    return refs


def generate_takes(project: Project, engine: Engine, run_id: int, request: GenerationRequest,
                   plans: Mapping[str, str], staged: Mapping[str, Outputs],
                   headings: Mapping[str, str], looks: Mapping[str, Appearance]) -> Made:
    if not 1 <= request.takes <= MAX_TAKES:
        raise InputError(f"--takes must be between 1 and {MAX_TAKES}, got {request.takes}")
    routes = [open_route(project, ref) for ref in request.providers]
    settings = project.settings
    words: dict[str, str] = {}
    tasks: list[Task] = []
    shots: list[Shot] = []
    likeness: list[tuple[tuple[str, str, int], ...]] = []
    cast = _performers(project)
    # What else makes a take what it is: the endpoint and the provider's options (a
    # checkpoint, a quality); secrets are not options and never enter a parameter.
    setups = {route.ref: hashlib.sha256(canonical_json(
        {"endpoint": route.config.endpoint, "options": route.config.options})).hexdigest()[:16]
        for route in routes}
    for number, digest in plans.items():
        plan = ScenePlan.from_dict(orjson.loads(project.objects.get(digest)))
        for shot in plan.shots:
            stage = staged[number].get(f"stage:{shot.id}")
            if stage is None or not _wanted(shot, request.shots):
                continue
            for name in shot.subjects:
                if name not in words:
                    words[name] = bible.prompt_description(project, name)
            prompt = shot_prompt(shot, headings.get(number, ""), words)
            refs = _references(project, shot.subjects)
            appearances = {c: looks[c].to_dict() for c in shot.subjects if c in looks}
            # References per character, as the bible (and the gate) names them.
            ref_count: dict[str, int] = {}
            for key in refs:
                who = key.split(":")[1]
                ref_count[who] = ref_count.get(who, 0) + 1
            for route in routes:
                # The consent gate: a likeness without valid consent stops the run here,
                # before anything is sent anywhere. Every performer is looked for in the
                # prompt, cast or not; references count for the character they show.
                takes_refs = IMAGE_REFERENCE in route.model.capabilities
                uses = likeness_uses(prompt, list(cast), cast,
                                     {c: ref_count.get(c, 0) if takes_refs else 0
                                      for c in cast})
                deps = tuple((d.performer, d.use, d.consent_id)
                             for d in require_consent(project, uses, now()))
                for k in range(1, request.takes + 1):
                    shots.append(shot)
                    likeness.append(deps)
                    tasks.append(Task(
                        GENERATE, f"shot {shot.id} {route.ref} #{k}",
                        {"stage": stage, **refs},
                        {"route": route.ref, "shot": shot.id, "take": k, "prompt": prompt,
                         "negative": NEGATIVE, "width": settings.width,
                         "height": settings.height, "appearances": appearances,
                         "setup": setups[route.ref]},
                        seed=seed_for(shot.id, route.ref, k), provider=route.name,
                        model=route.model.name))
    if request.shots and not tasks:
        raise InputError(f"no shot matches {', '.join(request.shots)}")
    ledger = Ledger(project.sessions, settings.policy.budget_usd, run_id,
                    anchor=lambda: audit.anchor(project))
    opened: dict[str, OpenProvider] = {}
    for route in routes:
        try:
            provider = connect(route)
        except ProviderError as exc:  # no credentials, a missing extra: the user's to fix
            raise InputError(str(exc)) from None
        if not hasattr(provider, "generate"):
            raise InputError(f"{route.ref} does not make images")
        opened[route.ref] = OpenProvider(route, _image(provider), ledger)
    try:
        with providers_open(opened):
            outputs = engine.run(tasks, "generate", ThreadExecutor(request.workers))
    except BaseException:
        # A refusal or an error part-way: the takes already paid for are kept as takes.
        done = engine.cached(tasks)
        record_takes(project, [_new_take(project, t, s, done[t.key], d)
                               for t, s, d in zip(tasks, shots, likeness, strict=True)
                               if t.key in done], run_id)
        raise
    made = [_new_take(project, task, shot, out, deps)
            for task, shot, out, deps in zip(tasks, shots, outputs, likeness, strict=True)]
    result = Made()
    for take, (take_number, new) in zip(made, record_takes(project, made, run_id),
                                        strict=True):
        result.takes.append({"shot": take.shot_id, "take": take_number,
                             "provider": take.provider, "model": take.model,
                             "seed": take.seed, "cost_usd": take.cost_usd,
                             "asset": take.asset_hash, "new": new})
    # What the run paid: the calls it made, as the ledger charged them.
    result.cost_usd = round(sum(r.cost_usd or 0.0 for r in ledger.records()
                                if r.run_id == run_id and r.status == "charged"), 6)
    return result


def _image(provider: object) -> ImageProvider:
    assert isinstance(provider, ImageProvider)
    return provider


def _new_take(project: Project, task: Task, shot: Shot, out: Outputs,
              likeness: tuple[tuple[str, str, int], ...]) -> NewTake:
    record = orjson.loads(project.objects.get(out["take.json"]))
    seed = record.get("seed")
    return NewTake(shot.id, task.key, out["take.png"], str(task.provider), str(task.model),
                   int(seed) if seed is not None else None,
                   float(record.get("cost_usd") or 0.0), task.inputs["stage"], likeness)


def _performers(project: Project) -> dict[str, PerformerFacts]:
    """Character -> the performer who plays them, as the consent rules see them; a
    performer who plays no character is listed under their own name, so that naming
    them in a prompt (a cameo, "looks like ...") still needs their consent."""
    with project.sessions() as s:
        rows = {p.id: p for p in s.scalars(select(Performer))}
        facts = {pid: PerformerFacts(p.name, p.deceased, p.minor, tuple(p.aliases or ()))
                 for pid, p in rows.items()}
        found: dict[str, PerformerFacts] = {}
        for character in s.scalars(select(CharacterRecord)
                                   .where(CharacterRecord.performer_id.is_not(None))):
            if character.performer_id in facts:
                found[character.name] = facts[character.performer_id]
        cast = {f.name for f in found.values()}
        for performer in facts.values():
            if performer.name not in cast:
                found[f"(performer) {performer.name}"] = performer
    return found


@dataclass(frozen=True)
class Pictures:
    """What the cut shows for each shot: the board, or the selected take."""

    asset: dict[str, str]  # shot -> image object
    source: dict[str, dict[str, Any]]  # shot -> timeline clip source fields
    files: dict[str, str]  # export name -> object, for the takes
    warnings: list[str]


def generative(project: Project, provider: str) -> bool:
    """Whether a provider's pictures come from a trained model. Shotline's own built-ins
    draw by rule (the previs sketch), so their takes are algorithmic; anything else,
    whatever it says of itself, is labelled AI-generated."""
    table = project.settings.providers.get(provider, {})
    plugin_name = table.get("plugin", provider) if isinstance(table, dict) else provider
    return str(plugin_name) not in _builtin_names()


@lru_cache(maxsize=1)
def _builtin_names() -> frozenset[str]:
    return frozenset(name for name, dist in entry_point_distributions().items()
                     if dist == "shotline" and name in ("previs", "espeak", "hashing"))


BUNDLES = ("editorial/timeline.otioz",)  # made on request, with the pictures inside


def withdraw(project: Project, changes: Sequence[QuarantineChange]) -> list[Path]:
    """Take the newly quarantined takes out of exports/ at once, with any bundle that
    may carry them; the run that follows re-cuts the animatic and the timelines."""
    gone: list[Path] = []
    quarantined = [c for c in changes if c.action == "quarantined"]
    names = [take_file(c.shot_id, c.number) for c in quarantined]
    names += list(BUNDLES) if quarantined else []
    for name in names:
        path = project.exports / name
        if path.is_file():
            path.unlink()
            gone.append(path)
    return gone


def consent_review(project: Project) -> list[str]:
    """Takes whose likeness consent was revoked or ran out are quarantined (kept, never
    exported); a new consent lifts it. What changed, as warnings."""
    dependencies = likeness_dependencies(project)
    if not dependencies:  # no take carries a likeness: nothing to look at, every run
        return []
    changes = quarantine(project, now(), dependencies)
    withdraw(project, changes)
    return [f"shot {c.shot_id} take {c.number} {c.action}: {c.reason}" for c in changes
            if c.action != "covered"]


def pictures(project: Project, boards: Mapping[str, Outputs], staged: Mapping[str, Outputs],
             exports_url: str) -> Pictures:
    stage_of = {name.split(":", 1)[1]: digest for outs in staged.values()
                for name, digest in outs.items()}
    asset = {shot: out["image.png"] for shot, out in boards.items()}
    # A board is take 0, as `shotline select` numbers it, drawn by the previs renderer.
    source: dict[str, dict[str, Any]] = {
        shot: {"asset": digest, "url": f"{exports_url}/boards/{shot}.png", "take": 0,
               "provider": "shotline", "model": "previs renderer"}
        for shot, digest in asset.items()}
    files: dict[str, str] = {}
    warnings: list[str] = []
    for take in takes_of(project):
        if take.shot_id in boards and not take.quarantined:
            files[take_file(take.shot_id, take.number)] = take.asset_hash
    for shot, take in sorted(selections(project).items()):
        if shot not in boards:
            continue
        if take.quarantined:
            warnings.append(f"shot {shot}: take {take.number} is quarantined "
                            f"({take.quarantined}); the cut shows the board")
            continue
        if take.basis != stage_of.get(shot):
            warnings.append(f"shot {shot} changed since take {take.number} was made; the "
                            "cut shows the board until a new take is selected")
            continue
        asset[shot] = take.asset_hash
        source[shot] = {"asset": take.asset_hash,
                        "url": f"{exports_url}/{take_file(shot, take.number)}",
                        "take": take.number, "provider": take.provider, "model": take.model,
                        "seed": take.seed, "ai_generated": generative(project, take.provider)}
    return Pictures(asset, source, files, warnings)


def dailies(project: Project, engine: Engine, plans: Mapping[str, str],
            headings: Mapping[str, str]) -> dict[str, str]:
    """The dailies sheet of every shot that has takes; nothing when none has."""
    takes = [t for t in takes_of(project) if not t.quarantined]
    if not takes:
        return {}
    chosen = {shot: t.number for shot, t in selections(project).items()}
    by_shot: dict[str, list[TakeRecord]] = {}
    for take in takes:
        by_shot.setdefault(take.shot_id, []).append(take)
    entries: list[dict[str, Any]] = []
    inputs: dict[str, str] = {}
    made = take_outputs(project, takes)
    for digest in plans.values():
        for shot in ScenePlan.from_dict(orjson.loads(project.objects.get(digest))).shots:
            if shot.id not in by_shot:
                continue
            entries.append({"id": shot.id, "scene": shot.scene, "size": shot.size.value,
                            "lens_mm": shot.lens_mm,
                            "duration": shot.duration, "description": shot.description,
                            "takes": [_daily(t, chosen.get(shot.id)) for t in by_shot[shot.id]]})
            for take in by_shot[shot.id]:
                thumb = made.get(take.cache_key, {}).get("thumb.jpg")
                if thumb is None:
                    raise InputError(f"take {take.number} of shot {take.shot_id} has lost its "
                                     "record")
                inputs[f"thumb:{shot.id}:{take.number}"] = thumb
    if not entries:
        return {}
    scenes = {e["scene"] for e in entries}
    [sheet] = engine.run([Task(DAILIES, "script", inputs, {
        "title": project.settings.name, "shots": entries,
        "headings": {n: h for n, h in headings.items() if n in scenes}})], "dailies")
    return sheet


def _daily(take: TakeRecord, chosen: int | None) -> dict[str, Any]:
    return {"number": take.number, "provider": take.provider, "model": take.model,
            "seed": take.seed, "cost_usd": take.cost_usd, "selected": take.number == chosen}
