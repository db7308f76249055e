"""Segments (or joined stretches) into one MP4, packets copied, never re-encoded.

Video packets keep their bytes and move by the running length of the video before
them. AAC packets are 1024 samples, which rarely fits a cut's length, so each input's
audio is laid end to end with the audio before it: a packet is dropped where the
audio has run more than half a packet ahead of the picture, and a packet of silence
is added where it has fallen as far behind. Sound stays within 11 ms of its picture
at every cut and never drifts, however many cuts there are.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from fractions import Fraction

import av
from av.audio.stream import AudioStream
from av.container import InputContainer, OutputContainer
from av.packet import Packet
from av.stream import Stream
from av.video.stream import VideoStream

from shotline.animatic import audio

# Opening a segment should not decode it: the MP4 header already says what it holds.
_READ_OPTIONS = {"skip_frame": "all", "threads": "1"}
_CONTAINER_OPTIONS = {"analyzeduration": "0", "probesize": "32", "fpsprobesize": "0",
                      "fflags": "+noparse+nofillin"}  # MP4 packets are whole already


def _open(data: bytes, index: int) -> InputContainer:
    try:
        return av.open(io.BytesIO(data), "r", format="mp4", options=_READ_OPTIONS,
                       container_options=_CONTAINER_OPTIONS)
    except av.FFmpegError as exc:
        raise ValueError(f"segment {index} is not an MP4: {exc}") from exc


def _streams(container: InputContainer, index: int) -> tuple[VideoStream, AudioStream | None]:
    videos, audios = container.streams.video, container.streams.audio
    if len(videos) != 1 or len(audios) > 1:
        raise ValueError(f"segment {index} has {len(videos)} video and {len(audios)} "
                         "audio streams: one video and at most one audio are needed")
    return videos[0], (audios[0] if audios else None)


def _format(video: VideoStream, sound: AudioStream | None) -> tuple[object, ...]:
    """What must match for packets to be copied from one file into another."""
    v = video.codec_context
    picture = (v.name, v.width, v.height, v.pix_fmt, v.extradata, video.time_base)
    if sound is None:
        return (*picture, None)
    a = sound.codec_context
    return (*picture, (a.name, a.sample_rate, a.channels, a.extradata, sound.time_base))


def join_segments(segments: Sequence[bytes]) -> bytes:
    """One MP4 playing the segments in order: every video packet kept as it is (total
    frames and duration are the segments' sums), audio laid end to end. All segments
    must share one format (as ``encode_segment`` makes at one board size and fps);
    the output of a join can be joined again."""
    if not segments:
        raise ValueError("no segments to join")
    buffer = io.BytesIO()
    with _open(segments[0], 0) as first, av.open(buffer, "w", format="mp4") as out:
        joiner = _Joiner(out, *_streams(first, 0))
        joiner.add(first, 0)
        for index, data in enumerate(segments[1:], 1):
            with _open(data, index) as container:
                joiner.add(container, index)
    return buffer.getvalue()


class _Joiner:
    """The output and where it has got to: the picture's end, the sound's end."""

    def __init__(self, out: OutputContainer, video: VideoStream,
                 sound: AudioStream | None) -> None:
        self.out = out
        self.expected = _format(video, sound)
        self.video_out = out.add_stream_from_template(video)
        self.sound_out = out.add_stream_from_template(sound) if sound is not None else None
        self.rate = 1
        if sound is not None:
            self.rate = sound.codec_context.sample_rate
            if sound.codec_context.name != "aac" or sound.time_base != Fraction(1, self.rate):
                raise ValueError("joined audio must be AAC timed in samples")
        self.start = Fraction(0)  # where the next segment starts, in seconds
        self.audio_clock = 0  # where the sound laid so far ends, in samples
        self.silence: bytes | None = None

    def add(self, container: InputContainer, index: int) -> None:
        video, sound = _streams(container, index)
        if _format(video, sound) != self.expected:
            raise ValueError(f"segment {index} differs in format from segment 0 "
                             "(board size, fps or encoder settings)")
        time_base = video.time_base
        assert time_base is not None
        origin = video.start_time or 0
        shift = round(self.start / time_base) - origin
        audio_start = round(self.start * self.rate) if sound is not None else 0
        video_index, video_out = video.index, self.video_out
        end = origin
        batch: list[Packet[Stream]] = []
        # Per packet as little as possible: a film is half a million packets.
        for packet in container.demux():
            pts = packet.pts
            if pts is None:
                continue  # the demuxer's end-of-stream markers
            if packet.stream_index == video_index:
                end = max(end, pts + (packet.duration or 0))
                packet.pts = pts + shift
                packet.dts = (packet.dts or 0) + shift
                packet.stream = video_out
                batch.append(packet)
            elif pts >= 0:  # (a priming packet would overlap the sound before it)
                self._lay_sound(packet, audio_start + pts, batch)
        self.out.mux(batch)
        self.start += (end - origin) * time_base

    def _lay_sound(self, packet: Packet[Stream], at: int, batch: list[Packet[Stream]]) -> None:
        """Put a sound packet that belongs at sample ``at`` at the end of the sound so
        far, unless that is over half a packet early or late: then drop it, or fill."""
        assert self.sound_out is not None
        size = packet.duration or audio.BLOCK
        if at + size // 2 < self.audio_clock:
            return
        while at - self.audio_clock >= size // 2:
            if self.silence is None:
                self.silence = _silence(self.sound_out)
            batch.append(_packet(self.silence, self.audio_clock, size, self.sound_out))
            self.audio_clock += size
        packet.pts = packet.dts = self.audio_clock
        packet.stream = self.sound_out
        batch.append(packet)
        self.audio_clock += size


def _packet(data: bytes, pts: int, duration: int, stream: AudioStream) -> Packet[Stream]:
    packet = av.Packet(data)
    packet.pts = packet.dts = pts
    packet.duration = duration
    assert stream.time_base is not None
    packet.time_base = stream.time_base
    packet.stream = stream
    return packet


def _silence(stream: AudioStream) -> bytes:
    ctx = stream.codec_context
    if (ctx.sample_rate, ctx.channels) != (audio.RATE, audio.CHANNELS):
        raise ValueError("cannot fill a gap in audio of another format")
    return audio.silent_packet()
