"""Fountain export reads back to the same script: written by the team's strategies,
and for the sample screenplay."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings

from shotline.model.script import Script
from shotline.script import load, parse_fountain, to_fountain
from tests.script.strategies import comparable, scripts

SAMPLE = Path(__file__).parents[2] / "examples" / "night-market.fountain"


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(scripts())
def test_export_then_import_gives_the_same_elements(script: Script) -> None:
    text = to_fountain(script)
    assert comparable(parse_fountain(text)) == comparable(script), text


@settings(max_examples=100)
@given(scripts())
def test_export_is_a_fixed_point(script: Script) -> None:
    once = to_fountain(script)
    assert to_fountain(parse_fountain(once)) == once


def test_sample_round_trips() -> None:
    script = load(SAMPLE)
    assert comparable(parse_fountain(to_fountain(script))) == comparable(script)
