"""The generate step: one take of one shot from an image provider. It renders the shot's
clean previs frame, sends it (with depth and pose, and the characters' reference
images) as far as the model can take them, and keeps what comes back fitted to the
project's frame, with a record of what was asked and what it cost.

Provider connections and the budget live in this process, so the step runs on the
engine's threads (`ThreadExecutor`): the pipeline opens the routes it was asked for
with `providers_open` before the batch and closes them after.
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import orjson
from PIL import Image, ImageOps

from shotline.engine.keys import canonical_json
from shotline.engine.steps import Blob, Resources, Step, register
from shotline.model.appearance import Appearance
from shotline.model.stage import Stage
from shotline.providers.metering import Budget, generate
from shotline.providers.protocols import ImageProvider, ProviderError
from shotline.providers.routing import Route
from shotline.providers.types import (
    IMAGE_CONTROL_DEPTH,
    IMAGE_CONTROL_POSE,
    IMAGE_EDIT,
    IMAGE_REFERENCE,
    ImageRequest,
)

PNG = "image/png"


@dataclass(frozen=True)
class OpenProvider:
    route: Route
    provider: ImageProvider
    budget: Budget


_OPEN: dict[str, OpenProvider] = {}
_GUARD = threading.Lock()


@contextmanager
def providers_open(found: Mapping[str, OpenProvider]) -> Iterator[None]:
    """Make the routes callable by the generate step for the length of a batch."""
    with _GUARD:
        _OPEN.update(found)
    try:
        yield
    finally:
        with _GUARD:
            for ref, item in found.items():
                _OPEN.pop(ref, None)
                close = getattr(item.provider, "close", None)
                if callable(close):
                    close()


def _open_provider(ref: str) -> OpenProvider:
    with _GUARD:
        found = _OPEN.get(ref)
    if found is None:
        raise ProviderError(ref, "not open in this process (generation runs on the "
                            "engine's threads, not in worker processes)")
    return found


def seed_for(shot: str, ref: str, take: int) -> int:
    """Take k of a shot from a provider always asks with the same seed, so asking again
    is the same request (cached, never paid twice) and a new take means a new k."""
    digest = hashlib.sha256(f"{shot}\x1f{ref}\x1f{take}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 2_000_000_000


def fit(data: bytes, width: int, height: int) -> tuple[bytes, tuple[int, int]]:
    """The provider's picture cropped and scaled to fill the project's frame."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            size = image.size
            fitted = ImageOps.fit(image.convert("RGB"), (width, height),
                                  Image.Resampling.LANCZOS)
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ProviderError("image", f"the provider's answer is not an image: {exc}") \
            from None
    out = io.BytesIO()
    fitted.save(out, "PNG", compress_level=3)
    return out.getvalue(), size


def _media_type(data: bytes) -> str:
    if data.startswith(b"\xff\xd8"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return PNG


def call_key(inputs: Mapping[str, bytes], params: Mapping[str, Any]) -> str:
    """The task's own identity: the same task always sends the same idempotency key."""
    h = hashlib.sha256(canonical_json(dict(params)))
    for name in sorted(inputs):
        h.update(name.encode())
        h.update(hashlib.sha256(inputs[name]).digest())
    return h.hexdigest()[:48]


def generate_step(inputs: Mapping[str, bytes], params: Mapping[str, Any]) -> dict[str, Blob]:
    from shotline.render import render_stage

    ref = str(params["route"])
    found = _open_provider(ref)
    model = found.route.model
    width, height = int(params["width"]), int(params["height"])
    stage = Stage.from_dict(orjson.loads(inputs["stage"]))
    appearances = {name: Appearance(**fields)
                   for name, fields in dict(params.get("appearances", {})).items()}
    frame = render_stage(stage, appearances, width, height, clean=True)
    caps = model.capabilities
    control: dict[str, bytes] = {}
    if IMAGE_CONTROL_DEPTH in caps:
        control["depth"] = frame.depth
    if IMAGE_CONTROL_POSE in caps:
        control["pose"] = frame.pose
    references = tuple(inputs[k] for k in sorted(inputs) if k.startswith("ref:"))
    references = references[:model.max_references] if IMAGE_REFERENCE in caps else ()
    request = ImageRequest(
        model=model.name, prompt=str(params["prompt"]), width=width, height=height,
        seed=int(params["seed"]), negative_prompt=str(params.get("negative", "")),
        init_image=frame.image if IMAGE_EDIT in caps else None,
        strength=float(params.get("strength", 0.6)), references=references, control=control,
        idempotency_key=call_key(inputs, params))
    # "#k": the k-th take asked of this provider; the take's number comes when it is kept.
    purpose = f"shot {params['shot']} {ref} #{params['take']}"
    result = generate(found.route, found.provider, request, found.budget, purpose)
    if not result.images:
        raise ProviderError(ref, f"no image came back for {purpose}")
    picture, original = fit(result.images[0], width, height)
    with Image.open(io.BytesIO(picture)) as image:
        small = image.convert("RGB")
        small.thumbnail((640, 640))
        thumb = io.BytesIO()
        small.save(thumb, "JPEG", quality=85)
    record = {
        "shot": params["shot"], "asked": params["take"], "provider": found.route.name,
        "model": model.name, "model_version": result.model_version,
        # The seed the provider says it used; some (gpt-image-1) take none.
        "seed": result.seed, "requested_seed": request.seed,
        "cost_usd": result.cost_usd, "prompt": request.prompt,
        "negative_prompt": request.negative_prompt, "revised_prompt": result.revised_prompt,
        "sent": {"previs_frame": request.init_image is not None, "control": sorted(control),
                 "references": len(references)},
        "size": [width, height], "original_size": list(original),
        "request_id": result.request_id,
    }
    return {
        "take.png": Blob(picture, PNG),
        "original": Blob(result.images[0], _media_type(result.images[0])),
        "thumb.jpg": Blob(thumb.getvalue(), "image/jpeg"),
        "frame.png": Blob(frame.image, PNG),
        "take.json": Blob(orjson.dumps(record, option=orjson.OPT_INDENT_2),
                          "application/json"),
    }


def dailies_step(inputs: Mapping[str, bytes], params: Mapping[str, Any]) -> dict[str, Blob]:
    """Every take of every shot side by side, with provider, model, seed and cost: the
    sheet a director picks from."""
    from shotline.boards import Panel, SheetScene, contact_sheet

    scenes: dict[str, list[Panel]] = {}
    for shot in params["shots"]:
        for take in shot["takes"]:
            mark = "  SELECTED" if take["selected"] else ""
            scenes.setdefault(str(shot["scene"]), []).append(Panel(
                f"{shot['id']} T{take['number']}", inputs[f"thumb:{shot['id']}:{take['number']}"],
                shot["size"], float(shot["lens_mm"]),
                f"{take['provider']}:{take['model']}  seed {take['seed']}{mark}",
                f"${take['cost_usd']:.4f}", float(shot["duration"])))
    sheet = [SheetScene(number, str(params["headings"].get(number, "")), tuple(panels))
             for number, panels in scenes.items()]
    return {"dailies.pdf": Blob(contact_sheet(f"{params['title']}: dailies", sheet),
                                "application/pdf")}


GENERATE = register(Step("generate", "2", generate_step, Resources(cpu=0.2, memory_mb=512),
                         provider="(per take)", model="(per take)"))
DAILIES = register(Step("dailies", "1", dailies_step, Resources(cpu=1, memory_mb=512)))
