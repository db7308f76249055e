"""A text model's shot proposals: checked, planned as added shots, marked, reported; the
planner's shots and its edit kept whatever the model answers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shotline.breakdown.assist import AssistReport
from shotline.governance.terms import DataUseTerms
from shotline.model.breakdown import Breakdown
from shotline.model.script import Script
from shotline.model.shots import ShotPlan, ShotSize, ShotSource
from shotline.planning import parse_overrides, plan_rows, plan_script
from shotline.planning.assist import ShotAnswer, assist_plan
from shotline.planning.overrides import Overrides
from shotline.providers.metering import MemoryBudget
from shotline.providers.protocols import ProviderConfig, ProviderError
from shotline.providers.routing import Route
from shotline.providers.types import (
    TEXT,
    TEXT_STRUCTURED,
    CostModel,
    ModelInfo,
    ProviderInfo,
    TextRequest,
    TextResult,
)
from tests.planning.screenplays import KITCHEN, MARKET, breakdown_of, script_of

TERMS = DataUseTerms(trains_on_inputs=False, trains_on_outputs=False, retention_days=0,
                     zero_data_retention=True, human_review=False, regions=("local",),
                     evidence_url="https://scripted.example/terms", verified_at=date.today())
MODEL = ModelInfo("writer", frozenset({TEXT, TEXT_STRUCTURED}), CostModel(), TERMS)


@dataclass
class Scripted:
    """A text provider that answers what the test queues and keeps every request."""

    answers: list[object] = field(default_factory=list)
    requests: list[TextRequest] = field(default_factory=list)

    def complete(self, request: TextRequest) -> TextResult:
        self.requests.append(request)
        answer = self.answers.pop(0) if self.answers else TextResult(
            '{"suggestions": []}', {"suggestions": []})
        if isinstance(answer, BaseException):
            raise answer
        assert isinstance(answer, TextResult)
        return answer


class Plugin:
    info = ProviderInfo("scripted", "Scripted text", (MODEL,), where="local")

    def connect(self, config: ProviderConfig) -> Scripted:
        return Scripted()


ROUTE = Route("scripted", Plugin(), MODEL, TERMS, ProviderConfig("scripted"))


def answer(*suggestions: object) -> TextResult:
    data = {"suggestions": list(suggestions)}
    return TextResult(json.dumps(data), data)


def shot(scene: Any = "1", size: Any = "ECU", subjects: Any = ("TEO",), lines: Any = (9,),
         description: Any = "Teo, caught out.", **more: Any) -> dict[str, Any]:
    return {"scene": scene, "size": size, "framing": more.get("framing"),
            "angle": more.get("angle"), "movement": more.get("movement"),
            "lens_mm": more.get("lens_mm"), "subjects": list(subjects), "lines": list(lines),
            "description": description}


@dataclass
class Case:
    script: Script
    breakdown: Breakdown
    plan: ShotPlan
    overrides: Overrides | None = None

    def run(self, *answers: object, **options: Any) -> tuple[ShotPlan, AssistReport, Scripted]:
        provider = Scripted(list(answers))
        merged, report = assist_plan(self.script, self.breakdown, self.plan, provider, ROUTE,
                                     MemoryBudget(0.0), overrides=self.overrides, **options)
        return merged, report, provider


def case(text: str = KITCHEN, overrides: Overrides | None = None) -> Case:
    script = script_of(text)
    breakdown = breakdown_of(script)
    return Case(script, breakdown, plan_script(script, breakdown, overrides), overrides)


def test_the_schema_is_a_strict_json_schema() -> None:
    schema = ShotAnswer.model_json_schema()
    item = schema["$defs"]["ShotSuggestion"]
    assert item["additionalProperties"] is False
    assert sorted(item["required"]) == sorted(item["properties"])
    assert schema["$defs"]["ShotSize"]["enum"] == [s.value for s in ShotSize]
    lens = item["properties"]["lens_mm"]["anyOf"][0]
    assert (lens["minimum"], lens["maximum"]) == (8, 300)
    # A strict checker refuses a $ref with keywords beside it.
    assert all(set(p) == {"$ref"} for p in item["properties"].values() if "$ref" in p)


def test_proposed_shots_are_added_after_the_planners_and_marked() -> None:
    c = case()
    merged, report, provider = c.run(answer(
        shot(size="cu", subjects=["teo"], lines=[9], angle="Low", lens_mm=85),
        shot(size="INSERT", subjects=["keys"], lines=[3], description="The keys in his hand."),
        shot(size="MS", subjects=["Mara", "TEO"], lines=[6, 9], movement="dolly_in")))
    before = c.plan.scenes[0]
    after = merged.scenes[0]
    assert after.shots[:len(before.shots)] == before.shots
    assert after.edit == before.edit and after.warnings == before.warnings
    assert merged.deterministic() == c.plan
    added = after.shots[len(before.shots):]
    assert [s.id for s in added] == ["1H", "1I", "1J"]
    assert all(s.source is ShotSource.ASSIST and s.suggested_by == "scripted:writer"
               and s.duration == 0.0 and not s.locked for s in added)
    cu, insert, two = added
    assert (cu.size, cu.angle.value, cu.lens_mm, cu.subjects) == (ShotSize.CU, "low", 85.0,
                                                                  ("TEO",))
    assert cu.description == ("CU TEO, looking screen left, low angle, 85 mm; "
                              "Teo, caught out.")
    assert cu.covers == (3, 4)  # line 9 is TEO's first speech: cue and line
    assert (insert.subjects, insert.lens_mm) == (("key",), 100.0)
    assert two.framing.value == "two-shot" and two.movement.value == "dolly in"
    assert set(two.subjects) == {"MARA", "TEO"}
    assert (len(report.accepted), report.rejected, report.warnings) == (3, (), ())
    assert merged.to_dict()["scenes"][0]["shots"][-1]["suggested_by"] == "scripted:writer"
    assert "suggested_by" not in c.plan.to_dict()["scenes"][0]["shots"][0]
    request = provider.requests[0]
    assert request.schema == ShotAnswer.model_json_schema()
    user = request.messages[1].content
    assert "1C: MCU MARA over TEO's shoulder" in user  # the planned shots
    assert "6:     You're late again." in user  # the text, with its line numbers


def test_the_csv_has_a_suggested_by_column_only_with_suggestions() -> None:
    c = case()
    plain, _ = plan_rows(c.plan)
    assert plain[-1] == "locked"
    merged, _, _ = c.run(answer(shot()))
    header, rows = plan_rows(merged)
    assert header == [*plain, "suggested_by"]
    assert [r[-1] for r in rows] == [""] * len(c.plan.shots) + ["scripted:writer"]
    source = header.index("source")
    assert rows[-1][source] == "assist"
    assert rows[-1][header.index("order")] == ""  # not in the edit


def test_absurd_shots_are_rejected_with_reasons() -> None:
    c = case()
    merged, report, _ = c.run(answer(
        shot(lens_mm=3),
        shot(lens_mm=500),
        shot(lines=[-4]),
        shot(lines=[]),
        shot(size="GIANT"),
        shot(angle="upside down"),
        shot(subjects=["HALLORAN"]),
        shot(size="INSERT", subjects=[]),
        shot(size="INSERT", subjects=["sandwich"]),
        shot(lines=[200, 201]),
        shot(scene="7"),
        shot(size="CU", subjects=["TEO"], lines=[16]),  # 1E: CU TEO, eye level, 75 mm
        shot(description="   "),
        {"scene": "1", "size": "CU"},
    ), max_per_scene=3)
    assert merged == c.plan
    reasons = [r.reason for r in report.rejected]
    assert len(reasons) == 14
    expected = [
        "lens_mm: Input should be greater than or equal to 8",
        "lens_mm: Input should be less than or equal to 300",
        "lines.0: Input should be greater than or equal to 1",
        "lines: List should have at least 1 item",
        "size: Input should be",
        "angle: Input should be",
        "'HALLORAN' is not a character of the scene",
        "an insert needs the thing it shows",
        "'sandwich' is not a character or element of the scene",
        "lines 200, 201 are not lines of the scene",
        "not one of the scenes sent",
        "the same as shot 1E",
        "the description is empty",
        "framing: Field required",
    ]
    for want in expected:
        assert any(want in r for r in reasons), want


def test_at_most_so_many_a_scene_and_no_repeats() -> None:
    merged, report, _ = case().run(answer(
        shot(angle="high"), shot(angle="high", lines=[12]), shot(angle="low"),
        shot(angle="dutch"), shot(angle="overhead")), max_per_scene=3)
    assert [s.angle.value for s in merged.suggested] == ["high", "low", "dutch"]
    assert [r.reason for r in report.rejected] == [
        "the same as an earlier suggestion", "more than 3 suggestions for the scene"]


def test_with_an_overrides_file_its_shots_keep_their_ids() -> None:
    overrides = parse_overrides('[[shot]]\nscene = "1"\naction = "add"\nsize = "ECU"\n'
                                'subjects = ["MARA"]\nlines = [6]\n', "overrides.toml")
    c = case(overrides=overrides)
    merged, report, _ = c.run(answer(shot()))
    assert [s.id for s in c.plan.shots][-1] == "1H"  # the file's add
    assert [s.id for s in merged.suggested] == ["1I"]
    assert merged.deterministic() == c.plan
    assert report.warnings == ()


def test_a_plan_made_another_way_gets_no_suggestions() -> None:
    c = case()
    stale = case(overrides=parse_overrides('[[shot]]\nid = "1C"\naction = "drop"\n'))
    c.plan = stale.plan  # not what the script and (no) overrides make
    merged, report, _ = c.run(answer(shot()))
    assert merged == stale.plan
    assert "its suggestions were dropped" in report.warnings[0]


@pytest.mark.parametrize(("result", "warning"), [
    (TextResult("CU on Teo, 85mm"), "the answer is not JSON"),
    (TextResult('{"shots": []}', {"shots": []}), "does not follow the schema"),
    (ProviderError("scripted", "401 unauthorised"), "request 1 of 1 failed"),
])
def test_a_failing_model_leaves_the_planners_plan(result: object, warning: str) -> None:
    c = case()
    merged, report, _ = c.run(result)
    assert merged == c.plan
    assert len(report.warnings) == 1 and warning in report.warnings[0]


def test_scenes_go_a_few_a_request_and_answers_name_their_own() -> None:
    c = case(KITCHEN + "\n" + MARKET)
    merged, report, provider = c.run(
        answer(shot(), shot(scene="2", subjects=["MEI"], lines=[47])),
        answer(shot(scene="2", size="CU", subjects=["mei"], lines=[53], angle="high")),
        scenes_per_request=1)
    assert [r.messages[1].content.count("SCENE ") for r in provider.requests] == [1, 1]
    assert [(s.scene, s.id) for s in merged.suggested] == [("1", "1H"), ("2", "2H")]
    assert [r.reason for r in report.rejected] == ["not one of the scenes sent"]


# --- whatever the model says -----------------------------------------------------------

_text = st.text(max_size=20)
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | _text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=10)
_shot = st.fixed_dictionaries({
    "scene": st.sampled_from(["1", "2", 1, "scene 2", "9", ""]) | _json,
    "size": st.sampled_from([*(s.value for s in ShotSize), "cu", "huge"]) | _json,
    "framing": st.sampled_from([None, "single", "two-shot", "OTS", "POV", "x"]),
    "angle": st.sampled_from([None, "eye level", "high", "dutch", "sideways"]),
    "movement": st.sampled_from([None, "static", "crane", "dolly-in", "zoom"]),
    "lens_mm": st.none() | st.floats(allow_nan=True) | st.integers(-10, 1000),
    "subjects": st.lists(st.sampled_from(["MARA", "teo", "MEI", "lantern", "", "BOB"]),
                         max_size=4) | _json,
    "lines": st.lists(st.integers(-5, 80), max_size=4) | _json,
    "description": _text,
}, optional={"extra": _json})
_answers = st.one_of(
    st.builds(lambda d: TextResult(json.dumps(d), d), st.fixed_dictionaries(
        {"suggestions": st.lists(_shot | _json, max_size=12)})),
    st.builds(lambda d: TextResult(json.dumps(d), d), _json),
    st.builds(TextResult, _text),
    st.just(ProviderError("scripted", "down")),
)
TWO_SCENES = case(KITCHEN + "\n" + MARKET)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers=st.lists(_answers, min_size=1, max_size=2))
def test_no_answer_crashes_or_changes_the_planners_part(answers: list[object]) -> None:
    merged, report, _ = TWO_SCENES.run(*answers, scenes_per_request=1)
    assert merged.deterministic() == TWO_SCENES.plan
    for before, after in zip(TWO_SCENES.plan.scenes, merged.scenes, strict=True):
        assert after.edit == before.edit
        extra = after.shots[len(before.shots):]
        assert len(extra) <= 3
        assert all(s.suggested_by == "scripted:writer" and 8 <= s.lens_mm <= 300
                   for s in extra)
    json.dumps(merged.to_dict())
    json.dumps(report.to_dict())
