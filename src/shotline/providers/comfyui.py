"""ComfyUI: a server the production runs on its own GPUs, driven over its HTTP API.

Models are workflow templates in ComfyUI's API ("prompt") format: a JSON object of node
id -> {"class_type", "inputs"}. The shipped ones live in `comfyui_workflows/`; a
production may bring its own with `workflows = {NAME = "path/to/workflow.json"}` in its
[providers.comfyui] table. A template marks what the request fills in with placeholders,
`{{name}}`, as input values (see PLACEHOLDERS). A value that is exactly one placeholder
takes the value's own type (a number stays a number); one inside longer text is replaced
by the value's text. Filling works on the parsed JSON, so no prompt text can break out
of its string.

An image placeholder (`{{init_image}}`, `{{depth_image}}`, `{{pose_image}}`,
`{{reference_image}}`) sits in the node that loads the image (LoadImage). When a request
has no such image, that node is taken out and each node that used it is bypassed the way
ComfyUI's own bypass does (a ControlNet apply passes its conditioning through, an
IP-Adapter its model); loaders nothing uses any more go too. When nothing can stand in
(an image-to-image workflow with no init image), the request is refused. Several
reference images are loaded by copies of the reference node and joined by ImageBatch.

The server needs these node packs for the shipped workflows:
- sdxl-depth-pose: ComfyUI core, plus ComfyUI_IPAdapter_plus (IPAdapterUnifiedLoader,
  IPAdapterAdvanced) when a request carries identity references; core ComfyUI has no
  IP-Adapter for SDXL. A request without references never touches those nodes.
- sdxl-img2img: ComfyUI core only.

Wire protocol: each input image goes up with POST /upload/image under a name made from
its hash (so a retry re-uploads the same name); the graph is queued with POST /prompt
under a prompt id derived from the request's idempotency key; GET /history/{id} is
polled until the job has finished; the images come from GET /view. Before queuing, the
history and the queue are checked for that prompt id, so a retried call (after a lost
answer, a timeout or a crash) waits for the job already there instead of running it
twice. Older ComfyUI releases ignore a client's prompt id and choose their own; with
them a lost answer to POST /prompt can still queue a second run.

Data-use terms: a ComfyUI on this host processes locally and keeps nothing anywhere
else, so the plugin declares local terms. Those hold only for a loopback endpoint; on
any other host the server is someone's machine with terms unknown, and
`terms_for_endpoint` (and the plugin's `terms_for`, which routing calls) says so.
"""

from __future__ import annotations

import copy
import hashlib
import io
import ipaddress
import json
import math
import random
import re
import secrets
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from PIL import Image, UnidentifiedImageError

from shotline.errors import InputError
from shotline.governance.terms import DataUseTerms
from shotline.providers.http import MAX_WAIT_S, RETRY_STATUS, HttpClient, retry_after
from shotline.providers.protocols import ProviderConfig, ProviderError
from shotline.providers.types import (
    IMAGE,
    IMAGE_CONTROL_DEPTH,
    IMAGE_CONTROL_POSE,
    IMAGE_EDIT,
    IMAGE_REFERENCE,
    CostModel,
    ImageRequest,
    ImageResult,
    ModelInfo,
    ProviderInfo,
)

NAME = "comfyui"
DEFAULT_ENDPOINT = "http://127.0.0.1:8188"
TOKEN_ENV = "COMFYUI_TOKEN"  # for a server behind an auth proxy; ComfyUI itself has none
MAX_REFERENCES = 4
MAX_SIDE = 16384  # ComfyUI's MAX_RESOLUTION

# ComfyUI's README: "Works fully offline: will never download anything."
EVIDENCE_URL = "https://github.com/comfyanonymous/ComfyUI#features"
LOCAL_TERMS = DataUseTerms(
    trains_on_inputs=False, trains_on_outputs=False, retention_days=0,
    zero_data_retention=True, human_review=False, regions=("local",),
    evidence_url=EVIDENCE_URL, verified_at=date(2026, 11, 21))
UNKNOWN_TERMS = DataUseTerms()

_LOOPBACK_NAMES = frozenset({"localhost", "localhost.", "ip6-localhost"})


def is_local_endpoint(endpoint: str) -> bool:
    """Whether the endpoint is on this host. Names are not looked up: only loopback
    addresses and "localhost" count, since a name may point anywhere."""
    try:
        host = urlsplit(endpoint).hostname
    except ValueError:
        return False
    if not host:
        return False
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def terms_for_endpoint(endpoint: str) -> DataUseTerms:
    """The data-use terms of a ComfyUI at this endpoint: local ones on this host,
    unknown (so the policy refuses it unless the project declares terms) elsewhere."""
    return LOCAL_TERMS if is_local_endpoint(endpoint) else UNKNOWN_TERMS


# -- placeholders -------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")

IMAGE_SLOTS = {  # placeholder -> what the request calls it
    "init_image": "an init image",
    "depth_image": "a depth control image",
    "pose_image": "a pose control image",
    "reference_image": "identity reference images",
}
PLACEHOLDERS = {  # name -> what fills it
    "prompt": "the prompt text",
    "negative": "the negative prompt (may be empty)",
    "seed": "the seed (an integer)",
    "width": "the frame width the request asks for",
    "height": "the frame height the request asks for",
    "latent_width": "the working width: the frame scaled to about render_megapixels, "
                    "in multiples of 64",
    "latent_height": "the working height, likewise",
    "count": "how many images",
    "denoise": "the request's strength (0 keeps the init image, 1 ignores it)",
    "steps": "sampling steps (option steps)",
    "cfg": "guidance scale (option cfg)",
    "sampler": "sampler name (option sampler)",
    "scheduler": "scheduler name (option scheduler)",
    "checkpoint": "checkpoint file (option checkpoint)",
    "controlnet_depth": "depth ControlNet file (option controlnet_depth)",
    "controlnet_pose": "OpenPose ControlNet file (option controlnet_pose)",
    "depth_strength": "depth ControlNet strength (option depth_strength)",
    "pose_strength": "pose ControlNet strength (option pose_strength)",
    "ipadapter_preset": "IP-Adapter preset (option ipadapter_preset)",
    "reference_weight": "IP-Adapter weight (option reference_weight)",
    "filename_prefix": "where SaveImage writes: shotline/<prompt id>",
    **{k: f"the uploaded file name of {v}" for k, v in IMAGE_SLOTS.items()},
}
# What a template must hold for each capability its model declares.
REQUIRED_FOR = {
    IMAGE: ("prompt", "seed"),
    IMAGE_EDIT: ("init_image", "denoise"),
    IMAGE_CONTROL_DEPTH: ("depth_image",),
    IMAGE_CONTROL_POSE: ("pose_image",),
    IMAGE_REFERENCE: ("reference_image",),
}
_CONTROL_SLOTS = {"depth": "depth_image", "pose": "pose_image"}

# Node classes a missing image can be bypassed through: output i passes on the input
# named here (None: an output with no input to stand in for it).
PASSTHROUGH: dict[str, tuple[str | None, ...]] = {
    "ControlNetApplyAdvanced": ("positive", "negative"),
    "ControlNetApply": ("conditioning",),
    "IPAdapterAdvanced": ("model",),
    "IPAdapter": ("model",),
    "IPAdapterBatch": ("model",),
    "IPAdapterFaceID": ("model", None),
}
OUTPUT_CLASS = "SaveImage"  # images are read from the history of these nodes

Graph = dict[str, dict[str, Any]]
Value = str | int | float


def placeholders_in(value: Any) -> set[str]:
    if isinstance(value, str):
        return set(_PLACEHOLDER.findall(value))
    if isinstance(value, dict):
        return set().union(*(placeholders_in(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(placeholders_in(v) for v in value)) if value else set()
    return set()


def _fill_value(value: Any, values: Mapping[str, Value]) -> Any:
    if isinstance(value, str):
        whole = _PLACEHOLDER.fullmatch(value)
        if whole:
            return values[whole.group(1)]
        # one pass: text that a value brings in is never scanned again
        return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), value)
    if isinstance(value, dict):
        return {k: _fill_value(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill_value(v, values) for v in value]
    return value


def fill(graph: Graph, values: Mapping[str, Value]) -> Graph:
    """The graph with every placeholder in its inputs replaced; KeyError names one with
    no value. Titles (_meta) are left as they are."""
    return {nid: {**node, "inputs": {k: _fill_value(v, values)
                                     for k, v in node["inputs"].items()}}
            for nid, node in graph.items()}


def _is_link(value: Any) -> bool:
    return isinstance(value, list)  # ComfyUI reads every list input as a link


def links(node: Mapping[str, Any]) -> Iterable[tuple[str, str, int]]:
    """(input name, source node id, output index) for each linked input."""
    for name, value in node["inputs"].items():
        if _is_link(value):
            yield name, value[0], value[1]


@dataclass(frozen=True)
class Workflow:
    name: str
    graph: Graph
    source: str  # where it came from, for messages
    placeholders: frozenset[str]
    digest: str  # of the template, so a result names the exact graph that made it

    @property
    def capabilities(self) -> frozenset[str]:
        return frozenset(c for c, need in REQUIRED_FOR.items()
                         if all(n in self.placeholders for n in need))


def parse_workflow(data: Any, name: str, source: str,
                   extra: Iterable[str] = ()) -> Workflow:
    """A template checked for the shape ComfyUI's API wants and for placeholders this
    module knows (or the production supplies in `values`); InputError otherwise."""
    def bad(message: str) -> InputError:
        return InputError(f"workflow {name!r}: {message}", source=source)

    if isinstance(data, dict) and isinstance(data.get("nodes"), list):
        raise bad("this is ComfyUI's UI format; export it with \"Export (API)\" (or save "
                  "in API format) to get the node id -> {class_type, inputs} form")
    if isinstance(data, dict) and isinstance(data.get("prompt"), dict):
        raise bad("this is a POST /prompt body; give the graph under \"prompt\" alone")
    if not isinstance(data, dict) or not data:
        raise bad("expected a ComfyUI API-format graph: a JSON object of node id -> "
                  "{\"class_type\": ..., \"inputs\": {...}}")
    graph: Graph = {}
    for nid, node in data.items():
        if not isinstance(node, dict):
            raise bad(f"node {nid} is not an object")
        cls = node.get("class_type")
        if not isinstance(cls, str) or not cls:
            raise bad(f"node {nid} has no class_type")
        if not isinstance(node.get("inputs"), dict):
            raise bad(f"node {nid} ({cls}) has no inputs object")
        graph[nid] = node
    for nid, node in graph.items():
        for key, value in node["inputs"].items():
            if not _is_link(value):
                continue
            if (len(value) != 2 or not isinstance(value[0], str)
                    or isinstance(value[1], bool) or not isinstance(value[1], int)
                    or value[1] < 0):
                raise bad(f"input {key} of node {nid} is a list but not a link "
                          "[\"node id\", output index]")
            if value[0] not in graph:
                raise bad(f"input {key} of node {nid} links to node {value[0]}, which is "
                          "not in the graph")
            if value[0] == nid:
                raise bad(f"node {nid} links to itself")
    if not any(node["class_type"] == OUTPUT_CLASS for node in graph.values()):
        raise bad(f"no {OUTPUT_CLASS} node, so it would make no image to read back")
    found: set[str] = set()
    for nid, node in graph.items():
        for key, value in node["inputs"].items():
            names = placeholders_in(value)
            found |= names
            for slot in names & IMAGE_SLOTS.keys():
                if not (isinstance(value, str) and _PLACEHOLDER.fullmatch(value)):
                    raise bad(f"{{{{{slot}}}}} must be the whole value of input {key} "
                              f"(node {nid}): it becomes an uploaded file's name")
    known = set(PLACEHOLDERS) | set(extra)
    unknown = sorted(found - known)
    if unknown:
        raise bad(f"unknown placeholder {', '.join('{{' + u + '}}' for u in unknown)}; "
                  f"known: {', '.join(sorted(known))}")
    digest = hashlib.sha256(json.dumps(graph, sort_keys=True).encode()).hexdigest()
    return Workflow(name, graph, source, frozenset(found), digest)


def require(workflow: Workflow, capabilities: Iterable[str]) -> None:
    """InputError unless the template holds the placeholders these capabilities need."""
    missing = sorted({n for c in capabilities for n in REQUIRED_FOR.get(c, ())}
                     - workflow.placeholders)
    if missing:
        raise InputError(f"workflow {workflow.name!r} lacks the placeholder"
                         f"{'s' if len(missing) > 1 else ''} "
                         f"{', '.join('{{' + m + '}}' for m in missing)} that model "
                         f"{workflow.name} needs", source=workflow.source)


def builtin_workflows() -> dict[str, Workflow]:
    folder = resources.files("shotline.providers").joinpath("comfyui_workflows")
    found: dict[str, Workflow] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            name = entry.name.removesuffix(".json")
            found[name] = parse_workflow(json.loads(entry.read_text("utf-8")), name,
                                         f"comfyui_workflows/{entry.name}")
    return found


def load_workflow(name: str, path: str | Path, extra: Iterable[str] = ()) -> Workflow:
    source = str(path)
    try:
        text = Path(path).read_text("utf-8")
    except OSError as exc:
        raise InputError(f"cannot read workflow {name!r}: {exc.strerror or exc}",
                         source=source) from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise InputError(f"workflow {name!r} is not JSON: {exc}", source=source) from None
    return parse_workflow(data, name, source, extra)


# -- graph surgery ------------------------------------------------------------------------

def _consumers(graph: Graph) -> dict[str, set[str]]:
    used: dict[str, set[str]] = {nid: set() for nid in graph}
    for nid, node in graph.items():
        for _, src, _ in links(node):
            used[src].add(nid)
    return used


def _holds(value: Any, slot: str) -> bool:
    whole = _PLACEHOLDER.fullmatch(value) if isinstance(value, str) else None
    return whole is not None and whole.group(1) == slot


def _holders(graph: Graph, slot: str) -> list[str]:
    """The nodes that load `slot`'s image."""
    return [nid for nid, node in graph.items()
            if any(_holds(v, slot) for v in node["inputs"].values())]


def drop_slot(graph: Graph, slot: str, workflow: str) -> Graph:
    """The graph without the nodes that load `slot`'s image: nodes that used it are
    bypassed where a pass-through exists; ProviderError when an output still needs it."""
    graph = copy.deepcopy(graph)
    had_consumers = {nid for nid, users in _consumers(graph).items() if users}
    dead = set(_holders(graph, slot))
    removed: set[str] = set()
    queue = list(dead)
    while queue:
        gone = queue.pop()
        for nid in sorted(_consumers(graph).get(gone, ())):
            if nid in dead or nid in removed:
                continue
            node = graph[nid]
            through = PASSTHROUGH.get(node["class_type"])
            hit = {name for name, src, _ in links(node) if src in dead}
            if through is not None and not hit & {t for t in through if t}:
                _bypass(graph, nid, through, slot, workflow)
                removed.add(nid)
                continue
            if nid not in had_consumers:  # an output node depends on the missing image
                raise ProviderError(NAME, f"workflow {workflow!r} needs "
                                    f"{IMAGE_SLOTS[slot]}: its output node {nid} "
                                    f"({node['class_type']}) depends on it")
            dead.add(nid)
            queue.append(nid)
    for nid in dead | removed:
        graph.pop(nid, None)
    _prune(graph, had_consumers)
    return graph


def _bypass(graph: Graph, nid: str, through: tuple[str | None, ...], slot: str,
            workflow: str) -> None:
    node = graph[nid]
    for other_id, other in graph.items():
        if other_id == nid:
            continue
        for key, value in list(other["inputs"].items()):
            if _is_link(value) and value[0] == nid:
                index = value[1]
                name = through[index] if index < len(through) else None
                source = node["inputs"].get(name) if name else None
                if not isinstance(source, list):  # not a link: nothing to pass on
                    raise ProviderError(NAME, f"workflow {workflow!r} needs "
                                        f"{IMAGE_SLOTS[slot]}: node {other_id} uses output "
                                        f"{index} of node {nid} ({node['class_type']})")
                other["inputs"][key] = list(source)


def _prune(graph: Graph, had_consumers: set[str]) -> None:
    """Remove nodes whose every user is gone (loaders of a dropped image's models);
    nodes that never had users (the outputs) stay."""
    while True:
        used = _consumers(graph)
        idle = [nid for nid in graph if nid in had_consumers and not used[nid]]
        if not idle:
            return
        for nid in idle:
            del graph[nid]


def _next_id(graph: Graph) -> Callable[[], str]:
    numbers = [int(n) for n in graph if n.isdigit()]
    counter = [max(numbers, default=0)]

    def new() -> str:
        while True:
            counter[0] += 1
            if str(counter[0]) not in graph:
                return str(counter[0])
    return new


def expand_references(graph: Graph, names: list[str], workflow: str) -> Graph:
    """One reference node per image, joined into one batch by ImageBatch nodes that take
    the first node's place for everything that used it."""
    holders = _holders(graph, "reference_image")
    if len(names) <= 1 or not holders:
        return graph
    if len(holders) > 1:
        raise ProviderError(NAME, f"workflow {workflow!r} has {{{{reference_image}}}} in "
                            f"{len(holders)} nodes; several references need it in one")
    graph = copy.deepcopy(graph)
    first = holders[0]
    users = [(nid, key) for nid, node in graph.items()
             for key, src, index in links(node) if src == first and index == 0]
    new_id = _next_id(graph)
    last = first
    for name in names[1:]:
        copy_id = new_id()
        node = copy.deepcopy(graph[first])
        node["inputs"] = {k: name if _holds(v, "reference_image") else v
                          for k, v in node["inputs"].items()}
        graph[copy_id] = node
        batch_id = new_id()
        graph[batch_id] = {"class_type": "ImageBatch",
                           "inputs": {"image1": [last, 0], "image2": [copy_id, 0]},
                           "_meta": {"title": "Identity references"}}
        last = batch_id
    for nid, key in users:
        graph[nid]["inputs"][key] = [last, 0]
    return graph


# -- options ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Settings:
    """The options of a [providers.comfyui] table that this adapter reads."""

    checkpoint: str = "sd_xl_base_1.0.safetensors"
    controlnet_depth: str = "controlnet-depth-sdxl-1.0.safetensors"
    controlnet_pose: str = "controlnet-openpose-sdxl-1.0.safetensors"
    ipadapter_preset: str = "PLUS FACE (portraits)"
    steps: int = 30
    cfg: float = 6.0
    sampler: str = "dpmpp_2m"
    scheduler: str = "karras"
    depth_strength: float = 0.6
    pose_strength: float = 0.8
    reference_weight: float = 0.7
    render_megapixels: float = 1.0  # SDXL works best near 1 MP; 0 keeps the frame size
    subfolder: str = "shotline"  # of ComfyUI's input folder, for uploads
    max_wait_s: float | None = None  # for a job to finish; None: 10 x timeout_s
    values: dict[str, Value] = field(default_factory=dict)  # a production's placeholders


_NUMBER_OPTIONS = {"cfg": (0.0, 100.0), "depth_strength": (0.0, 10.0),
                   "pose_strength": (0.0, 10.0), "reference_weight": (-1.0, 5.0),
                   "render_megapixels": (0.0, 16.0), "max_wait_s": (0.0, 7 * 86400.0)}
_SAFE_FOLDER = re.compile(r"[A-Za-z0-9_\-]+(/[A-Za-z0-9_\-]+)*")


def read_settings(config: ProviderConfig) -> Settings:
    options = config.options
    where = f"providers.{config.name}"
    found: dict[str, Any] = {}
    for key in ("checkpoint", "controlnet_depth", "controlnet_pose", "ipadapter_preset",
                "sampler", "scheduler", "subfolder"):
        if key in options:
            value = options[key]
            if not isinstance(value, str) or not value.strip():
                raise InputError(f"{where}.{key} must be a non-empty string, got {value!r}")
            found[key] = value
    if "subfolder" in found and not _SAFE_FOLDER.fullmatch(found["subfolder"]):
        raise InputError(f"{where}.subfolder must be a relative folder name of letters, "
                         f"digits, - and _, got {found['subfolder']!r}")
    if "steps" in options:
        steps = options["steps"]
        if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= 10000:
            raise InputError(f"{where}.steps must be a whole number from 1 to 10000, "
                             f"got {steps!r}")
        found["steps"] = steps
    for key, (low, high) in _NUMBER_OPTIONS.items():
        if key in options:
            value = options[key]
            if (isinstance(value, bool) or not isinstance(value, int | float)
                    or not math.isfinite(value) or not low <= value <= high):
                raise InputError(f"{where}.{key} must be a number from {low:g} to {high:g}, "
                                 f"got {value!r}")
            found[key] = float(value)
    values = options.get("values", {})
    if not isinstance(values, dict):
        raise InputError(f"{where}.values must be a table of placeholder values")
    for key, value in values.items():
        if not _PLACEHOLDER.fullmatch("{{" + str(key) + "}}"):
            raise InputError(f"{where}.values: {key!r} is not a placeholder name")
        if key in PLACEHOLDERS:
            raise InputError(f"{where}.values: {{{{{key}}}}} is filled by the adapter; "
                             "set its option instead")
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise InputError(f"{where}.values.{key} must be a string or a number")
    found["values"] = dict(values)
    return Settings(**found)


def latent_size(width: int, height: int, megapixels: float) -> tuple[int, int]:
    """The working size: the frame scaled to about `megapixels`, sides in multiples of
    64 (what SDXL was trained on); the final ImageScale crops back to the frame."""
    scale = math.sqrt(megapixels * 1e6 / (width * height)) if megapixels > 0 else 1.0
    return (max(64, round(width * scale / 64) * 64), max(64, round(height * scale / 64) * 64))


# -- the client ---------------------------------------------------------------------------

def _suffix(data: bytes) -> str:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return ".png"
    if data.startswith(b"\xff\xd8\xff"):
        return ".jpg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ".webp"
    raise ProviderError(NAME, "an input image is neither PNG, JPEG nor WebP")


def _multipart(fields: Mapping[str, str], filename: str, data: bytes) -> tuple[bytes, str]:
    boundary = "shotline" + secrets.token_hex(16)
    out = io.BytesIO()
    for key, value in fields.items():
        out.write(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{key}\"\r\n\r\n"
                  f"{value}\r\n".encode())
    kind = {".png": "image/png", ".jpg": "image/jpeg", ".webp": "image/webp"}
    out.write(f"--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; "
              f"filename=\"{filename}\"\r\nContent-Type: "
              f"{kind[Path(filename).suffix]}\r\n\r\n".encode())
    out.write(data)
    out.write(f"\r\n--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def _node_errors(body: Any) -> str:
    """ComfyUI's answer to an invalid graph, short: the error and each node's."""
    if not isinstance(body, dict):
        return str(body)[:300]
    error = body.get("error")
    head = (str(error.get("message") or error.get("type") or "invalid workflow")
            if isinstance(error, dict) else str(error or "invalid workflow"))
    if isinstance(error, dict) and error.get("details"):
        head += f" ({str(error['details'])[:200]})"
    parts = []
    nodes = body.get("node_errors")
    if isinstance(nodes, dict):
        for nid, info in sorted(nodes.items()):
            if not isinstance(info, dict):
                continue
            for err in info.get("errors") or []:
                if isinstance(err, dict):
                    detail = f": {err['details']}" if err.get("details") else ""
                    parts.append(f"node {nid} ({info.get('class_type', '?')}): "
                                 f"{err.get('message', '?')}{detail}")
    text = head + ("; " + "; ".join(parts) if parts else "")
    return text[:1200]


def _execution_errors(messages: Any) -> str:
    found = []
    for item in messages if isinstance(messages, list) else []:
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[1], dict)):
            continue
        event, data = item
        if event == "execution_error":
            found.append(f"node {data.get('node_id', '?')} ({data.get('node_type', '?')}): "
                         f"{data.get('exception_type', 'error')}: "
                         f"{str(data.get('exception_message', '')).strip()[:400]}")
        elif event == "execution_interrupted":
            found.append(f"interrupted at node {data.get('node_id', '?')}")
    return "; ".join(found) or "the job failed without a message"


def _fit(data: bytes, width: int, height: int) -> bytes:
    """PNG bytes of exactly width x height: a custom workflow may make another size, so
    scale to cover and crop the middle, as the shipped workflows' ImageScale does."""
    try:
        with Image.open(io.BytesIO(data)) as opened:
            opened.load()
            image: Image.Image = opened
            kind = opened.format
    except (UnidentifiedImageError, OSError, ValueError):
        raise ProviderError(NAME, "the server sent an image that cannot be read") from None
    if image.size == (width, height) and kind == "PNG":
        return data
    if image.size != (width, height):
        scale = max(width / image.width, height / image.height)
        size = (max(width, round(image.width * scale)), max(height, round(image.height * scale)))
        image = image.resize(size, Image.Resampling.LANCZOS)
        left, top = (size[0] - width) // 2, (size[1] - height) // 2
        image = image.crop((left, top, left + width, top + height))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _finished(entry: dict[str, Any] | None) -> bool:
    if entry is None:
        return False
    status = entry.get("status")
    if isinstance(status, dict):
        return bool(status.get("completed")) and status.get("status_str") != "error"
    return bool(entry.get("outputs"))  # servers from before history had a status


def _failed(entry: dict[str, Any]) -> bool:
    status = entry.get("status")
    return isinstance(status, dict) and status.get("status_str") == "error"


def prompt_id_for(idempotency_key: str) -> str:
    """The prompt id a key's job is queued under: the same key always finds its job."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"shotline:comfyui:{idempotency_key}"))


class ComfyUIClient:
    """An ImageProvider over one ComfyUI server. `sleep`, `clock` and `transport` are
    for tests."""

    def __init__(self, config: ProviderConfig, workflows: Mapping[str, Workflow],
                 settings: Settings, *, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.config = config
        self.workflows = dict(workflows)
        self.settings = settings
        self.sleep = sleep
        self.clock = clock
        headers = {"Accept": "application/json"}
        token = config.secrets.get(TOKEN_ENV)
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.http = HttpClient(config, headers=headers, sleep=sleep, transport=transport)
        # POST /prompt is retried here, after looking for the job, never blindly.
        self._queue_http = httpx.Client(
            base_url=config.endpoint, headers=headers, transport=transport,
            timeout=httpx.Timeout(config.timeout_s, connect=min(10.0, config.timeout_s)),
            follow_redirects=False, trust_env=False)
        self.client_id = uuid.uuid4().hex  # ComfyUI's per-client channel; we poll instead

    def close(self) -> None:
        self.http.close()
        self._queue_http.close()

    # the call

    def generate(self, request: ImageRequest) -> ImageResult:
        workflow = self.workflows.get(request.model)
        if workflow is None:
            raise ProviderError(NAME, f"no workflow {request.model!r}; this server has "
                                f"{', '.join(sorted(self.workflows))}")
        self._check(request, workflow)
        seed = self._seed(request)
        prompt_id = (prompt_id_for(request.idempotency_key) if request.idempotency_key
                     else str(uuid.uuid4()))
        graph = self._shape(workflow, request)
        names = self._upload_all(request, graph)
        values = self._values(request, seed, prompt_id, names)
        graph = expand_references(graph, names.get("references", []), workflow.name)
        graph = fill(graph, values)
        fingerprint = hashlib.sha256(json.dumps(graph, sort_keys=True).encode()).hexdigest()
        prompt_id = self._submit(graph, prompt_id, fingerprint)
        entry = self._wait(prompt_id)
        images = self._images(graph, entry, prompt_id)
        return ImageResult(
            images=tuple(_fit(i, request.width, request.height) for i in images),
            seed=seed, cost_usd=CostModel().price(images=len(images)),
            model_version=f"{workflow.name}@{workflow.digest[:12]}", request_id=prompt_id)

    def _check(self, request: ImageRequest, workflow: Workflow) -> None:
        def refuse(message: str) -> ProviderError:
            return ProviderError(NAME, f"workflow {workflow.name!r}: {message}")

        if not (1 <= request.width <= MAX_SIDE and 1 <= request.height <= MAX_SIDE):
            raise refuse(f"size {request.width}x{request.height} is outside 1..{MAX_SIDE}")
        if request.count < 1:
            raise refuse("count must be at least 1")
        if request.count > 1 and "count" not in workflow.placeholders:
            raise refuse(f"{request.count} images asked for but it has no {{{{count}}}}")
        if not 0.0 <= request.strength <= 1.0:
            raise refuse(f"strength must be from 0 to 1, got {request.strength}")
        unknown = sorted(set(request.control) - set(_CONTROL_SLOTS))
        if unknown:
            raise refuse(f"no control of kind {', '.join(unknown)}; it takes "
                         f"{', '.join(_CONTROL_SLOTS)}")
        wanted = [slot for kind, slot in _CONTROL_SLOTS.items() if kind in request.control]
        if request.init_image is not None:
            wanted.append("init_image")
        if request.references:
            wanted.append("reference_image")
        for slot in wanted:
            if slot not in workflow.placeholders:
                raise refuse(f"the request has {IMAGE_SLOTS[slot]} but the workflow has no "
                             f"{{{{{slot}}}}} to use it")
        if len(request.references) > MAX_REFERENCES:
            raise refuse(f"{len(request.references)} references; at most {MAX_REFERENCES}")

    def _seed(self, request: ImageRequest) -> int:
        if request.seed is not None:
            if not 0 <= request.seed < 2**64:
                raise ProviderError(NAME, f"seed {request.seed} is outside 0..2^64-1")
            return request.seed
        if request.idempotency_key:  # a retried call must send the very same graph
            digest = hashlib.sha256(request.idempotency_key.encode()).digest()
            return int.from_bytes(digest[:4], "big")
        return secrets.randbelow(2**32)

    def _shape(self, workflow: Workflow, request: ImageRequest) -> Graph:
        graph = workflow.graph
        present = {"init_image": request.init_image is not None,
                   "reference_image": bool(request.references),
                   **{slot: kind in request.control for kind, slot in _CONTROL_SLOTS.items()}}
        for slot, given in present.items():
            if not given and slot in workflow.placeholders:
                graph = drop_slot(graph, slot, workflow.name)
        return graph

    def _values(self, request: ImageRequest, seed: int, prompt_id: str,
                names: Mapping[str, Any]) -> dict[str, Value]:
        s = self.settings
        latent_w, latent_h = latent_size(request.width, request.height, s.render_megapixels)
        values: dict[str, Value] = {
            **s.values,
            "prompt": request.prompt, "negative": request.negative_prompt, "seed": seed,
            "width": request.width, "height": request.height,
            "latent_width": latent_w, "latent_height": latent_h, "count": request.count,
            "denoise": float(request.strength), "steps": s.steps, "cfg": s.cfg,
            "sampler": s.sampler, "scheduler": s.scheduler, "checkpoint": s.checkpoint,
            "controlnet_depth": s.controlnet_depth, "controlnet_pose": s.controlnet_pose,
            "depth_strength": s.depth_strength, "pose_strength": s.pose_strength,
            "ipadapter_preset": s.ipadapter_preset, "reference_weight": s.reference_weight,
            "filename_prefix": f"shotline/{prompt_id}",
        }
        for slot in IMAGE_SLOTS:
            if slot == "reference_image":
                refs = names.get("references") or []
                if refs:
                    values[slot] = refs[0]
            elif slot in names:
                values[slot] = names[slot]
        return values

    # the wire

    def _upload_all(self, request: ImageRequest, graph: Graph) -> dict[str, Any]:
        """Upload each input image the (shaped) graph uses; the names LoadImage reads."""
        wanted = placeholders_in([n["inputs"] for n in graph.values()])
        names: dict[str, Any] = {}
        done: dict[bytes, str] = {}

        def up(data: bytes) -> str:
            if data not in done:
                done[data] = self._upload(data)
            return done[data]

        if request.init_image is not None and "init_image" in wanted:
            names["init_image"] = up(request.init_image)
        for kind, slot in _CONTROL_SLOTS.items():
            if kind in request.control and slot in wanted:
                names[slot] = up(request.control[kind])
        if request.references and "reference_image" in wanted:
            names["references"] = [up(r) for r in request.references]
        return names

    def _upload(self, data: bytes) -> str:
        filename = hashlib.sha256(data).hexdigest()[:32] + _suffix(data)
        fields = {"type": "input", "overwrite": "true", "subfolder": self.settings.subfolder}
        body, content_type = _multipart(fields, filename, data)
        answer = self.http.json("POST", "/upload/image", content=body,
                                headers={"Content-Type": content_type}, idempotency_header="")
        if not isinstance(answer, dict) or not isinstance(answer.get("name"), str):
            raise ProviderError(NAME, "the server's answer to an upload has no file name")
        folder = answer.get("subfolder") or ""
        return f"{folder}/{answer['name']}" if folder else str(answer["name"])

    def _history(self, prompt_id: str) -> dict[str, Any] | None:
        body = self.http.json("GET", f"/history/{prompt_id}", idempotency_header="")
        entry = body.get(prompt_id) if isinstance(body, dict) else None
        return entry if isinstance(entry, dict) else None

    def _queued(self, prompt_id: str) -> list[Any] | None:
        """The queue entry (running or waiting) for this prompt id, if there is one."""
        body = self.http.json("GET", "/queue", idempotency_header="")
        if not isinstance(body, dict):
            return None
        for key in ("queue_running", "queue_pending"):
            for item in body.get(key) or []:
                if isinstance(item, list) and len(item) > 1 and item[1] == prompt_id:
                    return item
        return None

    @staticmethod
    def _same_request(item: Any, fingerprint: str, prompt_id: str) -> None:
        extra = item[3] if isinstance(item, list) and len(item) > 3 else None
        theirs = extra.get("shotline_graph_sha256") if isinstance(extra, dict) else None
        if theirs is not None and theirs != fingerprint:
            raise ProviderError(NAME, f"prompt {prompt_id} already holds a different "
                                "request: the idempotency key was reused for other work")

    def _state(self, prompt_id: str) -> tuple[str, Any]:
        """Where the job stands: ("done", history entry), ("waiting", queue entry),
        ("failed", history entry) or ("missing", None). The queue is asked before a
        failure counts, since a failed job queued again keeps its old entry until the
        new run ends."""
        entry = self._history(prompt_id)
        if _finished(entry):
            return "done", entry
        item = self._queued(prompt_id)
        if item is not None:
            return "waiting", item
        entry = self._history(prompt_id)  # it may have finished between the two looks
        if _finished(entry):
            return "done", entry
        if entry is not None and _failed(entry):
            return "failed", entry
        return ("waiting", None) if entry is not None else ("missing", None)

    def _backoff(self, attempt: int, response: httpx.Response | None) -> float:
        asked = retry_after(response.headers) if response is not None else None
        if asked is not None:
            return min(asked, MAX_WAIT_S)
        base = self.config.backoff_s * (2 ** attempt)
        return float(base + random.uniform(0, base / 2))

    def _submit(self, graph: Graph, prompt_id: str, fingerprint: str) -> str:
        """Queue the graph under `prompt_id` unless that job is already queued, running
        or done; each retry looks again first, so a lost answer never runs it twice."""
        payload = {"prompt": graph, "client_id": self.client_id, "prompt_id": prompt_id,
                   "extra_data": {"shotline_graph_sha256": fingerprint}}
        attempts = self.config.retries + 1
        for attempt in range(attempts):
            last = attempt == attempts - 1
            state, found = self._state(prompt_id)
            if state in ("done", "waiting"):
                self._same_request(found.get("prompt") if state == "done" else found,
                                   fingerprint, prompt_id)
                return prompt_id
            # a failed job made nothing and the GPU is the production's own: run it again
            try:
                response = self._queue_http.post("/prompt", json=payload)
            except httpx.TransportError as exc:  # it may have been queued: look again
                if last:
                    raise ProviderError(NAME, f"cannot queue on {self.config.endpoint}: "
                                        f"{type(exc).__name__}", retryable=True) from None
                self.sleep(self._backoff(attempt, None))
                continue
            if response.status_code == 200:
                try:
                    body = response.json()
                except ValueError:
                    body = {}
                queued = body.get("prompt_id") if isinstance(body, dict) else None
                return str(queued or prompt_id)  # older servers choose their own id
            try:
                answer: Any = response.json()
            except ValueError:
                answer = response.text
            if response.status_code == 400:
                raise ProviderError(NAME, f"the server refused the workflow: "
                                    f"{_node_errors(answer)}", status=400)
            retryable = response.status_code in RETRY_STATUS
            if not retryable or last:
                raise ProviderError(NAME, f"refused ({response.status_code}) queuing the "
                                    f"workflow: {str(answer)[:300]}",
                                    status=response.status_code, retryable=retryable)
            self.sleep(self._backoff(attempt, response))
        raise AssertionError("unreachable")  # the loop returns or raises

    def _max_wait(self) -> float:
        if self.settings.max_wait_s is not None:
            return self.settings.max_wait_s
        return self.config.timeout_s * 10

    def _wait(self, prompt_id: str) -> dict[str, Any]:
        """The job's history entry once it has finished; ProviderError when it failed,
        vanished, or outlasted the wait (it stays queued: a retry with the same key
        picks it up)."""
        deadline = self.clock() + self._max_wait()
        missing = 0
        while True:
            state, found = self._state(prompt_id)
            if state == "done":
                return dict(found)
            if state == "failed":
                status = found.get("status") or {}
                raise ProviderError(NAME, "the workflow failed: "
                                    f"{_execution_errors(status.get('messages'))}")
            if state == "missing":
                missing += 1
                if missing >= 2:  # twice, so a job between queue and history is not lost
                    raise ProviderError(NAME, f"the server has no job {prompt_id} queued "
                                        "or done; it may have restarted", retryable=True)
            if self.clock() >= deadline:
                raise ProviderError(NAME, f"job {prompt_id} did not finish within "
                                    f"{self._max_wait():g} s; it is still on the server, and "
                                    "a retry with the same idempotency key waits for it",
                                    retryable=True)
            self.sleep(self.config.poll_s)

    def _images(self, graph: Graph, entry: dict[str, Any], prompt_id: str) -> list[bytes]:
        outputs = entry.get("outputs")
        outputs = outputs if isinstance(outputs, dict) else {}
        saves = sorted((nid for nid, node in graph.items()
                        if node["class_type"] == OUTPUT_CLASS),
                       key=lambda n: (not n.isdigit(), int(n) if n.isdigit() else 0, n))
        found: list[bytes] = []
        for nid in saves:
            node_out = outputs.get(nid)
            images = node_out.get("images") if isinstance(node_out, dict) else None
            for image in images if isinstance(images, list) else []:
                if not (isinstance(image, dict) and isinstance(image.get("filename"), str)):
                    continue
                params = {"filename": image["filename"],
                          "subfolder": str(image.get("subfolder") or ""),
                          "type": str(image.get("type") or "output")}
                found.append(self.http.request("GET", "/view", params=params,
                                               idempotency_header="").content)
        if not found:
            raise ProviderError(NAME, f"job {prompt_id} finished without images")
        return found


class ComfyUIPlugin:
    """The `comfyui` entry point."""

    def __init__(self) -> None:
        self._builtin = builtin_workflows()
        depth_pose = ModelInfo(
            "sdxl-depth-pose",
            frozenset({IMAGE, IMAGE_CONTROL_DEPTH, IMAGE_CONTROL_POSE, IMAGE_REFERENCE}),
            CostModel(), LOCAL_TERMS, max_references=MAX_REFERENCES,
            description="SDXL text to image guided by the previs depth pass and pose "
                        "skeletons (ControlNet) and identity references (IP-Adapter: the "
                        "server needs ComfyUI_IPAdapter_plus for requests with references)")
        img2img = ModelInfo(
            "sdxl-img2img", frozenset({IMAGE, IMAGE_EDIT}), CostModel(), LOCAL_TERMS,
            description="SDXL image to image: a previs frame redrawn, as far from it as "
                        "the request's strength says")
        for model in (depth_pose, img2img):
            require(self._builtin[model.name], model.capabilities)
        self.info = ProviderInfo(
            name=NAME, title="ComfyUI on the production's own GPUs",
            models=(depth_pose, img2img), where="local", credentials=(TOKEN_ENV,),
            default_endpoint=DEFAULT_ENDPOINT)

    def terms_for(self, config: ProviderConfig, terms: DataUseTerms) -> DataUseTerms:
        """Routing's hook: the declared (local) terms hold only on this host."""
        local = is_local_endpoint(config.endpoint or DEFAULT_ENDPOINT)
        return terms if local else UNKNOWN_TERMS

    def workflows(self, config: ProviderConfig,
                  settings: Settings | None = None) -> dict[str, Workflow]:
        """The shipped workflows with the production's own laid over them."""
        settings = settings or read_settings(config)
        found = dict(self._builtin)
        table = config.options.get("workflows", {})
        if not isinstance(table, dict):
            raise InputError(f"providers.{config.name}.workflows must be a table of "
                             "NAME = \"path/to/workflow.json\"")
        for name, path in table.items():
            if not isinstance(path, str) or not path:
                raise InputError(f"providers.{config.name}.workflows.{name} must be a path "
                                 f"to a JSON file, got {path!r}")
            workflow = load_workflow(name, path, settings.values)
            declared = next((m for m in self.info.models if m.name == name), None)
            require(workflow, declared.capabilities if declared else (IMAGE,))
            found[name] = workflow
        return found

    def models_for(self, config: ProviderConfig) -> tuple[ModelInfo, ...]:
        """Routing's hook: the shipped models, and the production's own workflows under
        their own names, each able to do what its placeholders allow."""
        declared = {m.name: m for m in self.info.models}
        extra = tuple(
            ModelInfo(name, workflow.capabilities, CostModel(), LOCAL_TERMS,
                      max_references=MAX_REFERENCES
                      if IMAGE_REFERENCE in workflow.capabilities else 0,
                      description=f"the production's workflow {workflow.source}")
            for name, workflow in self.workflows(config).items() if name not in declared)
        return self.info.models + extra

    def connect(self, config: ProviderConfig) -> ComfyUIClient:
        if not config.endpoint:
            config = replace(config, endpoint=DEFAULT_ENDPOINT)
        settings = read_settings(config)
        return ComfyUIClient(config, self.workflows(config, settings), settings)


COMFYUI = ComfyUIPlugin()
