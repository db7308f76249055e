"""The AI-disclosure report: which shots and seconds of the cut are AI-generated, by
which provider and model; whose likeness they use and under which consent; which text
was AI-suggested. Read from what the last run exported (the timeline carries each
clip's take, provider, model and ai_generated flag), so it describes the cut as it
was delivered."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import opentimelineio as otio

from shotline.errors import InputError
from shotline.governance.consent import list_consents
from shotline.review.takes import takes_of
from shotline.store.project import Project, now

_MANIFEST = "exports.json"


@dataclass(frozen=True)
class Disclosure:
    data: dict[str, Any]

    def markdown(self) -> str:
        return _markdown(self.data)


def _manifest(project: Project) -> dict[str, str]:
    try:
        found: dict[str, str] = json.loads((project.state / _MANIFEST).read_text("utf-8"))
    except (FileNotFoundError, ValueError):
        raise InputError("the project has no finished run yet: run it first") from None
    return found


def _json_object(project: Project, manifest: dict[str, str], name: str) -> Any:
    digest = manifest.get(name)
    if not digest or not project.objects.has(digest):
        return None
    return json.loads(project.objects.get(digest))


def _suggested(plan: Any, breakdown: Any) -> list[dict[str, Any]]:
    """Everything in the plan and breakdown a model suggested, with who suggested it."""
    found: list[dict[str, Any]] = []
    for scene in (plan or {}).get("scenes", []):
        for shot in scene.get("shots", []):
            if shot.get("suggested_by"):
                found.append({"where": f"shot {shot['id']}", "text": shot.get("description", ""),
                              "suggested_by": shot["suggested_by"]})
    for scene in (breakdown or {}).get("scenes", []):
        for item in scene.get("suggested", []):
            found.append({"where": f"scene {scene.get('number')} {item.get('category')}",
                          "text": item.get("name", ""), "suggested_by": item.get("suggested_by")})
    return found


def build(project: Project) -> Disclosure:
    manifest = _manifest(project)
    digest = manifest.get("editorial/timeline.otio")
    if not digest or not project.objects.has(digest):
        raise InputError("the last run exported no timeline: run it again")
    timeline = otio.adapters.read_from_string(project.objects.get(digest).decode("utf-8"),
                                              "otio_json")
    fps = float(project.settings.fps)
    takes = {(t.shot_id, t.number): t for t in takes_of(project)}
    consents = {c.id: c for c in list_consents(project, now())}
    shots: list[dict[str, Any]] = []
    clock = 0.0
    for clip in timeline.video_tracks()[0].find_clips():
        meta = dict(clip.metadata.get("shotline", {}))
        seconds = clip.source_range.duration.to_frames() / fps if clip.source_range else 0.0
        entry: dict[str, Any] = {
            "shot": meta.get("shot_id", clip.name), "start": round(clock, 3),
            "seconds": round(seconds, 3), "ai_generated": bool(meta.get("ai_generated")),
            "take": meta.get("take"), "provider": meta.get("provider"),
            "model": meta.get("model"), "seed": meta.get("seed"), "likeness": []}
        take = takes.get((str(entry["shot"]), int(meta.get("take") or 0)))
        if take is not None and take.asset_hash != meta.get("asset"):
            take = None  # the board, which numbers itself take 1
        if take is not None and take.likeness:
            for performer, use, consent_id in take.likeness:
                record = consents.get(int(str(consent_id)))
                entry["likeness"].append({
                    "performer": performer, "use": use, "consent": consent_id,
                    "consent_status": record.status if record else "missing",
                    "consent_description": record.facts.description if record else None})
        shots.append(entry)
        clock += seconds
    total = round(clock, 3)
    generated = [s for s in shots if s["ai_generated"]]
    by_model: dict[str, dict[str, float]] = {}
    for s in generated:
        key = f"{s['provider']}:{s['model']}"
        row = by_model.setdefault(key, {"shots": 0, "seconds": 0.0})
        row["shots"] += 1
        row["seconds"] = round(row["seconds"] + s["seconds"], 3)
    ai_seconds = round(sum(s["seconds"] for s in generated), 3)
    data = {
        "project": project.settings.name, "made": now().isoformat(timespec="seconds") + "Z",
        "cut": {"shots": len(shots), "seconds": total,
                "ai_generated_shots": len(generated), "ai_generated_seconds": ai_seconds,
                "ai_share": round(ai_seconds / total, 4) if total else 0.0},
        "by_model": by_model,
        "shots": shots,
        "likenesses": sorted({(li["performer"], li["use"], li["consent"])
                              for s in shots for li in s["likeness"]}),
        "takes_not_in_cut": sum(1 for t in takes.values() if not any(
            s["shot"] == t.shot_id and s["take"] == t.number for s in shots)),
        "quarantined": [{"shot": t.shot_id, "take": t.number, "why": t.quarantined}
                        for t in takes.values() if t.quarantined],
        "ai_suggested_text": _suggested(_json_object(project, manifest, "plan.json"),
                                        _json_object(project, manifest, "breakdown.json")),
        "previs_note": "Boards and previs frames are drawn by Shotline's own renderer from "
                       "the 3D blocking (algorithmic media), not by a generative model.",
    }
    return Disclosure(data)


def _markdown(d: dict[str, Any]) -> str:
    cut = d["cut"]
    lines = [f"# AI disclosure: {d['project']}", "", f"Made {d['made']} from the last run's cut.",
             "", "## The cut", "",
             f"- {cut['shots']} shots, {cut['seconds']:.1f} s in all.",
             f"- AI-generated: {cut['ai_generated_shots']} shots, "
             f"{cut['ai_generated_seconds']:.1f} s ({cut['ai_share'] * 100:.1f}% of the running "
             "time).", f"- {d['previs_note']}", ""]
    if d["by_model"]:
        lines += ["| provider:model | shots | seconds |", "| --- | --- | --- |"]
        lines += [f"| {k} | {v['shots']} | {v['seconds']:.1f} |" for k, v in d["by_model"].items()]
        lines += ["", "### AI-generated shots", "",
                  "| shot | starts at (s) | seconds | take | provider:model | seed |",
                  "| --- | --- | --- | --- | --- | --- |"]
        lines += [f"| {s['shot']} | {s['start']:.1f} | {s['seconds']:.1f} | {s['take']} | "
                  f"{s['provider']}:{s['model']} | {s['seed']} |"
                  for s in d["shots"] if s["ai_generated"]]
        lines.append("")
    lines += ["## Likenesses", ""]
    uses = [(s["shot"], li) for s in d["shots"] for li in s["likeness"]]
    if uses:
        lines += ["| shot | performer | use | consent | status | scope |",
                  "| --- | --- | --- | --- | --- | --- |"]
        lines += [f"| {shot} | {li['performer']} | {li['use']} | {li['consent']} | "
                  f"{li['consent_status']} | {li['consent_description'] or ''} |"
                  for shot, li in uses]
    else:
        lines.append("No shot in the cut uses a performer's likeness.")
    lines += ["", "## AI-suggested text", ""]
    if d["ai_suggested_text"]:
        lines += [f"- {t['where']}: {t['text']} (suggested by {t['suggested_by']})"
                  for t in d["ai_suggested_text"]]
    else:
        lines.append("None: the breakdown and the shot plan in the cut are the deterministic "
                     "ones.")
    if d["quarantined"]:
        lines += ["", "## Quarantined takes (kept, never exported)", ""]
        lines += [f"- shot {q['shot']} take {q['take']}: {q['why']}" for q in d["quarantined"]]
    lines += ["", f"{d['takes_not_in_cut']} other generated takes exist but are not in the cut.",
              ""]
    return "\n".join(lines)
