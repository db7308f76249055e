"""Content credentials (C2PA): sign boards and animatics, and read their manifests back.

Everything runs offline: no timestamp authority, no remote manifests, no OCSP, and the SDK
is allowed no network host at all. Without a timestamp a verifier checks the signing
certificate against the current date (see signing.py for its lifetime).
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import c2pa  # type: ignore[import-untyped]
import orjson
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from shotline import __version__
from shotline.errors import InputError
from shotline.governance.signing import SigningIdentity

SOFTWARE = "Shotline"
MEDIA_TYPES = ("image/png", "image/jpeg", "video/mp4")
INGREDIENT_TYPES = (*MEDIA_TYPES, "text/plain")
_EXTENSIONS = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".mp4": "video/mp4", ".m4v": "video/mp4"}

Kind = Literal["previs", "generated", "composite"]
Relationship = Literal["inputTo", "componentOf"]
ParamValue = str | int | float | bool

_IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
SOURCE_TYPES: Mapping[str, str] = {
    # Made by an algorithm that learnt nothing from data: the rendered previs boards.
    "previs": _IPTC + "algorithmicMedia",
    # Made by a model trained on sampled content: image/video generators.
    "generated": _IPTC + "trainedAlgorithmicMedia",
    # Assembled from several elements: the animatic cut from boards, clips and sound.
    "composite": _IPTC + "composite",
}

# The training and data mining assertion, as CAWG 1.1 defines it. C2PA 1.x had it as
# `c2pa.training-mining` with `c2pa.*` entries; C2PA 2.x left it to the CAWG, and c2pa-rs
# validates this label. Both labels are read back.
TRAINING_MINING = "cawg.training-mining"
_TRAINING_MINING_LABELS = (TRAINING_MINING, "c2pa.training-mining")
TRAINING_MINING_ENTRIES = ("cawg.ai_generative_training", "cawg.ai_training",
                           "cawg.ai_inference", "cawg.data_mining")

# Action parameters C2PA defines with a meaning of their own.
_RESERVED_PARAMETERS = ("ingredient", "ingredients", "ingredientIds", "redacted")
_MAX_TEXT = 64 * 1024  # a prompt read back longer than this is cut
# How the SDK says the container itself (not a manifest in it) is broken; it has no
# error class of its own for that.
_PARSE_FAILURE = "could not be parsed"


class CredentialsError(InputError):
    """Media that cannot carry or give up content credentials."""


@dataclass(frozen=True)
class Ingredient:
    """Something the asset was made from. Text (text/plain) is embedded in the manifest;
    media is identified by its hash, and its own manifest, if signed, travels along."""

    title: str
    media_type: str
    data: bytes = field(repr=False)
    relationship: Relationship | None = None  # None: componentOf in a composite, else inputTo


@dataclass(frozen=True)
class Claim:
    """What the manifest says: how the asset was made, by what, from what."""

    title: str
    kind: Kind
    provider: str | None = None
    model: str | None = None
    seed: int | None = None
    steps: int | None = None
    prompt: str | None = None
    ingredients: tuple[Ingredient, ...] = ()
    parameters: tuple[tuple[str, ParamValue], ...] = ()  # more of the recipe, in order

    def __post_init__(self) -> None:
        if self.kind not in SOURCE_TYPES:
            raise CredentialsError(f"unknown kind {self.kind!r}; expected one of "
                                   f"{', '.join(SOURCE_TYPES)}")
        taken = {"provider", "model", "seed", "steps", *_RESERVED_PARAMETERS}
        for key, _ in self.parameters:
            if key in taken:
                raise CredentialsError(f"parameter {key!r} is set by the claim itself")
        for ingredient in self.ingredients:
            if ingredient.media_type not in INGREDIENT_TYPES:
                raise CredentialsError(
                    f"ingredient {ingredient.title!r}: unsupported media type "
                    f"{ingredient.media_type!r}; expected one of {', '.join(INGREDIENT_TYPES)}")

    @property
    def source_type(self) -> str:
        return SOURCE_TYPES[self.kind]


@dataclass(frozen=True)
class Problem:
    code: str
    explanation: str


@dataclass(frozen=True)
class Verification:
    has_manifest: bool
    valid: bool  # signature, certificate profile and every hash check out
    trusted: bool  # and the signer chains to a trust anchor that was given
    problems: tuple[Problem, ...] = ()
    title: str | None = None
    signer: str | None = None  # the certificate's common name
    issuer: str | None = None  # who issued the signer's certificate
    claim_generator: str | None = None
    software_agent: str | None = None
    digital_source_type: str | None = None
    actions: tuple[str, ...] = ()
    ingredients: tuple[str, ...] = ()  # titles
    prompts: tuple[str, ...] = ()  # text ingredients, read back
    training_mining: tuple[tuple[str, str], ...] = ()  # (entry, use)

    @property
    def state(self) -> str:
        if not self.has_manifest:
            return "absent"
        return "trusted" if self.trusted else "valid" if self.valid else "invalid"

    def to_dict(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "has_manifest": self.has_manifest,
            "valid": self.valid,
            "trusted": self.trusted,
            "problems": [{"code": p.code, "explanation": p.explanation} for p in self.problems],
            "title": self.title,
            "signer": self.signer,
            "issuer": self.issuer,
            "claim_generator": self.claim_generator,
            "software_agent": self.software_agent,
            "digital_source_type": self.digital_source_type,
            "actions": list(self.actions),
            "ingredients": list(self.ingredients),
            "prompts": list(self.prompts),
            "training_mining": dict(self.training_mining),
        }


def media_type_of(data: bytes, name: str | Path | None = None) -> str:
    """The media type from the bytes (magic numbers), else from the file name's extension."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[4:8] == b"ftyp":
        return "video/mp4"
    suffix = Path(name).suffix.lower() if name is not None else ""
    if suffix in _EXTENSIONS:
        return _EXTENSIONS[suffix]
    raise CredentialsError("not a PNG, JPEG or MP4 file",
                           source=str(name) if name is not None else None)


def sign_asset(data: bytes, media_type: str, claim: Claim, identity: SigningIdentity) -> bytes:
    """The asset with a signed C2PA manifest embedded, saying how it was made."""
    media_type = _check_media(data, media_type)
    context, signer = _signing_tools(identity, os.getpid())
    ingredients, actions = _ingredients_and_actions(claim)
    manifest = {
        "claim_generator_info": [{"name": SOFTWARE, "version": __version__}],
        "title": claim.title,
        "format": media_type,
        "ingredients": [i for i, _ in ingredients if "data" in i],
        "assertions": [
            {"label": "c2pa.actions.v2", "data": {"actions": actions}},
            {"label": TRAINING_MINING, "data": {"entries": {
                entry: {"use": "notAllowed"} for entry in TRAINING_MINING_ENTRIES}}},
        ],
    }
    try:
        builder = c2pa.Builder(manifest, context=context)
        for definition, ingredient in ingredients:
            if "data" in definition:
                builder.add_resource(definition["data"]["identifier"],
                                     io.BytesIO(ingredient.data))
            else:
                builder.add_ingredient(definition, ingredient.media_type,
                                       io.BytesIO(ingredient.data))
        out = io.BytesIO()
        builder.sign(signer, media_type, io.BytesIO(data), out)
    except c2pa.C2paError as exc:
        reason = _reason(exc)
        if _PARSE_FAILURE in reason:
            raise CredentialsError(f"corrupt {media_type} data: {reason}") from None
        raise CredentialsError(f"cannot sign this {media_type} asset: {reason}") from None
    return out.getvalue()


def verify_asset(data: bytes, media_type: str,
                 trust_anchors: bytes | None = None) -> Verification:
    """Read the manifest back and check it. With trust_anchors (PEM roots, e.g. the
    project's CA) a signer chaining to one of them counts as trusted."""
    media_type = _check_media(data, media_type)
    context = _reading_context(trust_anchors, os.getpid())
    try:
        reader = c2pa.Reader.try_create(media_type, io.BytesIO(data), None, context)
        if reader is None:
            return Verification(has_manifest=False, valid=False, trusted=False)
        with reader:
            store = orjson.loads(reader.json())
            return _verification(store, reader)
    except c2pa.C2paError as exc:
        reason = _reason(exc)
        if _PARSE_FAILURE in reason:  # the container, not the manifest, is broken
            raise CredentialsError(f"corrupt {media_type} data: {reason}") from None
        # A manifest is there but cannot be decoded: as good as tampered with.
        return Verification(has_manifest=True, valid=False, trusted=False,
                            problems=(Problem("manifest.unreadable", reason),))


def _check_media(data: bytes, media_type: str) -> str:
    media_type = media_type.strip().lower()
    if media_type == "image/jpg":
        media_type = "image/jpeg"
    if media_type not in MEDIA_TYPES:
        raise CredentialsError(f"unsupported media type {media_type!r}; content credentials "
                               f"are made for {', '.join(MEDIA_TYPES)}")
    try:
        found = media_type_of(data)
    except CredentialsError:
        found = None
    if found != media_type:
        raise CredentialsError(f"corrupt {media_type} data: the file does not start as one")
    return media_type


# Settings for both directions: nothing may reach the network.
_OFFLINE: dict[str, Any] = {
    "version": 1,
    "core": {"allowed_network_hosts": []},
    "verify": {"remote_manifest_fetch": False, "ocsp_fetch": False},
}


@lru_cache(maxsize=8)
def _signing_tools(identity: SigningIdentity, pid: int) -> tuple[Any, Any]:
    """One context and one signer per identity, reused for every board (the pid keys the
    cache so that a forked worker makes its own native objects)."""
    del pid
    settings = {
        **_OFFLINE,
        # Thumbnails would double the work and the size of every board; the board is the
        # picture. Auto actions off: the claim states its own.
        "builder": {"thumbnail": {"enabled": False},
                    "actions": {"auto_created_action": {"enabled": False},
                                "auto_opened_action": {"enabled": False},
                                "auto_placed_action": {"enabled": False}}},
    }
    try:
        context = c2pa.Context.from_dict(settings)
        signer = c2pa.Signer.from_info(c2pa.C2paSignerInfo(
            identity.algorithm, identity.chain_pem, identity.key_pem, None))
    except c2pa.C2paError as exc:
        raise CredentialsError(f"the signing identity does not work: {_reason(exc)}",
                               source=str(identity.folder)) from None
    return context, signer


@lru_cache(maxsize=8)
def _reading_context(trust_anchors: bytes | None, pid: int) -> Any:
    del pid
    settings = dict(_OFFLINE)
    if trust_anchors:
        try:
            roots = x509.load_pem_x509_certificates(trust_anchors)
        except ValueError:
            raise CredentialsError("the trust anchors are not PEM certificates") from None
        pem = b"".join(root.public_bytes(serialization.Encoding.PEM) for root in roots)
        # trust_anchors replaces the SDK's own list: only these roots are trusted.
        settings["trust"] = {"trust_anchors": pem.decode("ascii")}
    try:
        return c2pa.Context.from_dict(settings)
    except c2pa.C2paError as exc:
        raise CredentialsError(f"cannot use these trust anchors: {_reason(exc)}") from None


def _ingredients_and_actions(
        claim: Claim) -> tuple[list[tuple[dict[str, Any], Ingredient]], list[dict[str, Any]]]:
    """Ingredient definitions, each with what it describes, and the actions that use them."""
    items = list(claim.ingredients)
    if claim.prompt is not None:
        # The prompt is an input with no container of its own. C2PA 2.x carries such an
        # input as an ingredient (relationship inputTo) whose `data` is the text itself,
        # stored in the manifest as an embedded-data assertion and hashed into the claim
        # like every other assertion; an action parameter would be covered too, but the
        # ingredient is where the spec puts inputs and where viewers look for them.
        items.insert(0, Ingredient("prompt", "text/plain", claim.prompt.encode("utf-8"),
                                   "inputTo"))
    default: Relationship = "componentOf" if claim.kind == "composite" else "inputTo"
    ingredients: list[tuple[dict[str, Any], Ingredient]] = []
    inputs: list[str] = []
    placed: list[dict[str, Any]] = []
    for number, ingredient in enumerate(items):
        label = f"ingredient-{number}"  # pairs the ingredient with its action; SDK relabels
        relationship = ingredient.relationship or default
        definition: dict[str, Any] = {"title": ingredient.title, "relationship": relationship,
                                      "label": label}
        if ingredient.media_type == "text/plain":
            definition["format"] = "text/plain"
            definition["data"] = {"format": "text/plain", "identifier": f"{label}.txt"}
        ingredients.append((definition, ingredient))
        if relationship == "componentOf":
            placed.append({"action": "c2pa.placed", "parameters": {"ingredientIds": [label]}})
        else:
            inputs.append(label)
    parameters: dict[str, Any] = {
        key: value for key, value in (("provider", claim.provider), ("model", claim.model),
                                      ("seed", claim.seed), ("steps", claim.steps))
        if value is not None}
    parameters.update(claim.parameters)
    if inputs:
        parameters["ingredientIds"] = inputs
    created: dict[str, Any] = {
        "action": "c2pa.created",
        "digitalSourceType": claim.source_type,
        "softwareAgent": {"name": SOFTWARE, "version": __version__},
    }
    if parameters:
        created["parameters"] = parameters
    return ingredients, [created, *placed]


def _verification(store: Mapping[str, Any], reader: Any) -> Verification:
    manifest = store.get("manifests", {}).get(store.get("active_manifest", ""), {})
    state = str(store.get("validation_state", "")).lower()
    created = next((a for a in _actions(manifest) if a.get("action") == "c2pa.created"), {})
    source_type = created.get("digitalSourceType") or next(
        (a["digitalSourceType"] for a in _actions(manifest) if a.get("digitalSourceType")),
        None)
    signature = manifest.get("signature_info", {})
    return Verification(
        has_manifest=True,
        valid=state in ("valid", "trusted"),
        trusted=state == "trusted",
        problems=tuple(_problems(store)),
        title=manifest.get("title"),
        signer=signature.get("common_name"),
        issuer=signature.get("issuer"),
        claim_generator=_generator(manifest),
        software_agent=_agent(created.get("softwareAgent")),
        digital_source_type=source_type,
        actions=tuple(str(a.get("action")) for a in _actions(manifest)),
        ingredients=tuple(str(i.get("title", "")) for i in manifest.get("ingredients", [])),
        prompts=tuple(_texts(manifest, reader)),
        training_mining=tuple(_training_mining(manifest)),
    )


def _actions(manifest: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    for assertion in manifest.get("assertions", []):
        if str(assertion.get("label", "")).startswith("c2pa.actions"):
            yield from assertion.get("data", {}).get("actions", [])


def _problems(store: Mapping[str, Any]) -> Iterator[Problem]:
    results = store.get("validation_results")
    if results is None:  # older readers: one flat list
        statuses = store.get("validation_status") or []
    else:
        statuses = list(results.get("activeManifest", {}).get("failure", []))
        for delta in results.get("ingredientDeltas", []):
            statuses += delta.get("validationDeltas", {}).get("failure", [])
    for status in statuses:
        yield Problem(str(status.get("code", "")), str(status.get("explanation", "")))


def _generator(manifest: Mapping[str, Any]) -> str | None:
    infos = manifest.get("claim_generator_info") or []
    if infos:
        return _agent(infos[0])
    generator = manifest.get("claim_generator")
    return str(generator) if generator else None


def _agent(agent: object) -> str | None:
    if isinstance(agent, dict):
        return " ".join(str(agent[k]) for k in ("name", "version") if agent.get(k)) or None
    return str(agent) if agent else None


def _texts(manifest: Mapping[str, Any], reader: Any) -> Iterator[str]:
    for ingredient in manifest.get("ingredients", []):
        data = ingredient.get("data") or {}
        if data.get("format") != "text/plain" or not data.get("identifier"):
            continue
        out = io.BytesIO()
        try:
            reader.resource_to_stream(data["identifier"], out)
        except c2pa.C2paError:
            continue
        yield out.getvalue()[:_MAX_TEXT].decode("utf-8", "replace")


def _training_mining(manifest: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    for assertion in manifest.get("assertions", []):
        if str(assertion.get("label", "")).split("__")[0] in _TRAINING_MINING_LABELS:
            entries = assertion.get("data", {}).get("entries", {})
            for entry, value in entries.items():
                use = value.get("use") if isinstance(value, dict) else value
                yield str(entry), str(use)


def _reason(exc: BaseException) -> str:
    """The SDK's message without its class prefix ("Other: ...")."""
    text = str(exc)
    head, sep, rest = text.partition(": ")
    return rest if sep and head.isidentifier() else text
