"""The PNG writer: what it writes decodes to exactly what was drawn."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image

from shotline.render.png import encode_grey, encode_rgb
from tests.render.examples import write_showcase


def decode(data: bytes) -> np.ndarray:
    image = Image.open(io.BytesIO(data))
    image.load()
    return np.asarray(image)


def test_colour_round_trips_dropping_alpha() -> None:
    rng = np.random.default_rng(7)
    bgra = rng.integers(0, 256, (37, 53, 4), dtype=np.uint8)
    out = decode(encode_rgb(bgra))
    assert out.shape == (37, 53, 3)
    assert np.array_equal(out, bgra[:, :, 2::-1])


def test_black_rows_are_spliced_in_correctly() -> None:
    rng = np.random.default_rng(8)
    for rows in ([], [0], [5, 6, 7], [0, 99], list(range(3, 90, 7))):
        bgra = np.zeros((100, 31, 4), dtype=np.uint8)
        for r in rows:
            bgra[r] = rng.integers(0, 256, (31, 4), dtype=np.uint8)
        assert np.array_equal(decode(encode_rgb(bgra)), bgra[:, :, 2::-1])


def test_grey_round_trips() -> None:
    grey = np.arange(64 * 48, dtype=np.uint32).reshape(48, 64).astype(np.uint8)
    grey[10:30] = 0
    out = decode(encode_grey(grey))
    assert out.shape == (48, 64) and np.array_equal(out, grey)


def test_the_showcase_writes_every_example(tmp_path: Path) -> None:
    written = write_showcase(str(tmp_path))
    assert len(written) >= 12
    for path in written:
        assert Image.open(path).size == (960, 540)
