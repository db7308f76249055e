"""OpenAI's API over HTTP: chat completions (plain and JSON-schema answers), images with
gpt-image-1 (generations, and edits that take an init image and identity references
together), and embeddings.

The chat and embedding code here is shared with the OpenAI-compatible servers plugin
(openai_compatible.py), which speaks the same wire format.

Settings read from the project's [providers.openai] table (config.options):
  image_quality  "low", "medium" (default) or "high": gpt-image-1's quality, and its price
  organization   sent as OpenAI-Organization (not a secret)
  project        sent as OpenAI-Project: a zero-data-retention agreement is per project

OpenAI's own terms keep API material up to 30 days for abuse monitoring, so the
project's default policy refuses this provider. A production with a zero-data-retention
agreement says so in its own [providers.openai.terms] table, with its evidence.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import httpx

from shotline.governance.terms import DataUseTerms
from shotline.providers.http import HttpClient, retry_after
from shotline.providers.protocols import ProviderConfig, ProviderError
from shotline.providers.types import (
    EMBEDDING,
    IMAGE,
    IMAGE_EDIT,
    IMAGE_REFERENCE,
    TEXT,
    TEXT_STRUCTURED,
    CostModel,
    EmbeddingRequest,
    EmbeddingResult,
    ImageRequest,
    ImageResult,
    Message,
    ModelInfo,
    ProviderInfo,
    TextRequest,
    TextResult,
    Usage,
)

NAME = "openai"
ENV_KEY = "OPENAI_API_KEY"
ENDPOINT = "https://api.openai.com/v1"
IMAGE_MODEL = "gpt-image-1"
IMAGE_SIZES = ((1024, 1024), (1536, 1024), (1024, 1536))
MAX_INPUT_IMAGES = 16  # what /images/edits takes for gpt-image-1
MAX_IMAGES_OUT = 10
QUALITIES = ("low", "medium", "high")
PNG = b"\x89PNG\r\n\x1a\n"

# List prices in US dollars, read 2026-11-21 from OpenAI's published pricing page.
# Chat, per 1k tokens (the page gives them per 1M).
GPT_4O = CostModel(per_1k_input_tokens=0.0025, per_1k_output_tokens=0.01)
GPT_4O_MINI = CostModel(per_1k_input_tokens=0.00015, per_1k_output_tokens=0.0006)
EMBEDDING_3_SMALL = CostModel(per_1k_input_tokens=0.00002)
# gpt-image-1 per image, by quality: (square, 1536x1024 or 1024x1536).
IMAGE_PRICES = {"low": (0.011, 0.016), "medium": (0.042, 0.063), "high": (0.167, 0.25)}
# gpt-image-1 per 1M tokens, used when the answer reports its usage (it includes the
# input images of an edit, which the per-image table leaves out).
IMAGE_TOKEN_PRICES = {"text": 5.0, "image": 10.0, "output": 40.0}

# OpenAI's API data controls, read 2026-11-21: API material is not used for training
# unless the organisation opts in; abuse-monitoring logs keep prompts and outputs up to
# 30 days (longer where the law requires it); zero data retention needs OpenAI's
# approval; authorised staff may review material flagged for abuse; processing is in
# the US unless a data-residency region is arranged.
TERMS = DataUseTerms(
    trains_on_inputs=False,
    trains_on_outputs=False,
    retention_days=30,
    zero_data_retention=False,
    human_review=True,
    regions=("us",),
    evidence_url="https://platform.openai.com/docs/guides/your-data",
    verified_at=date(2026, 11, 21),
)

_CHAT = frozenset({TEXT, TEXT_STRUCTURED})
INFO = ProviderInfo(
    name=NAME,
    title="OpenAI",
    models=(
        ModelInfo("gpt-4o", _CHAT, GPT_4O, TERMS, description="chat, JSON-schema answers"),
        ModelInfo("gpt-4o-mini", _CHAT, GPT_4O_MINI, TERMS,
                  description="cheaper chat, JSON-schema answers"),
        # The declared price is the default quality's dearest size; calls are charged by
        # the usage the answer reports.
        ModelInfo(IMAGE_MODEL, frozenset({IMAGE, IMAGE_EDIT, IMAGE_REFERENCE}),
                  CostModel(per_image=IMAGE_PRICES["medium"][1]), TERMS, sizes=IMAGE_SIZES,
                  max_references=MAX_INPUT_IMAGES - 1,
                  description="images; edits take an init image and references together; "
                              "no depth or pose control"),
        ModelInfo("text-embedding-3-small", frozenset({EMBEDDING}), EMBEDDING_3_SMALL, TERMS,
                  description="embeddings, 1536 dimensions"),
    ),
    where="remote",
    credentials=(ENV_KEY,),
    default_endpoint=ENDPOINT,
)


# --- waiting on rate limits -------------------------------------------------------------

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_UNIT_S = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}


def parse_reset(value: str | None) -> float | None:
    """Seconds in OpenAI's x-ratelimit-reset-* form ("1s", "6m0s", "20ms"); None when
    it is not that form."""
    text = (value or "").strip()
    if not text:
        return None
    parts = _DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        return None
    return sum(float(n) * _UNIT_S[u] for n, u in parts)


def ratelimit_wait(headers: Mapping[str, str]) -> float | None:
    """How long a 429 asks us to wait when it gives no Retry-After: until the exhausted
    limit resets, or, when the headers do not say which one is, the nearest reset."""
    resets: dict[str, float] = {}
    exhausted: list[float] = []
    for kind in ("requests", "tokens"):
        reset = parse_reset(headers.get(f"x-ratelimit-reset-{kind}"))
        if reset is None:
            continue
        resets[kind] = reset
        if headers.get(f"x-ratelimit-remaining-{kind}", "").strip() == "0":
            exhausted.append(reset)
    if exhausted:
        return max(exhausted)
    return min(resets.values()) if resets else None


class OpenAIHttp(HttpClient):
    """HttpClient that also honours OpenAI's x-ratelimit-reset-* headers on a 429."""

    def _wait(self, attempt: int, response: httpx.Response | None) -> float:
        if (response is not None and response.status_code == 429
                and retry_after(response.headers) is None):
            reset = ratelimit_wait(response.headers)
            if reset is not None:
                return reset
        return super()._wait(attempt, response)


# --- chat completions, shared with the OpenAI-compatible servers -------------------------

def schema_name(name: str) -> str:
    """json_schema.name allows letters, digits, _ and - only, 64 at most."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", name)[:64] or "answer"


def json_schema_format(request: TextRequest) -> dict[str, Any]:
    assert request.schema is not None
    return {"type": "json_schema", "json_schema": {
        "name": schema_name(request.schema_name), "schema": request.schema, "strict": True}}


def chat_body(request: TextRequest, *, max_tokens_field: str,
              messages: tuple[Message, ...] | None = None,
              response_format: dict[str, Any] | None = None,
              extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "model": request.model,
        "messages": [{"role": m.role, "content": m.content}
                     for m in (request.messages if messages is None else messages)],
        max_tokens_field: request.max_tokens,
        "temperature": request.temperature,
    }
    if request.seed is not None:
        body["seed"] = request.seed
    if response_format is not None:
        body["response_format"] = response_format
    body.update(extra or {})
    return body


def check_answer(provider: str, data: Any, schema: Mapping[str, Any]) -> None:
    """The answer's top level against the schema: its type and required keys. Deeper
    validation is the caller's (it knows the model it wants)."""
    expected = schema.get("type")
    if expected == "object" and not isinstance(data, dict):
        raise ProviderError(provider, f"the answer is JSON but not an object: "
                            f"{type(data).__name__}")
    if expected == "array" and not isinstance(data, list):
        raise ProviderError(provider, f"the answer is JSON but not an array: "
                            f"{type(data).__name__}")
    if isinstance(data, dict):
        missing = [k for k in schema.get("required", ()) if k not in data]
        if missing:
            raise ProviderError(provider, f"the answer lacks {', '.join(map(str, missing))}")


def strip_fence(text: str) -> str:
    """The JSON inside a ```json fence, which models without a JSON mode like to add."""
    found = re.fullmatch(r"\s*```[A-Za-z]*\s*\n(.*?)\n?\s*```\s*", text, flags=re.DOTALL)
    return found.group(1) if found else text


def parse_json_answer(provider: str, text: str, schema: Mapping[str, Any],
                      finish_reason: str | None) -> Any:
    try:
        data = json.loads(strip_fence(text))
    except ValueError:
        cut = " (cut off at max_tokens)" if finish_reason == "length" else ""
        raise ProviderError(provider, f"the answer is not valid JSON{cut}: "
                            f"{text[:200]!r}") from None
    check_answer(provider, data, schema)
    return data


def read_choice(provider: str, payload: Any) -> tuple[str, str | None]:
    """The first choice's text and finish reason; a refusal is an error."""
    try:
        choice = payload["choices"][0]
        message = choice["message"]
    except (KeyError, IndexError, TypeError):
        raise ProviderError(provider, "the answer has no choices[0].message") from None
    if not isinstance(message, dict):
        raise ProviderError(provider, "the answer has no choices[0].message")
    if message.get("refusal"):
        raise ProviderError(provider, f"the model refused: {str(message['refusal'])[:300]}")
    content = message.get("content")
    return (content if isinstance(content, str) else ""), choice.get("finish_reason")


def read_usage(payload: Any) -> Usage:
    usage = payload.get("usage") if isinstance(payload, dict) else None
    if not isinstance(usage, dict):
        return Usage()
    return Usage(int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0))


def structured_instruction(schema: Mapping[str, Any]) -> str:
    return ("Answer with one JSON value and nothing else, no prose and no code fence. "
            "It must follow this JSON schema:\n" + json.dumps(schema, ensure_ascii=False))


def with_instruction(messages: tuple[Message, ...], instruction: str) -> tuple[Message, ...]:
    """The messages with an instruction in the system message: merged into the first one
    when there is one, as some chat templates allow a single leading system message."""
    if messages and messages[0].role == "system":
        first = Message("system", f"{messages[0].content}\n\n{instruction}")
        return (first, *messages[1:])
    return (Message("system", instruction), *messages)


@dataclass
class ChatClient:
    """Chat completions and embeddings in OpenAI's wire format, and errors that name the
    credential to check without ever holding its value."""

    provider: str
    http: HttpClient
    info: ProviderInfo
    credential: str = ""  # the environment variable the key comes from
    secret: str = field(default="", repr=False)  # scrubbed from every error message
    max_tokens_field: str = "max_completion_tokens"
    extra: dict[str, Any] = field(default_factory=dict)  # fields every chat request carries

    def close(self) -> None:
        self.http.close()

    def cost(self, model: str) -> CostModel:
        try:
            return self.info.model(model).cost
        except KeyError:
            return CostModel()

    def _error(self, exc: ProviderError) -> ProviderError:
        message = str(exc).removeprefix(f"{exc.provider}: ")
        if exc.status == 401:
            hint = (f"check {self.credential}" if self.secret else
                    f"the server wants an API key: set {self.credential}")
            message = f"not authorised (401): {hint}"
        if self.secret:
            message = message.replace(self.secret, "[redacted]")
        return ProviderError(self.provider, message, status=exc.status, retryable=exc.retryable)

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return self.http.request(method, path, **kwargs)
        except ProviderError as exc:
            raise self._error(exc) from None

    def call_json(self, method: str, path: str, **kwargs: Any) -> tuple[dict[str, Any], str]:
        """The answer's JSON object and its request id."""
        response = self.call(method, path, **kwargs)
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            raise ProviderError(self.provider, f"the answer to {method} {path} is not a JSON "
                                "object")
        return payload, response.headers.get("x-request-id", "")

    def chat(self, request: TextRequest, *, messages: tuple[Message, ...] | None = None,
             response_format: dict[str, Any] | None = None,
             idempotency_key: str | None = None) -> TextResult:
        body = chat_body(request, max_tokens_field=self.max_tokens_field, messages=messages,
                         response_format=response_format, extra=self.extra)
        payload, request_id = self.call_json("POST", "chat/completions", json=body,
                                             idempotency_key=idempotency_key)
        text, finish = read_choice(self.provider, payload)
        data = None
        if request.schema is not None:
            data = parse_json_answer(self.provider, text, request.schema, finish)
        usage = read_usage(payload)
        cost = self.cost(request.model).price(input_tokens=usage.input_tokens,
                                              output_tokens=usage.output_tokens)
        return TextResult(text=text, data=data, usage=usage, cost_usd=cost,
                          model_version=str(payload.get("model") or request.model),
                          request_id=request_id)

    def complete(self, request: TextRequest) -> TextResult:
        response_format = json_schema_format(request) if request.schema is not None else None
        return self.chat(request, response_format=response_format,
                         idempotency_key=request.idempotency_key)

    def embed(self, request: EmbeddingRequest) -> EmbeddingResult:
        if not request.texts:
            return EmbeddingResult(vectors=())
        body = {"model": request.model, "input": list(request.texts),
                "encoding_format": "float"}
        payload, _ = self.call_json("POST", "embeddings", json=body)
        vectors = read_embeddings(self.provider, payload, len(request.texts))
        usage = payload.get("usage")
        tokens = int(usage.get("prompt_tokens") or 0) if isinstance(usage, dict) else 0
        try:
            return EmbeddingResult(vectors=vectors,
                                   cost_usd=self.cost(request.model).price(input_tokens=tokens))
        except ValueError as exc:
            raise ProviderError(self.provider, str(exc)) from None

    def models(self) -> list[str]:
        """The model names the server lists (GET /models)."""
        payload, _ = self.call_json("GET", "models")
        data = payload.get("data")
        if not isinstance(data, list):
            raise ProviderError(self.provider, "the model list has no data[]")
        return [str(m["id"]) for m in data if isinstance(m, dict) and "id" in m]


def read_embeddings(provider: str, payload: Mapping[str, Any],
                    count: int) -> tuple[tuple[float, ...], ...]:
    data = payload.get("data")
    if not isinstance(data, list) or len(data) != count:
        raise ProviderError(provider, f"expected {count} embeddings in data[]")
    try:
        ordered = sorted(data, key=lambda d: int(d.get("index", 0)))
        return tuple(tuple(float(x) for x in d["embedding"]) for d in ordered)
    except (KeyError, TypeError, ValueError, AttributeError):
        raise ProviderError(provider, "an embedding in data[] is not a list of "
                            "numbers") from None


# --- images --------------------------------------------------------------------------------

def nearest_size(width: int, height: int) -> tuple[int, int]:
    """The supported size whose aspect is nearest the one asked for; the caller resizes."""
    if width <= 0 or height <= 0:
        raise ValueError(f"image size must be positive, got {width}x{height}")
    aspect = math.log(width / height)
    return min(IMAGE_SIZES, key=lambda s: abs(math.log(s[0] / s[1]) - aspect))


def image_media_type(data: bytes) -> tuple[str, str]:
    """(media type, file extension) from the magic numbers; the edits endpoint takes
    PNG, JPEG and WebP."""
    if data.startswith(PNG):
        return "image/png", "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg", "jpg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", "webp"
    raise ValueError("an input image is not PNG, JPEG or WebP")


def multipart(fields: list[tuple[str, str]],
              files: list[tuple[str, str, str, bytes]]) -> tuple[bytes, str]:
    """A multipart/form-data body and its content type. files: (field, file name,
    media type, data)."""
    boundary = uuid.uuid4().hex
    while any(boundary.encode() in data for *_, data in files):
        boundary = uuid.uuid4().hex
    out: list[bytes] = []
    for name, value in fields:
        out.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                   .encode() + value.encode() + b"\r\n")
    for name, filename, media_type, data in files:
        out.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                   f'filename="{filename}"\r\nContent-Type: {media_type}\r\n\r\n'.encode()
                   + data + b"\r\n")
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out), f"multipart/form-data; boundary={boundary}"


def image_prompt(request: ImageRequest) -> str:
    # gpt-image-1 has no negative prompt; it follows a plain instruction instead.
    if request.negative_prompt.strip():
        return f"{request.prompt}\n\nAvoid: {request.negative_prompt.strip()}"
    return request.prompt


def image_cost(payload: Mapping[str, Any], quality: str, size: tuple[int, int],
               count: int) -> float:
    """From the usage the answer reports, else from the per-image list price."""
    usage = payload.get("usage")
    if isinstance(usage, dict) and usage.get("output_tokens") is not None:
        details = usage.get("input_tokens_details") or {}
        text = int(details.get("text_tokens") or 0) if isinstance(details, dict) else 0
        image = int(details.get("image_tokens") or 0) if isinstance(details, dict) else 0
        if not details:  # no split given: price all input as text
            text = int(usage.get("input_tokens") or 0)
        total = (text * IMAGE_TOKEN_PRICES["text"] + image * IMAGE_TOKEN_PRICES["image"]
                 + int(usage["output_tokens"]) * IMAGE_TOKEN_PRICES["output"])
        return round(total / 1_000_000, 6)
    square, oblong = IMAGE_PRICES[quality]
    return round((square if size[0] == size[1] else oblong) * count, 6)


def decode_images(provider: str, payload: Mapping[str, Any]) -> tuple[bytes, ...]:
    data = payload.get("data")
    if not isinstance(data, list) or not data:
        raise ProviderError(provider, "the answer holds no images")
    images = []
    for item in data:
        encoded = item.get("b64_json") if isinstance(item, dict) else None
        if not isinstance(encoded, str):
            raise ProviderError(provider, "an image in the answer has no b64_json")
        try:
            image = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise ProviderError(provider, "an image in the answer is not valid "
                                "base64") from None
        if not image.startswith(PNG):
            raise ProviderError(provider, "an image in the answer is not a PNG")
        images.append(image)
    return tuple(images)


@dataclass
class OpenAIClient(ChatClient):
    """OpenAI: chat, embeddings and gpt-image-1."""

    image_quality: str = "medium"

    def generate(self, request: ImageRequest) -> ImageResult:
        inputs = ([request.init_image] if request.init_image else []) + list(request.references)
        self._check_image_request(request, len(inputs))
        size = nearest_size(request.width, request.height)
        fields = {"model": request.model, "prompt": image_prompt(request),
                  "size": f"{size[0]}x{size[1]}", "n": request.count,
                  "quality": self.image_quality, "output_format": "png"}
        if inputs:
            payload, request_id = self._edit(request, fields, inputs)
        else:
            payload, request_id = self.call_json("POST", "images/generations", json=fields,
                                                 idempotency_key=request.idempotency_key)
        images = decode_images(self.provider, payload)
        revised = next((str(d["revised_prompt"]) for d in payload.get("data", ())
                        if isinstance(d, dict) and d.get("revised_prompt")), "")
        return ImageResult(images=images, seed=None,
                           cost_usd=image_cost(payload, self.image_quality, size, len(images)),
                           model_version=request.model, revised_prompt=revised,
                           request_id=request_id)

    def _check_image_request(self, request: ImageRequest, inputs: int) -> None:
        if request.control:
            raise ProviderError(self.provider, f"{request.model} takes no control images "
                                f"({', '.join(sorted(request.control))})")
        if inputs > MAX_INPUT_IMAGES:
            raise ProviderError(self.provider, f"{request.model} takes at most "
                                f"{MAX_INPUT_IMAGES} input images, got {inputs}")
        if not 1 <= request.count <= MAX_IMAGES_OUT:
            raise ProviderError(self.provider, f"count must be 1 to {MAX_IMAGES_OUT}, got "
                                f"{request.count}")

    def _edit(self, request: ImageRequest, fields: dict[str, Any],
              inputs: list[bytes]) -> tuple[dict[str, Any], str]:
        files = []
        for i, data in enumerate(inputs):
            try:
                media_type, ext = image_media_type(data)
            except ValueError as exc:
                raise ProviderError(self.provider, str(exc)) from None
            files.append(("image[]", f"image-{i}.{ext}", media_type, data))
        # Faces and costumes in references must survive the edit; a light touch on an
        # init image asks for the same.
        keep = bool(request.references) or request.strength <= 0.5
        form = [(k, str(v)) for k, v in fields.items()]
        form.append(("input_fidelity", "high" if keep else "low"))
        body, content_type = multipart(form, files)
        return self.call_json("POST", "images/edits", content=body,
                              headers={"Content-Type": content_type},
                              idempotency_key=request.idempotency_key)


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"} if key else {}


class OpenAIPlugin:
    """The `openai` entry point."""

    info = INFO

    def models_for(self, config: ProviderConfig) -> tuple[ModelInfo, ...]:
        """Routing's hook: gpt-image-1 priced at the quality this project asks for, so
        the budget holds back enough before each call (the dearest size's price)."""
        quality = str(config.options.get("image_quality", "medium"))
        if quality not in QUALITIES:
            return INFO.models
        return tuple(replace(m, cost=CostModel(per_image=IMAGE_PRICES[quality][1]))
                     if m.name == IMAGE_MODEL else m for m in INFO.models)

    def connect(self, config: ProviderConfig) -> OpenAIClient:
        key = config.secret(ENV_KEY)
        quality = str(config.options.get("image_quality", "medium"))
        if quality not in QUALITIES:
            raise ProviderError(config.name, f"image_quality must be one of "
                                f"{', '.join(QUALITIES)}, got {quality!r}")
        headers = bearer(key)
        for option, header in (("organization", "OpenAI-Organization"),
                               ("project", "OpenAI-Project")):
            if config.options.get(option):
                headers[header] = str(config.options[option])
        if not config.endpoint:
            config = replace(config, endpoint=ENDPOINT)
        # store=false: chat completions are not kept for OpenAI's evals and distillation.
        return OpenAIClient(provider=config.name, http=OpenAIHttp(config, headers=headers),
                            info=INFO, credential=ENV_KEY, secret=key,
                            max_tokens_field="max_completion_tokens",
                            extra={"store": False}, image_quality=quality)


OPENAI = OpenAIPlugin()
