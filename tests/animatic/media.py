"""Boards to encode and ways to look inside the MP4s that come out."""

from __future__ import annotations

import io
from dataclasses import dataclass

import av
import numpy as np
from PIL import Image, ImageDraw


def board(width: int = 320, height: int = 180, seed: int = 0) -> bytes:
    """A PNG with gradients and lines: detail everywhere, as a real board has."""
    y, x = np.mgrid[0:height, 0:width]
    rgb = np.stack([x * 255 // width, y * 255 // height,
                    (x + y + seed * 40) * 255 // (width + height + 200)], -1).astype(np.uint8)
    image = Image.fromarray(rgb)
    draw = ImageDraw.Draw(image)
    for i in range(12):
        draw.line([(i * width // 12, 0), (width - i * width // 20, height)], fill=(0, 0, 0),
                  width=2)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@dataclass
class Probe:
    codec: str
    width: int
    height: int
    pix_fmt: str | None
    frames: list[np.ndarray]  # decoded luma planes
    keyframes: list[bool]
    video_seconds: float
    audio_codec: str | None
    audio_rate: int
    audio_channels: int
    audio: np.ndarray  # decoded samples (channels, n)
    errors: list[str]


def probe(mp4: bytes) -> Probe:
    """Everything about an MP4 the tests look at, decoded strictly: any decoder
    complaint is collected in ``errors``."""
    level = av.logging.get_level()
    av.logging.set_level(av.logging.WARNING)
    try:
        return _probe(mp4)
    finally:
        av.logging.set_level(level)


def _probe(mp4: bytes) -> Probe:
    with av.logging.Capture() as logs, av.open(io.BytesIO(mp4)) as container:
        video = container.streams.video[0]
        video.codec_context.options = {"err_detect": "crccheck+bitstream+buffer+explode"}
        packets = [p for p in container.demux(video) if p.size]
        keyframes = [p.is_keyframe for p in packets]
        frames = []
        for p in packets:
            frames += [f.to_ndarray()[: video.height] for f in video.decode(p)]
        frames += [f.to_ndarray()[: video.height] for f in video.decode(None)]
        assert video.time_base is not None
        seconds = float(sum(p.duration or 0 for p in packets) * video.time_base)
        codec, pix_fmt = video.codec_context.name, video.codec_context.pix_fmt
        width, height = video.width, video.height
    with av.open(io.BytesIO(mp4)) as container:
        sound = container.streams.audio[0] if container.streams.audio else None
        chunks = [f.to_ndarray() for f in container.decode(sound)] if sound else []
        audio = np.concatenate(chunks, axis=1) if chunks else np.zeros((0, 0), np.float32)
        audio_codec = sound.codec_context.name if sound else None
        rate = sound.codec_context.sample_rate if sound else 0
        channels = sound.codec_context.channels if sound else 0
    errors = [line[2] for line in logs if line[0] <= av.logging.WARNING]
    return Probe(codec, width, height, pix_fmt, frames, keyframes, seconds, audio_codec,
                 rate, channels, audio, errors)


def packets(mp4: bytes, kind: str = "video") -> list[bytes]:
    with av.open(io.BytesIO(mp4)) as container:
        stream = container.streams.video[0] if kind == "video" else container.streams.audio[0]
        return [bytes(p) for p in container.demux(stream) if p.size]
