"""What goes to a provider and what comes back, and what a provider declares about
itself: capabilities, cost model and data-use terms. Plain data; no I/O."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from shotline.governance.terms import DataUseTerms

# Capabilities a model declares; requests are checked against them before any call.
TEXT = "text"  # chat
TEXT_STRUCTURED = "text.structured"  # chat answering in a given JSON schema
IMAGE = "image"  # text to image
IMAGE_EDIT = "image.edit"  # image to image (an init image, with a strength)
IMAGE_REFERENCE = "image.reference"  # identity reference images
IMAGE_CONTROL_DEPTH = "image.control.depth"
IMAGE_CONTROL_POSE = "image.control.pose"
VIDEO = "video"  # image to video, as an asynchronous job
SPEECH = "speech"
EMBEDDING = "embedding"
CAPABILITIES = (TEXT, TEXT_STRUCTURED, IMAGE, IMAGE_EDIT, IMAGE_REFERENCE,
                IMAGE_CONTROL_DEPTH, IMAGE_CONTROL_POSE, VIDEO, SPEECH, EMBEDDING)
KINDS = ("text", "image", "video", "speech", "embedding")


@dataclass(frozen=True)
class CostModel:
    """Prices in US dollars; a call's cost is the sum of the parts that apply."""

    per_call: float = 0.0
    per_image: float = 0.0
    per_video_second: float = 0.0
    per_1k_input_tokens: float = 0.0
    per_1k_output_tokens: float = 0.0
    per_1k_characters: float = 0.0  # speech

    @property
    def free(self) -> bool:
        return not any(vars(self).values())

    def price(self, *, images: int = 0, video_seconds: float = 0.0, input_tokens: int = 0,
              output_tokens: int = 0, characters: int = 0) -> float:
        return round(self.per_call + self.per_image * images
                     + self.per_video_second * video_seconds
                     + self.per_1k_input_tokens * input_tokens / 1000
                     + self.per_1k_output_tokens * output_tokens / 1000
                     + self.per_1k_characters * characters / 1000, 6)

    def describe(self) -> str:
        if self.free:
            return "free"
        parts = [f"${v:g} {k.replace('per_', 'per ').replace('_', ' ')}"
                 for k, v in vars(self).items() if v]
        return ", ".join(parts)


@dataclass(frozen=True)
class ModelInfo:
    name: str
    capabilities: frozenset[str]
    cost: CostModel
    terms: DataUseTerms
    sizes: tuple[tuple[int, int], ...] = ()  # image sizes it makes; empty: any
    max_references: int = 0  # identity reference images per request
    description: str = ""

    def kinds(self) -> list[str]:
        return [k for k in KINDS if any(c.split(".")[0] == k for c in self.capabilities)]


@dataclass(frozen=True)
class ProviderInfo:
    name: str  # the entry-point name: what `--provider NAME` and `NAME:MODEL` say
    title: str
    models: tuple[ModelInfo, ...]
    where: str = "remote"  # builtin (in this package), local (a server the production
    # runs), remote (a vendor's service)
    credentials: tuple[str, ...] = ()  # environment variables it reads its secrets from
    default_endpoint: str = ""

    def model(self, name: str | None) -> ModelInfo:
        """The named model, or the first one when no name is given."""
        if name is None:
            return self.models[0]
        for m in self.models:
            if m.name == name:
                return m
        raise KeyError(name)


@dataclass(frozen=True)
class Message:
    role: str  # system, user, assistant
    content: str


@dataclass(frozen=True)
class TextRequest:
    model: str
    messages: tuple[Message, ...]
    schema: dict[str, Any] | None = None  # a JSON schema the answer must follow
    schema_name: str = "answer"
    max_tokens: int = 2048
    temperature: float = 0.0
    seed: int | None = None
    idempotency_key: str | None = None


@dataclass(frozen=True)
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0


@dataclass(frozen=True)
class TextResult:
    text: str
    data: Any = None  # the parsed JSON answer when a schema was asked for
    usage: Usage = field(default_factory=Usage)
    cost_usd: float = 0.0
    model_version: str = ""
    request_id: str = ""


@dataclass(frozen=True)
class ImageRequest:
    model: str
    prompt: str
    width: int
    height: int
    seed: int | None = None
    negative_prompt: str = ""
    init_image: bytes | None = None  # PNG; image to image
    strength: float = 0.6  # how far from the init image (0 keeps it, 1 ignores it)
    references: tuple[bytes, ...] = ()  # identity references (PNG or JPEG)
    control: dict[str, bytes] = field(default_factory=dict)  # "depth", "pose" -> PNG
    count: int = 1
    idempotency_key: str | None = None


@dataclass(frozen=True)
class ImageResult:
    images: tuple[bytes, ...]  # PNG
    seed: int | None = None
    cost_usd: float = 0.0
    model_version: str = ""
    revised_prompt: str = ""
    request_id: str = ""


@dataclass(frozen=True)
class VideoRequest:
    model: str
    prompt: str
    image: bytes  # the first frame (PNG or JPEG)
    seconds: float = 6.0
    fps: int = 24
    seed: int | None = None
    idempotency_key: str | None = None


@dataclass(frozen=True)
class VideoJob:
    id: str  # the provider's handle: a job ARN, a prompt id
    status: str  # queued, running, done, failed
    message: str = ""


@dataclass(frozen=True)
class VideoResult:
    data: bytes  # MP4
    cost_usd: float = 0.0
    model_version: str = ""


@dataclass(frozen=True)
class SpeechRequest:
    model: str
    text: str
    voice: str = ""
    idempotency_key: str | None = None


@dataclass(frozen=True)
class SpeechResult:
    audio: bytes  # WAV
    cost_usd: float = 0.0


@dataclass(frozen=True)
class EmbeddingRequest:
    model: str
    texts: tuple[str, ...]


@dataclass(frozen=True)
class EmbeddingResult:
    vectors: tuple[tuple[float, ...], ...]
    cost_usd: float = 0.0

    def __post_init__(self) -> None:
        if any(not math.isfinite(x) for v in self.vectors for x in v):
            raise ValueError("an embedding holds a value that is not a finite number")
