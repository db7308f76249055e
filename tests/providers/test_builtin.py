"""The built-in providers: the previs sketch, espeak-ng temp voices and the hashing
embedding, used through their plugins as the pipeline uses them."""

from __future__ import annotations

import io
import math
import shutil
from datetime import UTC, datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from shotline.governance.policy import check_terms
from shotline.governance.terms import parse_terms
from shotline.providers.builtin import DIMENSIONS, ESPEAK, HASHING, PREVIS, hashed_vector
from shotline.providers.protocols import (
    EmbeddingProvider,
    ImageProvider,
    ProviderConfig,
    ProviderError,
    SpeechProvider,
)
from shotline.providers.types import (
    EMBEDDING,
    IMAGE_CONTROL_DEPTH,
    IMAGE_EDIT,
    SPEECH,
    EmbeddingRequest,
    ImageRequest,
    SpeechRequest,
)
from shotline.store.settings import Policy


def png(width: int = 96, height: int = 54, colour: tuple[int, int, int] | None = None,
        mode: str = "RGB") -> bytes:
    """A small previs-like frame: a pale room, a dark figure, a horizon line."""
    image = Image.new(mode, (width, height), colour or (200, 205, 210))
    if colour is None:
        draw = ImageDraw.Draw(image)
        draw.rectangle([width // 3, height // 4, width // 2, height - 4], fill=(40, 40, 60))
        draw.line([(0, height // 2), (width, height // 2)], fill=(90, 80, 70), width=2)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def previs() -> ImageProvider:
    made = PREVIS.connect(ProviderConfig(name="previs"))
    assert isinstance(made, ImageProvider)
    return made


def sketch(**kw: object) -> tuple[bytes, ...]:
    values: dict[str, object] = {"model": "sketch", "prompt": "Mara at the door",
                                 "width": 64, "height": 36, "seed": 7, "init_image": png()}
    values.update(kw)
    return previs().generate(ImageRequest(**values)).images  # type: ignore[arg-type]


def pixels(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
        return np.asarray(image.convert("RGB"))


def test_the_same_seed_gives_the_same_bytes() -> None:
    assert sketch(seed=7) == sketch(seed=7)


def test_another_seed_gives_another_sketch() -> None:
    [a], [b] = sketch(seed=7), sketch(seed=8)
    assert a != b
    assert np.abs(pixels(a).astype(int) - pixels(b).astype(int)).mean() > 1.0


def test_no_seed_is_seed_zero() -> None:
    assert sketch(seed=None) == sketch(seed=0)


@pytest.mark.parametrize(("width", "height"), [(64, 36), (16, 16), (100, 40), (33, 77)])
def test_the_sketch_has_the_size_asked_for(width: int, height: int) -> None:
    [image] = sketch(width=width, height=height)
    with Image.open(io.BytesIO(image)) as opened:
        assert opened.size == (width, height) and opened.format == "PNG"


def test_a_negative_seed_is_drawn_or_refused_as_a_provider_error() -> None:
    try:
        [image] = sketch(seed=-1)
    except ProviderError:
        return
    assert pixels(image).shape == (36, 64, 3)


def test_several_images_differ() -> None:
    result = previs().generate(ImageRequest("sketch", "x", 64, 36, seed=3, init_image=png(),
                                            count=3))
    assert len(result.images) == 3 and len(set(result.images)) == 3
    assert result.seed == 3 and result.cost_usd == 0.0 and result.model_version


def test_a_depth_control_changes_the_sketch() -> None:
    far = png(colour=(255, 255, 255), mode="RGB")
    [plain] = sketch()
    [deep] = sketch(control={"depth": far})
    assert plain != deep
    assert pixels(deep).mean() > pixels(plain).mean()  # far things fade to the paper
    assert sketch(control={"depth": far}) == (deep,)


def test_an_init_image_is_needed() -> None:
    with pytest.raises(ProviderError, match="init image") as caught:
        sketch(init_image=None)
    assert caught.value.provider == "previs"


@pytest.mark.parametrize("data", [b"", b"not an image at all", b"\x89PNG\r\n\x1a\n broken",
                                  b"%PDF-1.7\n"])
def test_an_init_image_that_is_not_an_image(data: bytes) -> None:
    with pytest.raises(ProviderError, match="not an image"):
        sketch(init_image=data)


def test_a_depth_image_that_is_not_an_image() -> None:
    with pytest.raises(ProviderError, match="depth image is not an image"):
        sketch(control={"depth": b"garbage"})


def test_an_init_image_too_large_is_refused() -> None:
    with pytest.raises(ProviderError, match="larger than 4096"):
        sketch(init_image=png(4097, 16))


@pytest.mark.parametrize(("width", "height"), [(15, 64), (64, 8), (5000, 64), (0, 0)])
def test_an_output_size_out_of_range(width: int, height: int) -> None:
    with pytest.raises(ProviderError, match="out of range"):
        sketch(width=width, height=height)


def test_greyscale_and_rgba_frames_are_drawn_over() -> None:
    for mode in ("L", "RGBA", "P"):
        image = Image.open(io.BytesIO(png())).convert(mode)
        out = io.BytesIO()
        image.save(out, "PNG")
        [made] = sketch(init_image=out.getvalue())
        assert pixels(made).shape == (36, 64, 3)


def embed(*texts: str) -> list[np.ndarray]:
    made = HASHING.connect(ProviderConfig(name="hashing"))
    assert isinstance(made, EmbeddingProvider)
    result = made.embed(EmbeddingRequest("words-256", texts))
    return [np.array(v) for v in result.vectors]


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b)  # unit vectors


def test_hashing_vectors_are_unit_length() -> None:
    for vector in embed("Mara packs a suitcase.", "Rain. Lanterns rise over the water.",
                        "x"):
        assert vector.shape == (DIMENSIONS,)
        assert np.linalg.norm(vector) == pytest.approx(1.0)


def test_identical_texts_have_cosine_one() -> None:
    a, b, c = embed("The ferry leaves at six.", "The ferry leaves at six.",
                    "the FERRY leaves, at six!")
    assert cosine(a, b) == pytest.approx(1.0)
    assert cosine(a, c) == pytest.approx(1.0)  # case and punctuation do not count


def test_similar_text_is_closer_than_dissimilar_text() -> None:
    base, near, far = embed("Mara packs a suitcase in the kitchen",
                            "Mara packs her suitcase in the kitchen at dawn",
                            "Hundreds of lanterns rise over the harbour")
    assert cosine(base, near) > cosine(base, far)
    assert cosine(base, near) > 0.5


def test_empty_text_is_a_zero_vector_without_nan() -> None:
    for vector in embed("", "   ", "!?. --"):
        assert not np.isnan(vector).any()
        assert not vector.any()


def test_hashing_is_the_same_in_every_call() -> None:
    [a], [b] = embed("Left at the chapel."), embed("Left at the chapel.")
    assert a.tobytes() == b.tobytes()
    assert hashed_vector("Left at the chapel.") == hashed_vector("Left at the chapel.")


@settings(max_examples=60)
@given(st.text(max_size=200))
def test_any_text_embeds_to_a_finite_unit_or_zero_vector(text: str) -> None:
    vector = hashed_vector(text)
    assert len(vector) == DIMENSIONS and all(math.isfinite(x) for x in vector)
    norm = math.sqrt(sum(x * x for x in vector))
    assert norm == pytest.approx(1.0) or norm == 0.0


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_espeak_speaks_wav() -> None:
    made = ESPEAK.connect(ProviderConfig(name="espeak"))
    assert isinstance(made, SpeechProvider)
    result = made.speak(SpeechRequest("espeak-ng", "The ferry leaves at six."))
    assert result.audio[:4] == b"RIFF" and result.audio[8:12] == b"WAVE"
    assert len(result.audio) > 1000 and result.cost_usd == 0.0


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
@pytest.mark.parametrize("voice", ["zz", "no such voice"])
def test_an_unknown_voice_is_a_provider_error(voice: str) -> None:
    made = ESPEAK.connect(ProviderConfig(name="espeak"))
    assert isinstance(made, SpeechProvider)
    with pytest.raises(ProviderError):
        made.speak(SpeechRequest("espeak-ng", "Hello.", voice=voice))


def test_espeak_without_the_program(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shotline.providers.builtin.find_espeak", lambda: None)
    made = ESPEAK.connect(ProviderConfig(name="espeak"))
    assert isinstance(made, SpeechProvider)
    with pytest.raises(ProviderError, match="espeak-ng is not installed"):
        made.speak(SpeechRequest("espeak-ng", "Hello."))


@pytest.mark.parametrize(("plugin", "capability"), [(PREVIS, IMAGE_EDIT),
                                                     (PREVIS, IMAGE_CONTROL_DEPTH),
                                                     (ESPEAK, SPEECH), (HASHING, EMBEDDING)],
                         ids=["previs", "previs-depth", "espeak", "hashing"])
def test_builtin_terms_pass_the_default_policy_today(plugin: object, capability: str) -> None:
    info = plugin.info  # type: ignore[attr-defined]
    assert info.where == "builtin" and info.credentials == ()
    [model] = info.models
    assert capability in model.capabilities and model.cost.free
    assert check_terms(model.terms, Policy(), datetime.now(UTC).date()) == []
    assert model.terms.regions == ("local",)


@pytest.mark.parametrize("plugin", [PREVIS, ESPEAK, HASHING], ids=["previs", "espeak",
                                                                   "hashing"])
def test_builtin_terms_are_valid_terms(plugin: object) -> None:
    [model] = plugin.info.models  # type: ignore[attr-defined]
    assert parse_terms(model.terms.to_dict(), "builtin") == model.terms
