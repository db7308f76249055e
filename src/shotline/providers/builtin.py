"""The built-in providers: they run in this process, send nothing anywhere, and make the
whole pipeline work offline with nothing but the package.

- previs: image to image. A take drawn over the previs frame as a pencil-and-wash
  sketch, its hatching, paper and line wobble set by the seed, so takes differ and
  dailies can be compared; the depth control image sets the tonal depth.
- espeak: speech through espeak-ng (a system program), the animatic's temp voices.
- hashing: a bag-of-words embedding by feature hashing, for finding similar text.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from shotline.animatic.speech import SpeechError, find_espeak, speak
from shotline.governance.terms import DataUseTerms
from shotline.providers.protocols import ProviderConfig, ProviderError
from shotline.providers.types import (
    EMBEDDING,
    IMAGE_CONTROL_DEPTH,
    IMAGE_CONTROL_POSE,
    IMAGE_EDIT,
    SPEECH,
    CostModel,
    EmbeddingRequest,
    EmbeddingResult,
    ImageRequest,
    ImageResult,
    ModelInfo,
    ProviderInfo,
    SpeechRequest,
    SpeechResult,
)

EVIDENCE = "docs/providers.md#built-in-providers"
MAX_SIDE = 4096


def local_terms() -> DataUseTerms:
    """In-process code keeps nothing and sends nothing; the code is the evidence, so
    it is verified whenever it runs."""
    return DataUseTerms(trains_on_inputs=False, trains_on_outputs=False, retention_days=0,
                        zero_data_retention=True, human_review=False, regions=("local",),
                        evidence_url=EVIDENCE, verified_at=datetime.now(UTC).date())


def _png(pixels: NDArray[np.uint8]) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG", compress_level=3)
    return buffer.getvalue()


def _open(data: bytes, what: str, size: tuple[int, int], mode: str) -> NDArray[np.float32]:
    try:
        with Image.open(io.BytesIO(data)) as image:
            if max(image.size) > MAX_SIDE:
                raise ProviderError("previs", f"the {what} is larger than {MAX_SIDE} px")
            picture = image.convert(mode).resize(size, Image.Resampling.BILINEAR)
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ProviderError("previs", f"the {what} is not an image: {exc}") from None
    return np.asarray(picture, dtype=np.float32) / 255.0


def _edges(grey: NDArray[np.float32]) -> NDArray[np.float32]:
    gx = np.zeros_like(grey)
    gy = np.zeros_like(grey)
    gx[:, 1:-1] = grey[:, 2:] - grey[:, :-2]
    gy[1:-1, :] = grey[2:, :] - grey[:-2, :]
    return np.clip(np.hypot(gx, gy) * 3.0, 0.0, 1.0)


def sketch(frame: bytes, width: int, height: int, seed: int,
           depth: bytes | None = None) -> bytes:
    """The previs frame redrawn as a sketch; the same inputs give the same bytes."""
    rng = np.random.default_rng(seed % 2**63)  # any integer is a seed
    colour = _open(frame, "previs frame", (width, height), "RGB")
    grey = colour @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    # Far things fade, as in a wash drawing; without depth, the frame's own tones stay.
    far = (_open(depth, "depth image", (width, height), "L") if depth is not None
           else np.zeros_like(grey))
    # Previs frames are pale; a sketch wants the frame's own range, dark to light.
    low, high = np.percentile(grey, [2.0, 98.0])
    tone = np.clip((grey - low) / max(float(high - low), 0.05) + 0.3 * far, 0.0, 1.0)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    angle = rng.uniform(0.35, 1.2)
    spacing = rng.uniform(5.0, 8.0)
    wobble = rng.uniform(0.5, 2.0)
    phase = rng.uniform(0, spacing)
    along = xs * math.cos(angle) + ys * math.sin(angle)
    across = xs * -math.sin(angle) + ys * math.cos(angle)
    stripes = (np.sin(across / 23.0 + phase) * wobble + along) % spacing / spacing
    hatch = (stripes < (1.0 - tone) * 0.8).astype(np.float32) * (tone < 0.72)
    cross = ((along * 0.7 - across) % spacing / spacing < (0.45 - tone)).astype(np.float32)
    ink = np.clip(0.85 * _edges(tone) + 0.45 * hatch + 0.5 * cross, 0.0, 1.0)
    paper = np.array(rng.uniform([0.93, 0.90, 0.82], [0.98, 0.96, 0.90]), dtype=np.float32)
    grain = rng.normal(0.0, 0.015, size=(height, width, 1)).astype(np.float32)
    wash = 0.25 * (colour - grey[..., None]) * (1.0 - tone[..., None])  # a hint of colour
    pixels = paper * (1.0 - 0.82 * ink[..., None]) + wash + grain
    return _png((np.clip(pixels, 0.0, 1.0) * 255 + 0.5).astype(np.uint8))


@dataclass(frozen=True)
class _Previs:
    def generate(self, request: ImageRequest) -> ImageResult:
        if request.init_image is None:
            raise ProviderError("previs", "the sketch model draws over a previs frame: "
                                "send it as the init image")
        if not (16 <= request.width <= MAX_SIDE and 16 <= request.height <= MAX_SIDE):
            raise ProviderError("previs", f"size {request.width}x{request.height} is out of "
                                f"range (16..{MAX_SIDE})")
        seed = request.seed if request.seed is not None else 0
        images = tuple(sketch(request.init_image, request.width, request.height, seed + k,
                              request.control.get("depth")) for k in range(request.count))
        return ImageResult(images, seed=seed, model_version="sketch-1")


class PrevisPlugin:
    info = ProviderInfo(
        name="previs", title="Shotline previs (built in)", where="builtin",
        models=(ModelInfo("sketch", frozenset({IMAGE_EDIT, IMAGE_CONTROL_DEPTH,
                                                IMAGE_CONTROL_POSE}), CostModel(),
                          local_terms(), description="the previs frame as a pencil sketch"),))

    def connect(self, config: ProviderConfig) -> object:
        return _Previs()


@dataclass(frozen=True)
class _Espeak:
    def speak(self, request: SpeechRequest) -> SpeechResult:
        if find_espeak() is None:
            raise ProviderError("espeak", "espeak-ng is not installed (apt-get install "
                                "espeak-ng)")
        try:
            audio = speak(request.text, request.voice or "en-us+m1")
        except (SpeechError, ValueError) as exc:
            raise ProviderError("espeak", str(exc)) from None
        if audio is None:
            raise ProviderError("espeak", "espeak-ng made no audio")
        return SpeechResult(audio)


class EspeakPlugin:
    info = ProviderInfo(
        name="espeak", title="espeak-ng temp voices (built in)", where="builtin",
        models=(ModelInfo("espeak-ng", frozenset({SPEECH}), CostModel(), local_terms(),
                          description="formant speech for temp dialogue"),))

    def connect(self, config: ProviderConfig) -> object:
        return _Espeak()


_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
DIMENSIONS = 256


def hashed_vector(text: str, dimensions: int = DIMENSIONS) -> tuple[float, ...]:
    """Words and word pairs hashed into a fixed vector, signed, of unit length."""
    words = [w.lower() for w in _WORD.findall(text)]
    vector = np.zeros(dimensions, dtype=np.float64)
    for feature in words + [f"{a} {b}" for a, b in itertools.pairwise(words)]:
        digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
        value = int.from_bytes(digest, "little")
        vector[value % dimensions] += 1.0 if value >> 63 else -1.0
    norm = float(np.linalg.norm(vector))
    return tuple(float(x) for x in (vector / norm if norm else vector))


@dataclass(frozen=True)
class _Hashing:
    def embed(self, request: EmbeddingRequest) -> EmbeddingResult:
        return EmbeddingResult(tuple(hashed_vector(t) for t in request.texts))


class HashingPlugin:
    info = ProviderInfo(
        name="hashing", title="Hashed bag of words (built in)", where="builtin",
        models=(ModelInfo("words-256", frozenset({EMBEDDING}), CostModel(), local_terms(),
                          description="256 dimensions; similar wording, similar vectors"),))

    def connect(self, config: ProviderConfig) -> object:
        return _Hashing()


PREVIS = PrevisPlugin()
ESPEAK = EspeakPlugin()
HASHING = HashingPlugin()
