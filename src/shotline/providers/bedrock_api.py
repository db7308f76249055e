"""Amazon Bedrock over plain HTTP: Converse for text, InvokeModel for Nova Canvas images,
StartAsyncInvoke for Nova Reel video (the clip lands in the production's own S3 bucket).

Every request is signed with AWS Signature Version 4. botocore is used for the signing
and nothing else (install the `bedrock` extra); the calls themselves go through the same
HttpClient as every other provider.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
import re
import secrets
import uuid
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any
from urllib.parse import quote

import httpx

from shotline.governance.terms import DataUseTerms
from shotline.providers.http import HttpClient
from shotline.providers.protocols import ProviderConfig, ProviderError
from shotline.providers.types import (
    IMAGE,
    IMAGE_EDIT,
    TEXT,
    TEXT_STRUCTURED,
    VIDEO,
    CostModel,
    ImageRequest,
    ImageResult,
    ModelInfo,
    ProviderInfo,
    TextRequest,
    TextResult,
    Usage,
    VideoJob,
    VideoRequest,
    VideoResult,
)

NAME = "bedrock"
DEFAULT_REGION = "us-east-1"
ENDPOINT_TEMPLATE = "https://bedrock-runtime.{region}.amazonaws.com"
KEY_ID_ENV, SECRET_ENV, TOKEN_ENV = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                                     "AWS_SESSION_TOKEN")
INSTALL_HINT = "pip install 'shotline[bedrock]'"

CANVAS = "amazon.nova-canvas-v1:0"
REEL = "amazon.nova-reel-v1:0"

# Read against the Bedrock user guide (data protection, data retention, abuse detection)
# on 2026-11-21.
VERIFIED_AT = date(2026, 11, 21)
EVIDENCE_URL = "https://docs.aws.amazon.com/bedrock/latest/userguide/data-protection.html"
# Bedrock does not store or log prompts and completions, does not use them to train any
# model and does not pass them to the model's provider; abuse detection is automated.
# Since 2026 an account may set a per-Region data_retention_mode: under "default" or
# "none" nothing changes for the models below (Amazon's own, and Claude models released
# before Claude Fable 5); an account set to "aws_review" or "provider_data_share" is not
# covered by these terms and must declare its own in [providers.bedrock.terms]. Nova
# Reel's clip is written to the production's S3 bucket, whose retention is the
# production's; Bedrock keeps no copy. Processing stays in the configured Region: every
# model here is called by its in-Region id (no cross-Region inference profile), and
# terms_for puts the configured Region in place of the default below.
TERMS = DataUseTerms(trains_on_inputs=False, trains_on_outputs=False, retention_days=0,
                     zero_data_retention=True, human_review=False, regions=(DEFAULT_REGION,),
                     evidence_url=EVIDENCE_URL, verified_at=VERIFIED_AT)

# Nova Canvas sizes: each side 320-4096 and a multiple of 16, aspect ratio within 1:4 to
# 4:1, and fewer than 4,194,304 pixels (AWS's pages disagree on whether exactly
# 2048x2048 is accepted, so the bound is kept strict).
CANVAS_SIDE = (320, 4096)
CANVAS_STEP = 16
CANVAS_MAX_PIXELS = 4_194_304
CANVAS_MAX_RATIO = 4.0
CANVAS_MAX_IMAGES = 5
CANVAS_SEED_MAX = 858_993_459  # the range AWS's own examples draw from; valid everywhere
REEL_SEED_MAX = 2_147_483_646
REEL_SECONDS = 6  # Nova Reel v1:0 makes one 6-second shot, 1280x720 at 24 fps
REEL_DIMENSION = (1280, 720)

# Prices in US dollars: Bedrock's on-demand list prices in us-east-1 as published for
# these models (not re-read from the pricing page on 2026-11-21: check it). A Legacy
# model in public extended access may be billed at a higher, provider-set rate.
_TEXT = frozenset({TEXT, TEXT_STRUCTURED})
MODELS = (
    ModelInfo("amazon.nova-pro-v1:0", _TEXT,
              CostModel(per_1k_input_tokens=0.0008, per_1k_output_tokens=0.0032), TERMS,
              description="Amazon Nova Pro through Converse"),
    # Claude's in-Region rate carries a premium over the global profile; the estimate
    # uses the higher figure ($1.10 / $5.50 per million tokens).
    ModelInfo("anthropic.claude-haiku-4-5-20251001-v1:0", _TEXT,
              CostModel(per_1k_input_tokens=0.0011, per_1k_output_tokens=0.0055), TERMS,
              description="Claude Haiku 4.5 through Converse"),
    # $0.04 an image up to 1024x1024 and $0.06 up to 2048x2048 at standard quality; the
    # declared figure is the higher so an estimate never undershoots.
    ModelInfo(CANVAS, frozenset({IMAGE, IMAGE_EDIT}), CostModel(per_image=0.06), TERMS,
              description="Amazon Nova Canvas: sizes snap to multiples of 16; an init "
              "image becomes an IMAGE_VARIATION. Legacy on Bedrock (end of life "
              "2026-09-30 unless the account has extended access)"),
    ModelInfo(REEL, frozenset({VIDEO}), CostModel(per_video_second=0.08), TERMS,
              description="Amazon Nova Reel: 6 s at 1280x720, 24 fps, from a 1280x720 first "
              "frame; output in options.s3_output. Legacy on Bedrock (end of life "
              "2026-09-30 unless the account has extended access)"),
)

INFO = ProviderInfo(name=NAME, title="Amazon Bedrock", models=MODELS, where="remote",
                    credentials=(KEY_ID_ENV, SECRET_ENV, TOKEN_ENV),
                    default_endpoint=ENDPOINT_TEMPLATE)

_TOKEN_OK = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9])*$")


def region_of(config: ProviderConfig) -> str:
    """The Region named in the project's settings, never one from the environment:
    where material is processed is a policy decision, and the terms follow it."""
    region = config.region or config.options.get("region") or DEFAULT_REGION
    return str(region).strip().lower()


def snap_size(width: int, height: int) -> tuple[int, int]:
    """The valid Nova Canvas size nearest the one asked for, keeping its shape."""
    w, h = float(max(width, 1)), float(max(height, 1))
    ratio = min(max(w / h, 1 / CANVAS_MAX_RATIO), CANVAS_MAX_RATIO)
    w, h = math.sqrt(w * h * ratio), math.sqrt(w * h / ratio)
    if w * h >= CANVAS_MAX_PIXELS:
        scale = math.sqrt((CANVAS_MAX_PIXELS - 1) / (w * h))
        w, h = w * scale, h * scale
    if min(w, h) < CANVAS_SIDE[0]:
        scale = CANVAS_SIDE[0] / min(w, h)
        w, h = w * scale, h * scale

    def step(x: float) -> int:
        snapped = round(x / CANVAS_STEP) * CANVAS_STEP
        return min(max(snapped, CANVAS_SIDE[0]), CANVAS_SIDE[1])

    sw, sh = step(w), step(h)
    sw, sh = min(sw, int(sh * CANVAS_MAX_RATIO)), min(sh, int(sw * CANVAS_MAX_RATIO))
    while sw * sh >= CANVAS_MAX_PIXELS:  # rounding up may have crossed the pixel cap
        if sw >= sh:
            sw -= CANVAS_STEP
        else:
            sh -= CANVAS_STEP
    return sw, sh


def valid_canvas_size(width: int, height: int) -> bool:
    lo, hi = CANVAS_SIDE
    return (lo <= width <= hi and lo <= height <= hi and width % CANVAS_STEP == 0
            and height % CANVAS_STEP == 0 and width * height < CANVAS_MAX_PIXELS
            and max(width / height, height / width) <= CANVAS_MAX_RATIO)


def canvas_price(width: int, height: int, count: int) -> float:
    per = 0.04 if width * height <= 1024 * 1024 else 0.06
    return round(per * count, 6)


def tool_schema(schema: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """A tool's input must be an object; any other answer is wrapped in {"value": ...}."""
    if schema.get("type") == "object" or ("properties" in schema and "type" not in schema):
        return schema, False
    return {"type": "object", "properties": {"value": schema}, "required": ["value"]}, True


def image_format(data: bytes) -> str:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    raise ProviderError(NAME, "an input image is neither PNG nor JPEG")


def png_size(data: bytes) -> tuple[int, int] | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR" and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return None


def client_token(key: str | None) -> str:
    """A clientRequestToken from the call's idempotency key (AWS allows letters, digits
    and inner hyphens); the same key always gives the same token."""
    if key and len(key) <= 256 and _TOKEN_OK.match(key):
        return key
    if key:
        return hashlib.sha256(key.encode()).hexdigest()[:64]
    return uuid.uuid4().hex


def parse_s3(uri: str) -> tuple[str, str]:
    """"s3://bucket/a/b" -> ("bucket", "a/b")."""
    if not uri.startswith("s3://"):
        raise ProviderError(NAME, f"expected an s3://BUCKET/PREFIX URI, got {uri!r}")
    bucket, _, key = uri[len("s3://"):].partition("/")
    if not bucket:
        raise ProviderError(NAME, f"no bucket in {uri!r}")
    return bucket, key.strip("/")


@dataclass
class Signer:
    """Signs each httpx request in place with SigV4 (the HttpClient `sign` hook). Only
    host, content-type and x-amz-* headers are signed: AWS requires no more, and a header
    the transport might still touch would break the signature."""

    credentials: Any = field(repr=False)
    service: str
    region: str
    s3: bool = False

    def __call__(self, request: httpx.Request) -> None:
        from botocore.auth import S3SigV4Auth, SigV4Auth  # type: ignore[import-untyped]
        from botocore.awsrequest import AWSRequest  # type: ignore[import-untyped]

        headers = {"host": request.headers["host"]}
        for name, value in request.headers.items():
            if name.lower() == "content-type" or name.lower().startswith("x-amz-"):
                headers[name.lower()] = value
        signed = AWSRequest(method=request.method, url=str(request.url),
                            data=request.content, headers=headers)
        auth = S3SigV4Auth if self.s3 else SigV4Auth
        auth(self.credentials, self.service, self.region).add_auth(signed)
        for name, value in signed.headers.items():
            request.headers[name] = value


@dataclass
class BedrockClient:
    """One production's connection: TextProvider, ImageProvider and VideoProvider."""

    config: ProviderConfig
    region: str
    runtime: HttpClient = field(repr=False)
    storage: HttpClient | None = field(repr=False)
    s3_output: str = ""
    _secrets: tuple[str, ...] = field(default=(), repr=False)

    # -- errors -----------------------------------------------------------------------

    def _call(self, client: HttpClient, method: str, path: str,
              **kwargs: Any) -> httpx.Response:
        try:
            response = client.request(method, path, idempotency_header="", **kwargs)
        except ProviderError as exc:
            raise self._explain(exc) from None
        return response

    def _json(self, client: HttpClient, method: str, path: str,
              **kwargs: Any) -> tuple[Any, httpx.Response]:
        response = self._call(client, method, path, **kwargs)
        try:
            return response.json(), response
        except ValueError:
            raise ProviderError(NAME, f"the answer to {method} {path} is not JSON") from None

    def _explain(self, exc: ProviderError) -> ProviderError:
        detail = str(exc).removeprefix(f"{NAME}: ")
        for secret in self._secrets:
            detail = detail.replace(secret, "[redacted]")
        if exc.status in (401, 403):
            detail = (f"AWS refused the request ({exc.status}): "
                      f"{detail.split(': ', 1)[-1]}. Check {KEY_ID_ENV}, {SECRET_ENV} and "
                      f"{TOKEN_ENV} (temporary credentials expire), and that the IAM "
                      f"policy allows this call in {self.region} (Bedrock for the model, "
                      "s3:GetObject for the clip)")
        return ProviderError(NAME, detail, status=exc.status, retryable=exc.retryable)

    # -- text: Converse ----------------------------------------------------------------

    def complete(self, request: TextRequest) -> TextResult:
        system = [{"text": m.content} for m in request.messages if m.role == "system"]
        messages: list[dict[str, Any]] = []
        for m in request.messages:
            if m.role == "system":
                continue
            if m.role not in ("user", "assistant"):
                raise ProviderError(NAME, f"unknown message role {m.role}")
            if messages and messages[-1]["role"] == m.role:  # Converse wants turns
                messages[-1]["content"].append({"text": m.content})
            else:
                messages.append({"role": m.role, "content": [{"text": m.content}]})
        if not messages:
            raise ProviderError(NAME, "a request needs at least one user message")
        body: dict[str, Any] = {"messages": messages,
                                "inferenceConfig": {"maxTokens": request.max_tokens,
                                                    "temperature": request.temperature}}
        if system:
            body["system"] = system
        wrapped = False
        if request.schema is not None:
            schema, wrapped = tool_schema(request.schema)
            body["toolConfig"] = {
                "tools": [{"toolSpec": {
                    "name": request.schema_name,
                    "description": "Give the answer by calling this tool; its input is the "
                                   "answer, in the schema given.",
                    "inputSchema": {"json": schema}}}],
                "toolChoice": {"tool": {"name": request.schema_name}}}
        answer, response = self._json(self.runtime, "POST",
                                      f"/model/{quote(request.model, safe='')}/converse",
                                      json=body)
        content = (((answer or {}).get("output") or {}).get("message") or {}).get("content")
        if not isinstance(content, list):
            raise ProviderError(NAME, "the answer has no output.message.content")
        texts: list[str] = []
        tool_input: Any = None
        called = False
        for block in content:
            if not isinstance(block, dict):
                continue
            if isinstance(block.get("text"), str):
                texts.append(block["text"])
            use = block.get("toolUse")
            if isinstance(use, dict) and use.get("name") == request.schema_name:
                tool_input, called = use.get("input"), True
        stop = answer.get("stopReason")
        if stop in ("guardrail_intervened", "content_filtered"):
            raise ProviderError(NAME, f"{request.model} withheld its answer ({stop})")
        data: Any = None
        if request.schema is not None:
            cut = " (cut at maxTokens)" if stop == "max_tokens" else ""
            if not called:
                raise ProviderError(NAME, f"{request.model} did not call the "
                                    f"{request.schema_name} tool{cut}")
            if wrapped:
                if not isinstance(tool_input, dict) or "value" not in tool_input:
                    raise ProviderError(NAME, "the tool input has no value")
                tool_input = tool_input["value"]
            data = tool_input
        used = answer.get("usage") or {}
        usage = Usage(int(used.get("inputTokens") or 0), int(used.get("outputTokens") or 0))
        return TextResult(text="".join(texts), data=data, usage=usage,
                          cost_usd=_cost(request.model).price(
                              input_tokens=usage.input_tokens,
                              output_tokens=usage.output_tokens),
                          model_version=request.model,
                          request_id=response.headers.get("x-amzn-requestid", ""))

    # -- images: Nova Canvas -----------------------------------------------------------

    def generate(self, request: ImageRequest) -> ImageResult:
        if request.model != CANVAS:
            raise ProviderError(NAME, f"{request.model} makes no images here; {CANVAS} does")
        if request.control:
            raise ProviderError(NAME, "Nova Canvas conditions on edges or segmentation "
                                f"only; it has no {', '.join(sorted(request.control))} "
                                "control")
        if request.references:
            raise ProviderError(NAME, "Nova Canvas takes no identity references")
        if not 1 <= request.count <= CANVAS_MAX_IMAGES:
            raise ProviderError(NAME, f"Nova Canvas makes 1 to {CANVAS_MAX_IMAGES} images "
                                f"a call, not {request.count}")
        width, height = snap_size(request.width, request.height)
        seed = (request.seed if request.seed is not None
                else secrets.randbelow(CANVAS_SEED_MAX + 1)) % (CANVAS_SEED_MAX + 1)
        generation: dict[str, Any] = {"numberOfImages": request.count, "width": width,
                                      "height": height, "seed": seed, "quality": "standard"}
        cfg = self.config.options.get("cfg_scale")
        if isinstance(cfg, int | float) and not isinstance(cfg, bool):
            generation["cfgScale"] = float(cfg)
        text = {"text": request.prompt}
        if request.negative_prompt:
            text["negativeText"] = request.negative_prompt
        body: dict[str, Any]
        if request.init_image is not None:
            image_format(request.init_image)
            # Our strength runs from 0 (keep the image) to 1 (ignore it); Canvas's
            # similarityStrength runs from 0.2 (loose) to 1.0 (close).
            similarity = min(max(1.0 - 0.8 * request.strength, 0.2), 1.0)
            body = {"taskType": "IMAGE_VARIATION",
                    "imageVariationParams": {
                        **text, "images": [base64.b64encode(request.init_image).decode()],
                        "similarityStrength": round(similarity, 3)},
                    "imageGenerationConfig": generation}
        else:
            body = {"taskType": "TEXT_IMAGE", "textToImageParams": text,
                    "imageGenerationConfig": generation}
        answer, response = self._json(self.runtime, "POST",
                                      f"/model/{quote(CANVAS, safe='')}/invoke", json=body,
                                      headers={"accept": "application/json"})
        if not isinstance(answer, dict):
            raise ProviderError(NAME, "the answer is not a JSON object")
        if answer.get("error"):
            raise ProviderError(NAME, f"Nova Canvas: {str(answer['error'])[:300]}")
        encoded = answer.get("images")
        if not isinstance(encoded, list) or not encoded:
            raise ProviderError(NAME, "the answer holds no images")
        images: list[bytes] = []
        for item in encoded:
            try:
                data = base64.b64decode(str(item), validate=True)
            except (binascii.Error, ValueError):
                raise ProviderError(NAME, "an image in the answer is not base64") from None
            if not data.startswith(b"\x89PNG\r\n\x1a\n"):
                raise ProviderError(NAME, "an image in the answer is not a PNG")
            images.append(data)
        return ImageResult(images=tuple(images), seed=seed,
                           cost_usd=canvas_price(width, height, len(images)),
                           model_version=CANVAS,
                           request_id=response.headers.get("x-amzn-requestid", ""))

    # -- video: Nova Reel, an asynchronous job -----------------------------------------

    def submit(self, request: VideoRequest) -> VideoJob:
        if request.model != REEL:
            raise ProviderError(NAME, f"{request.model} makes no video here; {REEL} does")
        if not self.s3_output:
            raise ProviderError(NAME, "Nova Reel writes its clip to S3: set s3_output = "
                                "\"s3://BUCKET/PREFIX\" in [providers.bedrock]")
        if request.seconds > REEL_SECONDS:
            raise ProviderError(NAME, f"Nova Reel makes {REEL_SECONDS} s shots; "
                                f"{request.seconds:g} s were asked for")
        fmt = image_format(request.image)
        size = png_size(request.image)
        if size is not None and size != REEL_DIMENSION:
            raise ProviderError(NAME, f"Nova Reel's first frame must be "
                                f"{REEL_DIMENSION[0]}x{REEL_DIMENSION[1]}, not "
                                f"{size[0]}x{size[1]}")
        generation: dict[str, Any] = {"durationSeconds": REEL_SECONDS, "fps": 24,
                                      "dimension": "x".join(map(str, REEL_DIMENSION))}
        if request.seed is not None:
            generation["seed"] = request.seed % (REEL_SEED_MAX + 1)
        body = {
            "modelId": REEL,
            "modelInput": {
                "taskType": "TEXT_VIDEO",
                "textToVideoParams": {
                    "text": request.prompt,
                    "images": [{"format": fmt, "source": {
                        "bytes": base64.b64encode(request.image).decode()}}]},
                "videoGenerationConfig": generation},
            "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": self.s3_output}},
            # Bedrock's own idempotency: a retried submit with the same token starts no
            # second job (and no second bill). Computed once, so every retry carries it.
            "clientRequestToken": client_token(request.idempotency_key),
        }
        answer, _ = self._json(self.runtime, "POST", "/async-invoke", json=body)
        arn = (answer or {}).get("invocationArn")
        if not isinstance(arn, str) or not arn:
            raise ProviderError(NAME, "the answer to the submit has no invocationArn")
        return VideoJob(id=arn, status="queued")

    def _job(self, arn: str) -> dict[str, Any]:
        answer, _ = self._json(self.runtime, "GET", f"/async-invoke/{quote(arn, safe='')}")
        if not isinstance(answer, dict):
            raise ProviderError(NAME, "the job status is not a JSON object")
        return answer

    def poll(self, job: VideoJob) -> VideoJob:
        answer = self._job(job.id)
        status = answer.get("status")
        if status == "Completed":
            return VideoJob(job.id, "done")
        if status == "Failed":
            return VideoJob(job.id, "failed", str(answer.get("failureMessage") or ""))
        return VideoJob(job.id, "running")

    def fetch(self, job: VideoJob) -> VideoResult:
        answer = self._job(job.id)
        status = answer.get("status")
        if status == "Failed":
            raise ProviderError(NAME, "Nova Reel job failed: "
                                f"{answer.get('failureMessage') or 'no reason given'}")
        if status != "Completed":
            raise ProviderError(NAME, f"the Nova Reel job is not finished ({status})",
                                retryable=True)
        uri = (((answer.get("outputDataConfig") or {}).get("s3OutputDataConfig") or {})
               .get("s3Uri")) or self.s3_output
        bucket, prefix = parse_s3(str(uri))
        if self.storage is None or bucket != parse_s3(self.s3_output)[0]:
            raise ProviderError(NAME, f"the clip is in bucket {bucket}, not the one in "
                                "s3_output")
        key = f"{prefix}/output.mp4" if prefix else "output.mp4"
        path = self._object_path(bucket, key)
        response = self._call(self.storage, "GET", path)
        data = response.content
        if data[4:8] != b"ftyp":
            raise ProviderError(NAME, f"s3://{bucket}/{key} is not an MP4")
        return VideoResult(data=data, cost_usd=round(0.08 * REEL_SECONDS, 6),
                           model_version=REEL)

    def _object_path(self, bucket: str, key: str) -> str:
        encoded = quote(key, safe="/-_.~")
        if _path_style(self.config, bucket):
            return f"/{bucket}/{encoded}"
        return f"/{encoded}"

    def close(self) -> None:
        self.runtime.close()
        if self.storage is not None:
            self.storage.close()


def _path_style(config: ProviderConfig, bucket: str) -> bool:
    # A configured endpoint (an S3-compatible store, a test) and dotted bucket names
    # (which break the virtual host's TLS name) are addressed by path.
    return bool(config.options.get("s3_endpoint")) or "." in bucket


def s3_base(config: ProviderConfig, bucket: str, region: str) -> str:
    endpoint = config.options.get("s3_endpoint")
    if isinstance(endpoint, str) and endpoint:
        return endpoint.rstrip("/")
    if "." in bucket:
        return f"https://s3.{region}.amazonaws.com"
    return f"https://{bucket}.s3.{region}.amazonaws.com"


def _cost(model: str) -> CostModel:
    for m in MODELS:
        if m.name == model:
            return m.cost
    return CostModel()


class BedrockPlugin:
    info = INFO

    def connect(self, config: ProviderConfig, **http: Any) -> BedrockClient:
        """`http` goes to both HttpClients (tests inject `sleep` and `transport`)."""
        try:
            from botocore.credentials import Credentials  # type: ignore[import-untyped]
        except ImportError:
            raise ProviderError(NAME, f"signing AWS requests needs botocore: "
                                f"{INSTALL_HINT}") from None
        key_id, secret = config.secret(KEY_ID_ENV), config.secret(SECRET_ENV)
        token = config.secrets.get(TOKEN_ENV) or None
        credentials = Credentials(key_id, secret, token)
        region = region_of(config)
        endpoint = (config.endpoint or ENDPOINT_TEMPLATE).replace("{region}", region)
        runtime = HttpClient(replace(config, endpoint=endpoint.rstrip("/")),
                             headers={"content-type": "application/json",
                                      "accept": "application/json"},
                             sign=Signer(credentials, "bedrock", region), **http)
        s3_output = str(config.options.get("s3_output") or "").rstrip("/")
        storage = None
        if s3_output:
            bucket, _ = parse_s3(s3_output)
            storage = HttpClient(replace(config, endpoint=s3_base(config, bucket, region)),
                                 sign=Signer(credentials, "s3", region, s3=True), **http)
        return BedrockClient(config, region, runtime, storage, s3_output,
                             tuple(s for s in (key_id, secret, token) if s))

    def terms_for(self, config: ProviderConfig, terms: DataUseTerms) -> DataUseTerms:
        """Every model here runs in the Region it is called in: the configured one."""
        if terms.regions == (DEFAULT_REGION,):
            return replace(terms, regions=(region_of(config),))
        return terms


BEDROCK = BedrockPlugin()
