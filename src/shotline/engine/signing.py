"""Content credentials on everything a run exports that people will look at: each board
(previs: algorithmic media), each take (a generative model: trained algorithmic media,
with the previs frame and the prompt as ingredients) and the animatic (a composite of
the takes it uses). Signed with the project's own key, made on first use."""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from typing import Any

import orjson

from shotline.engine.credential_steps import SIGN, register_identity
from shotline.engine.executors import ThreadExecutor
from shotline.engine.generation import generative
from shotline.engine.runner import Engine
from shotline.engine.steps import Task
from shotline.governance.signing import ensure_identity
from shotline.review.takes import selections, take_file, take_outputs, takes_of
from shotline.store.project import Project

RENDERER = "Shotline previs renderer"


def sign_exports(project: Project, engine: Engine, files: Mapping[str, str],
                 shown: Collection[str] = ()) -> dict[str, str]:
    """Export name -> the signed object, for the boards, takes and animatic in files;
    `shown` are the pictures the animatic shows (its ingredients are the takes among
    them)."""
    identity = ensure_identity(project.state, project.settings.name)
    # The signer (not the key, not where it lives) is what keys a signature.
    base: dict[str, Any] = {"signer": register_identity(identity)}
    title = project.settings.name
    names: list[str] = []
    tasks: list[Task] = []
    for name, digest in sorted(files.items()):
        if name.startswith("boards/") and name.endswith(".png"):
            shot = name[len("boards/"):-4]
            names.append(name)
            tasks.append(Task(SIGN, f"board {shot}", {"asset": digest}, base | {
                "kind": "previs", "title": f"{title}: board {shot}", "media_type": "image/png",
                "provider": "shotline", "model": RENDERER}))
    takes = [t for t in takes_of(project)
             if take_file(t.shot_id, t.number) in files]
    outputs = take_outputs(project, takes)
    for take in takes:
        name = take_file(take.shot_id, take.number)
        made = outputs.get(take.cache_key, {})
        record = orjson.loads(project.objects.get(made["take.json"])) if "take.json" in made \
            else {}
        inputs = {"asset": files[name]}
        ingredients = []
        if "frame.png" in made:
            inputs["frame"] = made["frame.png"]
            ingredients.append({"input": "frame", "title": f"previs frame {take.shot_id}",
                                "media_type": "image/png"})
        names.append(name)
        tasks.append(Task(SIGN, f"shot {take.shot_id} take {take.number}", inputs, base | {
            "kind": "generated" if generative(project, take.provider) else "previs",
            "title": f"{title}: shot {take.shot_id} take {take.number}",
            "media_type": "image/png", "provider": take.provider, "model": take.model,
            "seed": take.seed, "prompt": record.get("prompt"), "ingredients": ingredients}))
    if "animatic.mp4" in files:
        used = [t for t in selections(project).values() if t.asset_hash in shown]
        inputs = {"asset": files["animatic.mp4"]}
        ingredients = []
        for take in used:
            key = f"take:{take.shot_id}:{take.number}"
            inputs[key] = take.asset_hash
            ingredients.append({"input": key, "media_type": "image/png",
                                "title": f"shot {take.shot_id} take {take.number} "
                                         f"({take.provider}:{take.model})"})
        names.append("animatic.mp4")
        tasks.append(Task(SIGN, "animatic", inputs, base | {
            "kind": "composite", "title": f"{title}: animatic", "media_type": "video/mp4",
            "provider": "shotline", "model": "animatic", "ingredients": ingredients}))
    # Signing stays in this process: the key never travels to workers (a Ray cluster's
    # machines do not have it, and should not).
    signed = engine.run(tasks, "credentials", ThreadExecutor(os.cpu_count() or 1))
    return {name: out["signed"] for name, out in zip(names, signed, strict=True)}
