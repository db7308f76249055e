"""Segments (or joined stretches) into one MP4 by moving bytes: nothing is decoded,
re-encoded or even demuxed packet by packet.

Each input's sample tables are read into arrays (see ``mp4``). The output's media is
the inputs' media copied in a few long runs, its tables are theirs with every chunk
moved to where its bytes now lie, and a new moov follows the media. A two-hour
animatic is some 270 MB in half a million samples: joining it is one copy of those
bytes and some array arithmetic, and the same inputs always give the same bytes.

Video samples keep their bytes and follow the video before them. AAC packets are 1024
samples, which rarely fits a cut's length, so each input's audio is laid end to end
with the audio before it: a packet is dropped where the audio has run more than half a
packet ahead of the picture, and a packet of silence is added where it has fallen as
far behind. Sound stays within 11 ms of its picture at every cut and never drifts,
however many cuts there are.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from shotline.animatic import audio, mp4
from shotline.animatic.mp4 import Flags, Ints, Movie, Track

_AAC = 0x40  # the esds object type of MPEG-4 audio
_HALF = audio.BLOCK // 2


@dataclass(frozen=True)
class _Input:
    movie: Movie
    video: Track
    sound: Track | None
    format: tuple[object, ...]  # what must match for samples to follow one another


def _read(data: bytes, index: int) -> _Input:
    try:
        movie = mp4.read_movie(data)
        videos = [t for t in movie.tracks if t.handler == b"vide"]
        sounds = [t for t in movie.tracks if t.handler == b"soun"]
        others = len(movie.tracks) - len(videos) - len(sounds)
        if len(videos) != 1 or len(sounds) > 1 or others:
            raise ValueError(f"segment {index} has {len(videos)} video, {len(sounds)} audio "
                             f"and {others} other tracks: one video and at most one audio "
                             "are needed")
        video, sound = videos[0], (sounds[0] if sounds else None)
        picture = (video.timescale, mp4.format_signature(video),
                   tuple(np.unique(video.durations).tolist()))  # the frame rate
        heard = None if sound is None else (sound.timescale, mp4.format_signature(sound),
                                            sound.sgpd)
    except mp4.Mp4Error as exc:
        raise ValueError(f"segment {index} is not an MP4: {exc}") from exc
    except (struct.error, IndexError) as exc:
        raise ValueError(f"segment {index} is not an MP4: it is cut short ({exc})") from exc
    return _Input(movie, video, sound, (*picture, heard))


@dataclass
class _Layout:
    """One output track as it grows: its samples and chunks, input after input."""

    sizes: list[Ints] = field(default_factory=list)
    durations: list[Ints] = field(default_factory=list)
    sync: list[Flags] = field(default_factory=list)
    groups: list[Ints] = field(default_factory=list)
    offsets: list[Ints] = field(default_factory=list)  # chunk starts in the output's media
    counts: list[Ints] = field(default_factory=list)  # samples per chunk

    def add(self, sizes: Ints, durations: Ints, sync: Flags, groups: Ints, offsets: Ints,
            counts: Ints) -> None:
        self.sizes.append(sizes)
        self.durations.append(durations)
        self.sync.append(sync)
        self.groups.append(groups)
        self.offsets.append(offsets)
        self.counts.append(counts)

    def column(self, name: str) -> Ints:
        parts: list[Ints] = getattr(self, name)
        return np.concatenate(parts) if parts else np.zeros(0, np.int64)


@dataclass
class _Media:
    """The output's media data: views of the inputs' bytes (and silence), in order."""

    pieces: list[bytes | memoryview] = field(default_factory=list)
    length: int = 0

    def append(self, piece: bytes | memoryview) -> int:
        at = self.length
        self.pieces.append(piece)
        self.length += len(piece)
        return at

    def place(self, data: bytes, offsets: Ints, lengths: Ints) -> Ints:
        """Lay the bytes the chunks cover after the media so far (as views of ``data``,
        runs merged where they touch or overlap), and return where each chunk now
        starts in the media."""
        if not len(offsets):
            return offsets
        order = np.argsort(offsets, kind="stable")
        starts = offsets[order]
        ends = np.maximum.accumulate(starts + lengths[order])
        opens = np.ones(len(starts), np.bool_)
        opens[1:] = starts[1:] > ends[:-1]
        firsts = np.flatnonzero(opens)
        run_starts = starts[firsts]
        run_ends = ends[np.concatenate((firsts[1:] - 1, [len(starts) - 1]))]
        run_at = self.length + np.concatenate(([0], np.cumsum(run_ends - run_starts)[:-1]))
        view = memoryview(data)
        for start, end in zip(run_starts.tolist(), run_ends.tolist(), strict=True):
            self.append(view[start:end])
        run = np.cumsum(opens) - 1
        placed = np.empty_like(offsets)
        placed[order] = run_at[run] + starts - run_starts[run]
        return placed


def join_segments(segments: Sequence[bytes]) -> bytes:
    """One MP4 playing the segments in order: every video sample kept as it is (total
    frames and duration are the segments' sums), audio laid end to end. All segments
    must share one format (as ``encode_segment`` makes at one board size and fps);
    the output of a join can be joined again."""
    if not segments:
        raise ValueError("no segments to join")
    inputs = [_read(data, index) for index, data in enumerate(segments)]
    for index, found in enumerate(inputs[1:], 1):
        if found.format != inputs[0].format:
            raise ValueError(f"segment {index} differs in format from segment 0 "
                             "(board size, fps or encoder settings)")
    joiner = _Joiner(inputs[0])
    for index, (found, data) in enumerate(zip(inputs, segments, strict=True)):
        joiner.add(found, data, index)
    return joiner.output()


class _Joiner:
    """The output as it grows: its media, its two tracks, where the picture and the
    sound laid so far end."""

    def __init__(self, head: _Input) -> None:
        self.head = head
        self.rate = _check_sound(head.sound) if head.sound is not None else 1
        self.media = _Media()
        self.video, self.sound = _Layout(), _Layout()
        self.picture = 0  # where the next input starts, in the video's timescale
        self.heard = 0  # where the sound laid so far ends, in samples

    def add(self, found: _Input, data: bytes, index: int) -> None:
        video, sound = found.video, found.sound
        offsets, lengths = [video.chunk_offsets], [video.chunk_bytes]
        drop = 0
        kept: tuple[Ints, Ints, Ints] | None = None
        if sound is not None:
            drop = self._lay_sound(sound, index)
            kept = _without_first(sound, drop)
            offsets.append(kept[0])
            lengths.append(kept[1])
        placed = self.media.place(data, np.concatenate(offsets), np.concatenate(lengths))
        chunks = len(video.chunk_offsets)
        self.video.add(video.sizes, video.durations, _sync(video),
                       np.zeros(len(video.sizes), np.int64), placed[:chunks],
                       video.chunk_counts)
        if sound is not None and kept is not None:
            self.sound.add(sound.sizes[drop:], sound.durations[drop:], _sync(sound)[drop:],
                           _groups(sound)[drop:], placed[chunks:], kept[2])
        self.picture += int(video.durations.sum())

    def _lay_sound(self, sound: Track, index: int) -> int:
        """Where the input's sound goes: how many of its first packets to drop (the
        sound so far has run over half a packet past the cut), or how many packets of
        silence to lay first (it has stopped as far short of it), the silence laid."""
        if (sound.durations != audio.BLOCK).any():
            raise ValueError(f"segment {index}: every AAC packet must be {audio.BLOCK} "
                             "samples")
        video = self.head.video
        ahead = round(Fraction(self.picture * self.rate, video.timescale)) - self.heard
        drop = fill = 0
        while drop < len(sound.sizes) and ahead < -_HALF:
            ahead += audio.BLOCK
            drop += 1
        while drop < len(sound.sizes) and ahead >= _HALF:
            ahead -= audio.BLOCK
            fill += 1
        if fill:
            silence = _silence(sound)
            at = self.media.append(silence * fill)
            self.sound.add(np.full(fill, len(silence), np.int64),
                           np.full(fill, audio.BLOCK, np.int64), np.ones(fill, np.bool_),
                           np.full(fill, _fill_group(self.head.sound), np.int64),
                           np.array([at], np.int64), np.array([fill], np.int64))
        self.heard += (fill + len(sound.sizes) - drop) * audio.BLOCK
        return drop

    def output(self) -> bytes:
        """ftyp, mdat (the media), then a moov that says where everything is."""
        movie = self.head.movie
        ftyp = mp4.box(b"ftyp", movie.ftyp)
        header = mp4.box_header(b"mdat", self.media.length)
        start = len(ftyp) + len(header)
        traks: list[bytes] = []
        longest = 0
        for track in movie.tracks:
            laid = self.video if track is self.head.video else self.sound
            trak, length = _trak(track, laid, movie.timescale, start)
            traks.append(trak)
            longest = max(longest, length)
        moov = mp4.box(b"moov", mp4.with_duration(b"mvhd", movie.mvhd, longest), *traks,
                       *([mp4.box(b"udta", movie.udta)] if movie.udta else []))
        return b"".join([ftyp, header, *self.media.pieces, moov])


def _check_sound(sound: Track) -> int:
    found = mp4.audio_format(sound.stsd)
    if found.codec != b"mp4a" or found.object_type != _AAC or sound.timescale != found.rate:
        raise ValueError("joined audio must be AAC timed in samples")
    return found.rate


def _silence(sound: Track) -> bytes:
    found = mp4.audio_format(sound.stsd)
    if (found.rate, found.channels) != (audio.RATE, audio.CHANNELS):
        raise ValueError("cannot fill a gap in audio of another format")
    return audio.silent_packet()


def _fill_group(sound: Track | None) -> int:
    """The sample group a packet of silence joins: the one AAC packets are in (their
    roll, the packet before that a decoder needs)."""
    if sound is None or sound.groups is None or not len(sound.groups):
        return 0
    return int(sound.groups[0])


def _sync(track: Track) -> Flags:
    return track.sync if track.sync is not None else np.ones(len(track.sizes), np.bool_)


def _groups(track: Track) -> Ints:
    return track.groups if track.groups is not None else np.zeros(len(track.sizes), np.int64)


def _without_first(track: Track, drop: int) -> tuple[Ints, Ints, Ints]:
    """The track's chunks (offsets, byte lengths, sample counts) less its first
    ``drop`` samples."""
    offsets, lengths, counts = track.chunk_offsets, track.chunk_bytes, track.chunk_counts
    if not drop:
        return offsets, lengths, counts
    ends = np.cumsum(counts)
    whole = int(np.searchsorted(ends, drop, side="right"))  # chunks dropped entirely
    offsets, lengths, counts = offsets[whole:].copy(), lengths[whole:].copy(), counts[whole:].copy()
    part = drop - (int(ends[whole - 1]) if whole else 0)
    if part and len(counts):
        cut = int(track.sizes[drop - part:drop].sum())
        offsets[0] += cut
        lengths[0] -= cut
        counts[0] -= part
    return offsets, lengths, counts


def _trak(template: Track, laid: _Layout, movie_scale: int, start: int) -> tuple[bytes, int]:
    """The output's trak box for one track, and its length in the movie's timescale."""
    box = mp4.box
    sizes, durations = laid.column("sizes"), laid.column("durations")
    duration = int(durations.sum())
    length = -(-duration * movie_scale // template.timescale)
    top, average = mp4.bit_rates(sizes, durations, template.timescale)
    tables = [box(b"stsd", mp4.with_rates(template.stsd, template.handler, top, average)),
              mp4.stts(durations)]
    sync = mp4.stss(laid.column("sync").astype(np.bool_))
    tables += [sync] if sync is not None else []
    tables += [mp4.stsc(laid.column("counts")), mp4.stsz(sizes),
               mp4.chunk_offsets(laid.column("offsets") + start)]
    if template.sgpd is not None and template.grouping is not None:
        tables += [box(b"sgpd", template.sgpd), mp4.sbgp(template.grouping,
                                                         laid.column("groups"))]
    minf = box(b"minf", box(*template.media_header), box(b"dinf", template.dinf),
               box(b"stbl", *tables))
    mdia = box(b"mdia", mp4.with_duration(b"mdhd", template.mdhd, duration),
               box(b"hdlr", template.hdlr), minf)
    return box(b"trak", mp4.with_duration(b"tkhd", template.tkhd, length),
               mp4.edit_list(length), mdia), length
