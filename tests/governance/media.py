"""Small media to sign: a PNG board, a JPEG and a short MP4, made here."""

from __future__ import annotations

import io

import av
import numpy as np
from PIL import Image, ImageDraw


def png(width: int = 160, height: int = 90, seed: int = 0) -> bytes:
    return _image(width, height, seed, "PNG")


def jpeg(width: int = 160, height: int = 90, seed: int = 0) -> bytes:
    return _image(width, height, seed, "JPEG")


def _image(width: int, height: int, seed: int, fmt: str) -> bytes:
    y, x = np.mgrid[0:height, 0:width]
    rgb = np.stack([x * 255 // width, y * 255 // height,
                    np.full_like(x, seed * 37 % 256)], -1).astype(np.uint8)
    image = Image.fromarray(rgb)
    ImageDraw.Draw(image).line([(0, 0), (width, height)], fill=(0, 0, 0), width=3)
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def mp4(frames: int = 6, width: int = 64, height: int = 48) -> bytes:
    out = io.BytesIO()
    with av.open(out, "w", format="mp4") as container:
        stream = container.add_stream("mpeg4", rate=24)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for i in range(frames):
            picture = np.full((height, width, 3), i * 40 % 256, np.uint8)
            picture[:, : width // 2] = 255 - picture[:, : width // 2]
            for packet in stream.encode(av.VideoFrame.from_ndarray(picture, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return out.getvalue()


def mdat_payload(data: bytes) -> int:
    """The offset of a byte inside the MP4's media data (the pictures)."""
    at = data.find(b"mdat")
    assert at > 0
    return at + 4 + 16
