"""The sign step: an exported picture or animatic with a signed C2PA manifest saying
how it was made (previs, a generative model, or a composite), from what, and that no
one may train on it. Signing is its own cached step at the edge of the pipeline, so the
objects the other steps pass on stay unsigned and deterministic; only what leaves the
project carries credentials."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, cast

from shotline.engine.steps import Blob, Resources, Step, register

if TYPE_CHECKING:
    from shotline.governance.signing import SigningIdentity

Kind = Literal["previs", "generated", "composite"]

# Signer -> its identity (loaded and checked once), for this process only. Tasks name
# the signer, not where its key lives: a moved or copied project keeps its signatures'
# cache keys, and a process that was never handed the key (a worker) cannot sign.
_IDENTITIES: dict[str, SigningIdentity] = {}


def signer_of(chain_pem: bytes) -> str:
    """What names a signer in the sign step's parameters: the sha256 of its certificate
    chain, so a new key (a new certificate) re-signs everything."""
    return hashlib.sha256(chain_pem).hexdigest()


def register_identity(identity: SigningIdentity) -> str:
    """Let this process's sign steps sign with ``identity``; its signer."""
    signer = signer_of(identity.chain_pem)
    _IDENTITIES[signer] = identity
    return signer


def sign_step(inputs: Mapping[str, bytes], params: Mapping[str, Any]) -> dict[str, Blob]:
    from shotline.governance.credentials import Claim, Ingredient, sign_asset
    from shotline.governance.signing import SigningIdentityError

    signer = str(params["signer"])
    identity = _IDENTITIES.get(signer)
    if identity is None:
        raise SigningIdentityError(
            f"no signing identity {signer[:12]} in this process: signing runs only in the "
            "process that registered the project's key, never on workers")
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


SIGN = register(Step("sign", "2", sign_step, Resources(cpu=1, memory_mb=512),
                     provider="c2pa", model="content credentials"))
