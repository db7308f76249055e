"""The provider protocols. A plugin is an object with `info` and `connect`; what
`connect` returns implements one or more of the kind protocols below."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from shotline.providers.types import (
    EmbeddingRequest,
    EmbeddingResult,
    ImageRequest,
    ImageResult,
    ProviderInfo,
    SpeechRequest,
    SpeechResult,
    TextRequest,
    TextResult,
    VideoJob,
    VideoRequest,
    VideoResult,
)


class ProviderError(Exception):
    """A provider call failed after its retries; the message never holds a secret."""

    def __init__(self, provider: str, message: str, *, status: int | None = None,
                 retryable: bool = False) -> None:
        self.provider = provider
        self.status = status
        self.retryable = retryable
        super().__init__(f"{provider}: {message}")


@dataclass(frozen=True)
class ProviderConfig:
    """How to reach one provider: from the project's [providers.NAME] table and the
    environment. Secrets are held here only; repr never shows them."""

    name: str
    endpoint: str = ""
    secrets: dict[str, str] = field(default_factory=dict, repr=False)
    timeout_s: float = 60.0
    retries: int = 4
    backoff_s: float = 0.5  # the first retry's wait; doubled each time, with jitter
    poll_s: float = 2.0  # between status checks of an asynchronous job
    region: str = ""
    options: dict[str, Any] = field(default_factory=dict)  # anything provider-specific

    def secret(self, env: str) -> str:
        value = self.secrets.get(env, "")
        if not value:
            raise ProviderError(self.name, f"no credentials: set the environment variable "
                                f"{env}")
        return value


@runtime_checkable
class TextProvider(Protocol):
    def complete(self, request: TextRequest) -> TextResult: ...


@runtime_checkable
class ImageProvider(Protocol):
    def generate(self, request: ImageRequest) -> ImageResult: ...


@runtime_checkable
class VideoProvider(Protocol):
    def submit(self, request: VideoRequest) -> VideoJob: ...

    def poll(self, job: VideoJob) -> VideoJob: ...

    def fetch(self, job: VideoJob) -> VideoResult: ...


@runtime_checkable
class SpeechProvider(Protocol):
    def speak(self, request: SpeechRequest) -> SpeechResult: ...


@runtime_checkable
class EmbeddingProvider(Protocol):
    def embed(self, request: EmbeddingRequest) -> EmbeddingResult: ...


class ProviderPlugin(Protocol):
    """What the entry point `shotline.providers` names: declarations first, and a way to
    connect that the router calls only once the policy allows it."""

    @property
    def info(self) -> ProviderInfo: ...

    def connect(self, config: ProviderConfig) -> object: ...
