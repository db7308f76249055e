"""The ComfyUI adapter against a fake ComfyUI: uploads, queue, history, view, and the
ways a job goes wrong."""

from __future__ import annotations

import hashlib
import io
import json
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from shotline.errors import InputError
from shotline.governance.terms import DataUseTerms
from shotline.providers import comfyui
from shotline.providers.comfyui import (
    COMFYUI,
    LOCAL_TERMS,
    ComfyUIClient,
    builtin_workflows,
    drop_slot,
    fill,
    latent_size,
    prompt_id_for,
    terms_for_endpoint,
)
from shotline.providers.protocols import ImageProvider, ProviderConfig, ProviderError
from shotline.providers.types import IMAGE_REFERENCE, ImageRequest
from tests.providers.fakeserver import FakeService, Reply, Seen, serving

# Inputs each node class must be given, as ComfyUI's INPUT_TYPES "required" says.
REQUIRED = {
    "CheckpointLoaderSimple": {"ckpt_name"},
    "CLIPTextEncode": {"text", "clip"},
    "LoadImage": {"image"},
    "ControlNetLoader": {"control_net_name"},
    "ControlNetApplyAdvanced": {"positive", "negative", "control_net", "image", "strength",
                                "start_percent", "end_percent"},
    "IPAdapterUnifiedLoader": {"model", "preset"},
    "IPAdapterAdvanced": {"model", "ipadapter", "image", "weight", "weight_type",
                          "combine_embeds", "start_at", "end_at", "embeds_scaling"},
    "ImageBatch": {"image1", "image2"},
    "EmptyLatentImage": {"width", "height", "batch_size"},
    "KSampler": {"model", "seed", "steps", "cfg", "sampler_name", "scheduler", "positive",
                 "negative", "latent_image", "denoise"},
    "VAEDecode": {"samples", "vae"},
    "VAEEncode": {"pixels", "vae"},
    "RepeatLatentBatch": {"samples", "amount"},
    "ImageScale": {"image", "upscale_method", "width", "height", "crop"},
    "SaveImage": {"images", "filename_prefix"},
}
CHECKPOINTS = {"sd_xl_base_1.0.safetensors"}


def png(color: tuple[int, int, int], size: tuple[int, int] = (32, 18)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def jpeg(color: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (24, 24), color).save(out, format="JPEG")
    return out.getvalue()


def stored_name(data: bytes, suffix: str = ".png") -> str:
    return "shotline/" + hashlib.sha256(data).hexdigest()[:32] + suffix


def graph_problems(graph: Any, uploads: dict[str, bytes] | None = None) -> dict[str, str]:
    """What ComfyUI's validation would say about a graph, node id -> message; with the
    server's uploads, about its files and models too."""
    if not isinstance(graph, dict) or not graph:
        return {"": "not a graph"}
    problems: dict[str, str] = {}
    for nid, node in graph.items():
        if not (isinstance(node, dict) and isinstance(node.get("class_type"), str)
                and isinstance(node.get("inputs"), dict)):
            problems[nid] = "no class_type or inputs"
            continue
        cls, inputs = node["class_type"], node["inputs"]
        if cls not in REQUIRED:
            problems[nid] = f"unknown class {cls}"
            continue
        missing = REQUIRED[cls] - set(inputs)
        if missing:
            problems[nid] = f"required input missing: {sorted(missing)}"
        for key, value in inputs.items():
            if isinstance(value, list) and not (
                    len(value) == 2 and isinstance(value[0], str) and value[0] in graph
                    and isinstance(value[1], int)):
                problems[nid] = f"bad link {key}={value!r}"
        if uploads is not None and cls == "LoadImage" and inputs.get("image") not in uploads:
            problems[nid] = f"Invalid image file: {inputs.get('image')}"
        if (uploads is not None and cls == "CheckpointLoaderSimple"
                and inputs.get("ckpt_name") not in CHECKPOINTS):
            problems[nid] = f"ckpt_name: {inputs.get('ckpt_name')!r} not in list"
    return problems


@dataclass
class Job:
    number: int
    graph: dict[str, Any]
    extra: dict[str, Any]
    polls: int  # history answers "not yet" this many more times
    outcome: str
    pending: bool = True
    finished: dict[str, Any] | None = None  # the last run's history entry


@dataclass
class FakeComfy:
    """A ComfyUI as far as its HTTP API goes."""

    polls: int = 2
    outcome: str = "success"  # or "error"
    lose_answer: int = 0  # POST /prompt answers 502 after queuing, this many times
    honour_prompt_id: bool = True
    uploads: dict[str, bytes] = field(default_factory=dict)
    jobs: dict[str, Job] = field(default_factory=dict)
    files: dict[tuple[str, str], bytes] = field(default_factory=dict)
    events: list[str] = field(default_factory=list)
    graphs: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def queued(self) -> int:
        return sum(1 for e in self.events if e.startswith("queue:"))

    def __call__(self, seen: Seen) -> Reply:
        with self.lock:
            if seen.method == "POST" and seen.path == "/upload/image":
                return self.upload(seen)
            if seen.method == "POST" and seen.path == "/prompt":
                return self.prompt(seen)
            if seen.method == "GET" and seen.path == "/queue":
                running = [[j.number, pid, j.graph, j.extra, []]
                           for pid, j in self.jobs.items() if j.pending]
                return Reply(body={"queue_running": running[:1], "queue_pending": running[1:]})
            if seen.method == "GET" and seen.path.startswith("/history/"):
                return self.history(seen.path.removeprefix("/history/"))
            if seen.method == "GET" and seen.path == "/view":
                key = (seen.query["subfolder"][0], seen.query["filename"][0])
                assert seen.query["type"] == ["output"]
                return Reply(body=self.files[key], headers={"Content-Type": "image/png"})
            return Reply(404, b"not found")

    def upload(self, seen: Seen) -> Reply:
        head = f"Content-Type: {seen.headers['content-type']}\r\n\r\n".encode()
        message = BytesParser(policy=policy.HTTP).parsebytes(head + seen.body)
        form: dict[str, str] = {}
        image: tuple[str, bytes] | None = None
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            filename = part.get_filename()
            if filename:
                image = (filename, payload)
            else:
                form[str(name)] = payload.decode()
        assert image is not None and form["type"] == "input" and form["overwrite"] == "true"
        folder = form.get("subfolder", "")
        self.uploads[f"{folder}/{image[0]}" if folder else image[0]] = image[1]
        self.events.append(f"upload:{image[0]}")
        return Reply(body={"name": image[0], "subfolder": folder, "type": "input"})

    def prompt(self, seen: Seen) -> Reply:
        body = seen.json()
        graph = body["prompt"]
        problems = graph_problems(graph, self.uploads)
        if problems:
            return Reply(400, {
                "error": {"type": "prompt_outputs_failed_validation",
                          "message": "Prompt outputs failed validation", "details": "",
                          "extra_info": {}},
                "node_errors": {nid: {"errors": [{"type": "value_not_in_list",
                                                  "message": "Value not in list",
                                                  "details": text, "extra_info": {}}],
                                      "dependent_outputs": [],
                                      "class_type": graph.get(nid, {}).get("class_type", "")}
                                for nid, text in problems.items()}})
        pid = body.get("prompt_id") if self.honour_prompt_id else None
        pid = pid or str(uuid.uuid4())
        old = self.jobs.get(pid)
        self.jobs[pid] = Job(len(self.events), graph, dict(body.get("extra_data", {})),
                             self.polls, self.outcome,
                             finished=old.finished if old else None)
        self.events.append(f"queue:{pid}")
        self.graphs.append(graph)
        if self.lose_answer:
            self.lose_answer -= 1
            return Reply(502, b"bad gateway")
        return Reply(body={"prompt_id": pid, "number": len(self.events), "node_errors": {}})

    def history(self, pid: str) -> Reply:
        job = self.jobs.get(pid)
        if job is None:
            return Reply(body={})
        if job.pending:
            if job.polls > 0:
                job.polls -= 1
                return Reply(body={pid: job.finished} if job.finished else {})
            job.pending = False
            job.finished = self.finish(pid, job)
        return Reply(body={pid: job.finished})

    def finish(self, pid: str, job: Job) -> dict[str, Any]:
        item = [job.number, pid, job.graph, job.extra, []]
        if job.outcome == "error":
            return {"prompt": item, "outputs": {}, "status": {
                "status_str": "error", "completed": False, "messages": [
                    ["execution_start", {"prompt_id": pid}],
                    ["execution_error", {"prompt_id": pid, "node_id": "14",
                                         "node_type": "KSampler",
                                         "exception_type": "torch.OutOfMemoryError",
                                         "exception_message": "CUDA out of memory"}]]}}
        outputs: dict[str, Any] = {}
        for nid, node in job.graph.items():
            if node["class_type"] != "SaveImage":
                continue
            size, count = self.render_size(job.graph, node["inputs"]["images"][0])
            images = []
            for i in range(count):
                name = f"{pid}_{i:05}_.png"
                self.files[("shotline", name)] = png((40 * i % 255, 90, 160), size)
                images.append({"filename": name, "subfolder": "shotline", "type": "output"})
            outputs[nid] = {"images": images}
        return {"prompt": item, "outputs": outputs, "status": {
            "status_str": "success", "completed": True,
            "messages": [["execution_start", {"prompt_id": pid}],
                         ["execution_success", {"prompt_id": pid}]]}}

    @staticmethod
    def render_size(graph: dict[str, Any], nid: str) -> tuple[tuple[int, int], int]:
        count = 1
        for node in graph.values():
            if node["class_type"] == "EmptyLatentImage":
                count = node["inputs"]["batch_size"]
            if node["class_type"] == "RepeatLatentBatch":
                count = node["inputs"]["amount"]
        source = graph[nid]
        if source["class_type"] == "ImageScale":
            return (source["inputs"]["width"], source["inputs"]["height"]), count
        return (64, 48), count


@pytest.fixture
def fake() -> Iterator[tuple[FakeComfy, FakeService]]:
    server = FakeComfy()
    with serving(server) as service:
        yield server, service


def connect(service: FakeService, **options: Any) -> ComfyUIClient:
    secrets = options.pop("secrets", {})
    config = ProviderConfig(name="comfyui", endpoint=service.url, timeout_s=5.0, retries=2,
                            backoff_s=0.01, poll_s=0.01, secrets=secrets, options=options)
    return COMFYUI.connect(config)


DEPTH, POSE = png((200, 200, 200)), png((0, 0, 0))
FACE_A, FACE_B = png((220, 180, 150)), jpeg((120, 90, 60))


def shot(**changes: Any) -> ImageRequest:
    base: dict[str, Any] = dict(
        model="sdxl-depth-pose", prompt='MARA, 40s, "tired" {rain} at the window',
        negative_prompt="blurry", width=960, height=540, seed=1234,
        control={"depth": DEPTH, "pose": POSE}, references=(FACE_A, FACE_B),
        idempotency_key="take-1")
    base.update(changes)
    return ImageRequest(**base)


def by_class(graph: dict[str, Any], cls: str) -> dict[str, dict[str, Any]]:
    return {nid: n for nid, n in graph.items() if n["class_type"] == cls}


# -- the plugin -----------------------------------------------------------------------------

def test_discover_finds_comfyui() -> None:
    from shotline.providers.registry import discover

    plugins, broken = discover()
    assert "comfyui" in plugins
    assert "comfyui" not in {b.name for b in broken}
    info = plugins["comfyui"].info
    assert info.name == "comfyui" and info.where == "local"
    assert info.default_endpoint == "http://127.0.0.1:8188"
    assert info.credentials == ("COMFYUI_TOKEN",)
    assert {m.name for m in info.models} == {"sdxl-depth-pose", "sdxl-img2img"}
    assert all(m.cost.free and m.terms == LOCAL_TERMS for m in info.models)
    assert IMAGE_REFERENCE in info.model("sdxl-depth-pose").capabilities


def test_connect_gives_an_image_provider(fake: tuple[FakeComfy, FakeService]) -> None:
    client = connect(fake[1])
    assert isinstance(client, ImageProvider)
    client.close()


def test_local_terms_leave_nothing_unknown() -> None:
    assert LOCAL_TERMS.unknown() == []
    assert LOCAL_TERMS.regions == ("local",) and LOCAL_TERMS.retention_days == 0


@pytest.mark.parametrize("endpoint", ["http://127.0.0.1:8188", "http://localhost:8188",
                                      "http://[::1]:8188", "http://127.0.0.2:9000/",
                                      "https://LOCALHOST"])
def test_terms_on_this_host_are_local(endpoint: str) -> None:
    assert terms_for_endpoint(endpoint) == LOCAL_TERMS


@pytest.mark.parametrize("endpoint", ["http://192.168.1.20:8188", "http://gpu-box:8188",
                                      "https://comfy.example.com", "http://0.0.0.0:8188",
                                      "http://127.0.0.1.example.com", "not a url", ""])
def test_terms_elsewhere_are_unknown(endpoint: str) -> None:
    assert terms_for_endpoint(endpoint) == DataUseTerms()


def test_routing_hook_drops_terms_for_a_remote_endpoint() -> None:
    from shotline.providers.routing import endpoint_terms

    local = ProviderConfig(name="comfyui", endpoint="http://127.0.0.1:8188")
    remote = ProviderConfig(name="comfyui", endpoint="http://10.0.0.7:8188")
    assert endpoint_terms(COMFYUI, local, LOCAL_TERMS) == LOCAL_TERMS
    assert endpoint_terms(COMFYUI, remote, LOCAL_TERMS).unknown() == list(
        DataUseTerms().to_dict())


def test_shipped_workflows_are_valid_graphs() -> None:
    found = builtin_workflows()
    assert set(found) == {"sdxl-depth-pose", "sdxl-img2img"}
    for workflow in found.values():
        assert graph_problems(workflow.graph) == {}
    assert found["sdxl-depth-pose"].capabilities >= COMFYUI.info.model(
        "sdxl-depth-pose").capabilities
    assert found["sdxl-img2img"].capabilities >= COMFYUI.info.model("sdxl-img2img").capabilities


def test_latent_size_is_about_a_megapixel_in_multiples_of_64() -> None:
    assert latent_size(960, 540, 1.0) == (1344, 768)
    assert latent_size(1024, 1024, 1.0) == (1024, 1024)
    assert latent_size(960, 540, 0) == (960, 512)
    assert latent_size(10, 10, 0) == (64, 64)


# -- a shot, end to end ---------------------------------------------------------------------

def test_depth_pose_with_references(fake: tuple[FakeComfy, FakeService]) -> None:
    server, service = fake
    client = connect(service)
    result = client.generate(shot())
    client.close()

    # every input image is uploaded, under its hash, before the job is queued
    uploads = [e for e in server.events if e.startswith("upload:")]
    assert len(uploads) == 4 and server.events.index(uploads[-1]) < server.events.index(
        next(e for e in server.events if e.startswith("queue:")))
    assert server.uploads[stored_name(DEPTH)] == DEPTH
    assert server.uploads[stored_name(FACE_B, ".jpg")] == FACE_B
    assert server.queued == 1
    graph = server.graphs[0]
    assert graph["2"]["inputs"]["text"] == 'MARA, 40s, "tired" {rain} at the window'
    assert graph["3"]["inputs"]["text"] == "blurry"
    sampler = graph["14"]["inputs"]
    assert sampler["seed"] == 1234 and sampler["steps"] == 30 and sampler["cfg"] == 6.0
    assert sampler["positive"] == ["9", 0] and sampler["negative"] == ["9", 1]
    assert graph["13"]["inputs"] == {"width": 1344, "height": 768, "batch_size": 1}
    assert graph["16"]["inputs"]["width"] == 960 and graph["16"]["inputs"]["height"] == 540
    assert graph["4"]["inputs"]["image"] == stored_name(DEPTH)
    assert graph["7"]["inputs"]["image"] == stored_name(POSE)
    assert graph["6"]["inputs"]["strength"] == 0.6 and graph["9"]["inputs"]["strength"] == 0.8
    # two references: a second loader, and a batch that the IP-Adapter takes
    loads = {n["inputs"]["image"] for n in by_class(graph, "LoadImage").values()}
    assert loads == {stored_name(DEPTH), stored_name(POSE), stored_name(FACE_A),
                     stored_name(FACE_B, ".jpg")}
    (batch_id, batch), = by_class(graph, "ImageBatch").items()
    assert batch["inputs"]["image1"] == ["10", 0]
    assert graph["12"]["inputs"]["image"] == [batch_id, 0]
    assert graph["12"]["inputs"]["weight"] == 0.7
    assert graph["11"]["inputs"]["preset"] == "PLUS FACE (portraits)"
    pid = prompt_id_for("take-1")
    assert graph["17"]["inputs"]["filename_prefix"] == f"shotline/{pid}"

    assert result.request_id == pid and result.seed == 1234 and result.cost_usd == 0.0
    assert result.model_version.startswith("sdxl-depth-pose@")
    assert len(result.images) == 1
    with Image.open(io.BytesIO(result.images[0])) as image:
        assert image.format == "PNG" and image.size == (960, 540)


def test_img2img_takes_the_previs_frame(fake: tuple[FakeComfy, FakeService]) -> None:
    server, service = fake
    frame = png((10, 120, 30), (96, 54))
    client = connect(service, steps=12, cfg=4.5, checkpoint="sd_xl_base_1.0.safetensors")
    result = client.generate(ImageRequest(
        model="sdxl-img2img", prompt="night exterior", width=640, height=360, seed=7,
        init_image=frame, strength=0.35, count=2, idempotency_key="take-2"))
    graph = server.graphs[0]
    assert graph["4"]["inputs"]["image"] == stored_name(frame)
    assert graph["8"]["inputs"]["denoise"] == 0.35 and graph["8"]["inputs"]["steps"] == 12
    assert graph["8"]["inputs"]["cfg"] == 4.5 and graph["8"]["inputs"]["seed"] == 7
    assert graph["7"]["inputs"]["amount"] == 2
    assert graph["5"]["inputs"]["width"] == 1344 and graph["5"]["inputs"]["height"] == 768
    assert len(result.images) == 2 and result.seed == 7


def test_missing_guides_are_bypassed(fake: tuple[FakeComfy, FakeService]) -> None:
    server, service = fake
    client = connect(service)
    client.generate(shot(control={}, references=()))
    graph = server.graphs[0]
    classes = {n["class_type"] for n in graph.values()}
    assert not classes & {"LoadImage", "ControlNetLoader", "ControlNetApplyAdvanced",
                          "IPAdapterUnifiedLoader", "IPAdapterAdvanced"}
    sampler = graph["14"]["inputs"]
    assert sampler["model"] == ["1", 0]
    assert sampler["positive"] == ["2", 0] and sampler["negative"] == ["3", 0]
    assert not server.uploads


def test_depth_alone_keeps_the_depth_controlnet(fake: tuple[FakeComfy, FakeService]) -> None:
    server, service = fake
    connect(service).generate(shot(control={"depth": DEPTH}, references=(FACE_A,)))
    graph = server.graphs[0]
    assert set(by_class(graph, "ControlNetApplyAdvanced")) == {"6"}
    assert graph["14"]["inputs"]["positive"] == ["6", 0]
    assert graph["14"]["inputs"]["negative"] == ["6", 1]
    assert graph["14"]["inputs"]["model"] == ["12", 0]
    assert graph["10"]["inputs"]["image"] == stored_name(FACE_A)
    assert "ImageBatch" not in {n["class_type"] for n in graph.values()}


def test_without_a_seed_a_keyed_request_sends_the_same_graph(
        fake: tuple[FakeComfy, FakeService]) -> None:
    server, service = fake
    first = connect(service).generate(shot(seed=None, idempotency_key="k-9"))
    server.jobs.clear()  # as if the server forgot, so the retry queues again
    second = connect(service).generate(shot(seed=None, idempotency_key="k-9"))
    assert first.seed == second.seed is not None
    assert server.graphs[0] == server.graphs[1]


def test_bearer_token_only_when_set(fake: tuple[FakeComfy, FakeService]) -> None:
    service = fake[1]
    connect(service, secrets={"COMFYUI_TOKEN": "s3cret"}).generate(shot())
    assert service.seen and all(s.headers.get("authorization") == "Bearer s3cret"
                                for s in service.seen)
    service.seen.clear()
    connect(service).generate(shot(idempotency_key="take-other"))
    assert service.seen and not any("authorization" in s.headers for s in service.seen)


# -- failures -------------------------------------------------------------------------------

def test_node_errors_are_summarised(fake: tuple[FakeComfy, FakeService]) -> None:
    server, service = fake
    client = connect(service, checkpoint="no-such.safetensors")
    with pytest.raises(ProviderError) as caught:
        client.generate(shot())
    message = str(caught.value)
    assert caught.value.status == 400 and not caught.value.retryable
    assert "Prompt outputs failed validation" in message
    assert "node 1 (CheckpointLoaderSimple)" in message and "no-such.safetensors" in message
    assert server.queued == 0


def test_an_execution_error_is_reported(fake: tuple[FakeComfy, FakeService]) -> None:
    server, service = fake
    server.outcome = "error"
    with pytest.raises(ProviderError) as caught:
        connect(service).generate(shot())
    assert "node 14 (KSampler)" in str(caught.value)
    assert "CUDA out of memory" in str(caught.value)
    # a failed job made nothing: the same key runs it again, and waits for the new run
    # rather than reading the old failure that history still holds meanwhile
    server.outcome = "success"
    result = connect(service).generate(shot())
    assert server.queued == 2 and len(result.images) == 1


def test_a_slow_job_times_out_and_a_retry_picks_it_up(
        fake: tuple[FakeComfy, FakeService]) -> None:
    server, service = fake
    server.polls = 10**6
    with pytest.raises(ProviderError) as caught:
        connect(service, max_wait_s=0.15).generate(shot())
    assert caught.value.retryable
    assert prompt_id_for("take-1") in str(caught.value)
    server.jobs[prompt_id_for("take-1")].polls = 1  # the GPU gets to it
    result = connect(service).generate(shot())
    assert server.queued == 1 and len(result.images) == 1


def test_the_same_key_never_runs_twice(fake: tuple[FakeComfy, FakeService]) -> None:
    server, service = fake
    first = connect(service).generate(shot())
    second = connect(service).generate(shot())
    assert server.queued == 1
    assert first.images == second.images and first.request_id == second.request_id


def test_a_lost_answer_to_queuing_is_not_queued_again(
        fake: tuple[FakeComfy, FakeService]) -> None:
    server, service = fake
    server.lose_answer = 1
    result = connect(service).generate(shot())
    assert server.queued == 1 and len(result.images) == 1


def test_a_key_reused_for_other_work_is_refused(fake: tuple[FakeComfy, FakeService]) -> None:
    server, service = fake
    connect(service).generate(shot())
    with pytest.raises(ProviderError, match="reused"):
        connect(service).generate(shot(prompt="a different shot"))
    assert server.queued == 1


def test_a_job_the_server_forgot(fake: tuple[FakeComfy, FakeService]) -> None:
    server, service = fake
    server.polls = 10**6
    client = connect(service)
    real_sleep = client.sleep

    def forget(seconds: float) -> None:
        server.jobs.clear()  # the server restarts while we wait
        real_sleep(seconds)

    client.sleep = forget
    with pytest.raises(ProviderError, match="restarted") as caught:
        client.generate(shot())
    assert caught.value.retryable


def test_an_older_server_that_picks_its_own_prompt_id(
        fake: tuple[FakeComfy, FakeService]) -> None:
    server, service = fake
    server.honour_prompt_id = False
    result = connect(service).generate(shot())
    assert result.request_id != prompt_id_for("take-1") and len(result.images) == 1


@pytest.mark.parametrize(("change", "message"), [
    ({"model": "sdxl-img2img"}, "no {{depth_image}}"),
    ({"model": "nope"}, "no workflow 'nope'"),
    ({"control": {"canny": DEPTH}}, "no control of kind canny"),
    ({"references": (FACE_A,) * 5}, "at most 4"),
    ({"seed": -1}, "seed -1"),
    ({"strength": 1.5}, "strength"),
    ({"init_image": b"GIF89a..."}, "no {{init_image}}"),
])
def test_requests_the_workflow_cannot_honour(fake: tuple[FakeComfy, FakeService],
                                             change: dict[str, Any], message: str) -> None:
    server, service = fake
    with pytest.raises(ProviderError) as caught:
        connect(service).generate(shot(**change))
    assert message in str(caught.value)
    assert server.queued == 0


def test_img2img_needs_an_init_image(fake: tuple[FakeComfy, FakeService]) -> None:
    server, service = fake
    request = ImageRequest(model="sdxl-img2img", prompt="x", width=64, height=64, seed=1)
    with pytest.raises(ProviderError, match=r"needs an init image: its output node 11 "):
        connect(service).generate(request)
    assert server.queued == 0 and not server.uploads


# -- a production's own workflows -----------------------------------------------------------

SKETCH = {
    "1": {"class_type": "CheckpointLoaderSimple",
          "inputs": {"ckpt_name": "sd_xl_base_1.0.safetensors"}},
    "2": {"class_type": "CLIPTextEncode",
          "inputs": {"text": "{{prompt}}, {{ style }}", "clip": ["1", 1]}},
    "3": {"class_type": "CLIPTextEncode", "inputs": {"text": "", "clip": ["1", 1]}},
    "4": {"class_type": "EmptyLatentImage",
          "inputs": {"width": 512, "height": 512, "batch_size": 1}},
    "5": {"class_type": "KSampler",
          "inputs": {"model": ["1", 0], "seed": "{{seed}}", "steps": 8, "cfg": 2.0,
                     "sampler_name": "euler", "scheduler": "normal", "positive": ["2", 0],
                     "negative": ["3", 0], "latent_image": ["4", 0], "denoise": 1.0}},
    "6": {"class_type": "VAEDecode", "inputs": {"samples": ["5", 0], "vae": ["1", 2]}},
    "7": {"class_type": "SaveImage",
          "inputs": {"images": ["6", 0], "filename_prefix": "sketch/{{seed}}"}},
}


def write(tmp_path: Path, graph: Any, name: str = "wf.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(graph) if not isinstance(graph, str) else graph)
    return str(path)


def test_a_custom_workflow_from_options(fake: tuple[FakeComfy, FakeService],
                                        tmp_path: Path) -> None:
    server, service = fake
    client = connect(service, workflows={"sketch": write(tmp_path, SKETCH)},
                     values={"style": "charcoal on grey paper"})
    result = client.generate(ImageRequest(model="sketch", prompt='a "cat" {x}', width=320,
                                          height=200, seed=99))
    graph = server.graphs[0]
    assert graph["2"]["inputs"]["text"] == 'a "cat" {x}, charcoal on grey paper'
    assert graph["5"]["inputs"]["seed"] == 99
    assert graph["7"]["inputs"]["filename_prefix"] == "sketch/99"
    with Image.open(io.BytesIO(result.images[0])) as image:  # the fake made 64x48
        assert image.size == (320, 200)
    assert "sdxl-depth-pose" in client.workflows  # the shipped ones stay


def test_a_custom_workflow_replacing_a_shipped_one_needs_its_placeholders(
        tmp_path: Path) -> None:
    config = ProviderConfig(name="comfyui", options={
        "workflows": {"sdxl-img2img": write(tmp_path, SKETCH)},
        "values": {"style": "ink"}})
    with pytest.raises(InputError, match=r"\{\{denoise\}\}, \{\{init_image\}\}"):
        COMFYUI.connect(config)


@pytest.mark.parametrize(("graph", "message"), [
    ({"nodes": [], "links": []}, "UI format"),
    ({"prompt": SKETCH}, "POST /prompt body"),
    ([1, 2], "API-format graph"),
    ({"1": {"inputs": {}}}, "node 1 has no class_type"),
    ({**SKETCH, "6": {"class_type": "VAEDecode", "inputs": {"samples": ["9", 0],
                                                           "vae": ["1", 2]}}},
     "links to node 9"),
    ({**SKETCH, "4": {"class_type": "EmptyLatentImage", "inputs": {"width": [512]}}},
     "not a link"),
    ({k: v for k, v in SKETCH.items() if k != "7"}, "no SaveImage"),
    ({**SKETCH, "3": {"class_type": "CLIPTextEncode",
                      "inputs": {"text": "{{mood}}", "clip": ["1", 1]}}},
     "unknown placeholder {{mood}}"),
    ({**SKETCH, "8": {"class_type": "LoadImage", "inputs": {"image": "in/{{init_image}}"}}},
     "must be the whole value"),
    ("{not json", "not JSON"),
])
def test_bad_custom_workflows(tmp_path: Path, graph: Any, message: str) -> None:
    config = ProviderConfig(name="comfyui", options={
        "workflows": {"mine": write(tmp_path, graph)}, "values": {"style": "x"}})
    with pytest.raises(InputError) as caught:
        COMFYUI.connect(config)
    assert message in str(caught.value)
    assert str(tmp_path) in str(caught.value)  # the message names the file


def test_a_missing_workflow_file(tmp_path: Path) -> None:
    config = ProviderConfig(name="comfyui",
                            options={"workflows": {"mine": str(tmp_path / "gone.json")}})
    with pytest.raises(InputError, match="cannot read workflow 'mine'"):
        COMFYUI.connect(config)


@pytest.mark.parametrize(("options", "message"), [
    ({"steps": 0}, "steps"), ({"cfg": "high"}, "cfg"), ({"subfolder": "../etc"}, "subfolder"),
    ({"values": {"prompt": "x"}}, "filled by the adapter"), ({"workflows": ["a"]}, "table"),
    ({"checkpoint": ""}, "checkpoint"),
])
def test_bad_options(options: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=message):
        COMFYUI.connect(ProviderConfig(name="comfyui", options=options))


# -- properties -----------------------------------------------------------------------------

# Text that looks like JSON or like placeholders, which must come through as it is.
TRICKY = st.lists(st.sampled_from(["{", "}", "{{", "}}", '"', "\\", "'", "\n", "{{seed}}",
                                   "{{ prompt }}", "{{nope}}", "a", " ", "é"]),
                  max_size=12).map("".join)


@settings(max_examples=150, deadline=None)
@given(prompt=st.one_of(TRICKY, st.text(max_size=60)),
       negative=st.one_of(TRICKY, st.text(max_size=20)))
def test_filling_keeps_text_verbatim_and_the_graph_valid(prompt: str, negative: str) -> None:
    workflow = builtin_workflows()["sdxl-depth-pose"]
    values: dict[str, Any] = {
        "prompt": prompt, "negative": negative, "seed": 5, "width": 960, "height": 540,
        "latent_width": 1344, "latent_height": 768, "count": 1, "denoise": 1.0, "steps": 4,
        "cfg": 5.0, "sampler": "euler", "scheduler": "normal", "checkpoint": "c",
        "controlnet_depth": "d", "controlnet_pose": "p", "depth_strength": 0.5,
        "pose_strength": 0.5, "ipadapter_preset": "PLUS FACE (portraits)",
        "reference_weight": 0.7, "filename_prefix": "shotline/x", "depth_image": "d.png",
        "pose_image": "p.png", "reference_image": "r.png"}
    graph = json.loads(json.dumps(fill(workflow.graph, values)))
    assert graph["2"]["inputs"]["text"] == prompt and graph["3"]["inputs"]["text"] == negative
    assert graph_problems(graph) == {}
    rest = {nid: n["inputs"] for nid, n in graph.items() if nid not in ("2", "3")}
    assert "{{" not in json.dumps(rest)
    assert graph["14"]["inputs"]["seed"] == 5 and graph["16"]["inputs"]["width"] == 960


@settings(max_examples=40, deadline=None)
@given(dropped=st.sets(st.sampled_from(["depth_image", "pose_image", "reference_image"])))
def test_dropping_any_guides_leaves_a_valid_graph(dropped: set[str]) -> None:
    workflow = builtin_workflows()["sdxl-depth-pose"]
    graph = workflow.graph
    for slot in sorted(dropped):
        graph = drop_slot(graph, slot, workflow.name)
    assert graph_problems(graph) == {}
    kept = comfyui.placeholders_in([n["inputs"] for n in graph.values()])
    assert not kept & dropped
    assert {"depth_image", "pose_image", "reference_image"} - dropped <= kept
    assert "17" in graph and graph["14"]["inputs"]["latent_image"] == ["13", 0]
