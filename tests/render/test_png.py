"""The PNG writer: what it writes decodes to exactly what was drawn."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
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


def fingerprint() -> str:
    """The sha256 of a colour and a grey PNG of one fixed frame with blank rows."""
    rng = np.random.default_rng(11)
    bgra = rng.integers(0, 4, (90, 160, 4), dtype=np.uint8) * 60
    bgra[20:50] = 0
    return hashlib.sha256(encode_rgb(bgra) + encode_grey(bgra[:, :, 1].copy())).hexdigest()


IN_A_FRESH_PROCESS = """
import os, sys
junk = [os.urandom(n) for n in range(1000, 400_000, 7_919)]  # memory left dirty
del junk
from tests.render.test_png import fingerprint
sys.stdout.write(fingerprint())
"""


def test_the_same_pixels_make_the_same_bytes_in_any_process() -> None:
    """Frames are content-addressed: the bytes may depend on the pixels alone, not on
    what the process did before or on memory the encoder did not set."""
    here = fingerprint()
    root = Path(__file__).resolve().parents[2]
    for perturb in ("0", "85", "170"):
        env = {**os.environ, "MALLOC_PERTURB_": perturb}
        there = subprocess.run([sys.executable, "-c", IN_A_FRESH_PROCESS], env=env, cwd=root,
                               capture_output=True, text=True, check=True).stdout
        assert there == here, perturb
