"""Sidecar subtitles: SubRip and WebVTT, byte for byte."""

from __future__ import annotations

from shotline.animatic import Line, to_srt, to_vtt

LINES = (
    Line(3725.25, 3727.0, "TEO", "Then I'll drive you."),
    Line(1.5, 3.0, "MARA", "The ferry  leaves\nat six."),
    Line(4.0, 4.0, "MARA", "(no time on screen)"),
    Line(5.0, 6.0, "MARA", "   "),
)


def test_srt() -> None:
    assert to_srt(LINES) == (
        "1\n"
        "00:00:01,500 --> 00:00:03,000\n"
        "MARA: The ferry leaves at six.\n"
        "\n"
        "2\n"
        "01:02:05,250 --> 01:02:07,000\n"
        "TEO: Then I'll drive you.\n")


def test_vtt_voices_and_escaping() -> None:
    lines = (*LINES, Line(10.0, 10.0015, "DR. <X> & CO", "a < b && c > d"),
             Line(12.0, 13.0, "", "--> not an arrow"))
    assert to_vtt(lines) == (
        "WEBVTT\n"
        "\n"
        "00:00:01.500 --> 00:00:03.000\n"
        "<v MARA>The ferry leaves at six.\n"
        "\n"
        "00:00:10.000 --> 00:00:10.002\n"
        "<v DR. &lt;X&gt; &amp; CO>a &lt; b &amp;&amp; c &gt; d\n"
        "\n"
        "00:00:12.000 --> 00:00:13.000\n"
        "--&gt; not an arrow\n"
        "\n"
        "01:02:05.250 --> 01:02:07.000\n"
        "<v TEO>Then I'll drive you.\n")


def test_empty() -> None:
    assert to_srt(()) == ""
    assert to_vtt(()) == "WEBVTT\n"
