"""The sign step: an exported picture or animatic with a signed C2PA manifest saying
how it was made (previs, a generative model, or a composite), from what, and that no
one may train on it. Signing is its own cached step at the edge of the pipeline, so the
objects the other steps pass on stay unsigned and deterministic; only what leaves the
project carries credentials."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, cast

from shotline.engine.steps import Blob, Resources, Step, register

Kind = Literal["previs", "generated", "composite"]


def sign_step(inputs: Mapping[str, bytes], params: Mapping[str, Any]) -> dict[str, Blob]:
    from shotline.governance.credentials import Claim, Ingredient, sign_asset
    from shotline.governance.signing import load_identity

    identity = load_identity(Path(str(params["identity"])))
    ingredients = tuple(
        Ingredient(str(i["title"]), str(i["media_type"]), inputs[str(i["input"])],
                   i.get("relationship"))
        for i in params.get("ingredients", ()))
    seed = params.get("seed")
    claim = Claim(title=str(params["title"]), kind=cast(Kind, params["kind"]),
                  provider=params.get("provider"), model=params.get("model"),
                  seed=int(seed) if seed is not None else None,
                  prompt=params.get("prompt"), ingredients=ingredients)
    media_type = str(params["media_type"])
    return {"signed": Blob(sign_asset(inputs["asset"], media_type, claim, identity),
                           media_type)}


SIGN = register(Step("sign", "1", sign_step, Resources(cpu=1, memory_mb=512),
                     provider="c2pa", model="content credentials"))
