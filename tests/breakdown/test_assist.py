"""A text model's suggestions for the breakdown: sent, checked, merged and marked, and
the lexicon's sheet kept whatever the model answers.

The model is a scripted provider installed the way any third-party plugin is: a module
and a dist-info folder declaring it in the `shotline.providers` group.
"""

from __future__ import annotations

import importlib
import json
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shotline.breakdown import build_breakdown
from shotline.breakdown.assist import (
    SCENE_CHARS,
    AssistReport,
    BreakdownAnswer,
    assist_breakdown,
)
from shotline.breakdown.tables import scene_rows
from shotline.governance.policy import PolicyRefusal
from shotline.governance.spend import Charge
from shotline.model.breakdown import CATEGORIES, DETERMINISTIC, Breakdown
from shotline.model.script import Script
from shotline.providers.metering import MemoryBudget
from shotline.providers.protocols import ProviderError
from shotline.providers.routing import Route, connect, resolve
from shotline.providers.types import TEXT_STRUCTURED, TextResult, Usage
from shotline.script import parse_fountain
from shotline.store.settings import Settings
from tests.conftest import SCRIPT

MODULE = "scripted_text_provider"
PLUGIN = '''
from datetime import date

from shotline.governance.terms import DataUseTerms
from shotline.providers.types import (
    TEXT, TEXT_STRUCTURED, CostModel, ModelInfo, ProviderInfo, TextResult)


def terms(trains_on_inputs):
    return DataUseTerms(trains_on_inputs=trains_on_inputs, trains_on_outputs=False,
                        retention_days=0, zero_data_retention=True, human_review=False,
                        regions=("local",), evidence_url="https://scripted.example/terms",
                        verified_at=date.today())


class Scripted:
    """Answers what the test queues (a TextResult, or an exception to raise)."""

    def __init__(self):
        self.answers = []
        self.requests = []

    def complete(self, request):
        self.requests.append(request)
        answer = self.answers.pop(0) if self.answers else TextResult('{"suggestions": []}',
                                                                   {"suggestions": []})
        if isinstance(answer, BaseException):
            raise answer
        return answer


class Plugin:
    def __init__(self, name, trains_on_inputs):
        both = frozenset({TEXT, TEXT_STRUCTURED})
        self.info = ProviderInfo(name=name, title="Scripted text", where="local", models=(
            ModelInfo("writer", both, CostModel(), terms(trains_on_inputs)),
            ModelInfo("priced", both, CostModel(per_1k_input_tokens=0.01),
                      terms(trains_on_inputs)),
        ))
        self.connected = []

    def connect(self, config):
        self.connected.append(Scripted())
        return self.connected[-1]


SCRIPTED = Plugin("scripted", False)
LEAKY = Plugin("leaky", True)
'''


@pytest.fixture(scope="module")
def plugin_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("plugins")
    (folder / f"{MODULE}.py").write_text(textwrap.dedent(PLUGIN), encoding="utf-8")
    info = folder / "scripted_text_provider-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: scripted-text-provider\nVersion: 1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(
        f"[shotline.providers]\nscripted = {MODULE}:SCRIPTED\nleaky = {MODULE}:LEAKY\n",
        encoding="utf-8")
    sys.path.insert(0, str(folder))
    sys.modules.pop(MODULE, None)
    importlib.invalidate_caches()
    yield folder
    sys.path.remove(str(folder))
    sys.modules.pop(MODULE, None)
    importlib.invalidate_caches()


def route(ref: str = "scripted:writer") -> Route:
    """A real route: the registry finds the plugin and the default policy checks it."""
    return resolve(Settings(name="test", script="test.fountain"), ref, TEXT_STRUCTURED)


def answer(*suggestions: dict[str, Any]) -> TextResult:
    data = {"suggestions": list(suggestions)}
    return TextResult(json.dumps(data), data)


def item(scene: Any, category: str, name: str, note: str | None = None) -> dict[str, Any]:
    return {"scene": scene, "category": category, "name": name, "note": note}


@pytest.fixture
def script() -> Script:
    return parse_fountain(SCRIPT)


@pytest.fixture
def base(script: Script) -> Breakdown:
    return build_breakdown(script)


@pytest.fixture
def model(plugin_dir: Path) -> tuple[Route, Any]:
    r = route()
    return r, connect(r)


def run(script: Script, base: Breakdown, model: tuple[Route, Any], *answers: object,
        **options: Any) -> tuple[Breakdown, AssistReport]:
    r, provider = model
    provider.answers = list(answers)
    return assist_breakdown(script, base, provider, r, MemoryBudget(0.0), **options)


def test_the_schema_is_a_strict_json_schema() -> None:
    schema = BreakdownAnswer.model_json_schema()
    element = schema["$defs"]["ElementSuggestion"]
    assert schema["additionalProperties"] is False and element["additionalProperties"] is False
    assert sorted(element["required"]) == sorted(element["properties"])  # all required
    assert element["properties"]["category"]["enum"] == list(CATEGORIES)
    assert schema["properties"]["suggestions"]["type"] == "array"


def test_good_suggestions_are_added_after_the_lexicons_and_marked(
        script: Script, base: Breakdown, model: tuple[Route, Any]) -> None:
    merged, report = run(script, base, model, answer(
        item("1", "wardrobe", "Harbour pilot's uniform", "she is a harbour pilot"),
        item(2, "props", "  umbrellas "),
        item("3", "vehicles", "the van")))
    kitchen, harbour, van = merged.scenes
    assert kitchen.elements["wardrobe"] == ("harbour pilot's uniform",)
    assert kitchen.origin("wardrobe", "harbour pilot's uniform") == "scripted:writer"
    assert kitchen.origin("props", "suitcase") == DETERMINISTIC
    assert harbour.elements["props"] == ("umbrellas",)
    assert van.elements["props"] == ("compass",) and van.elements["vehicles"] == ("van",)
    assert [e.to_dict() for e in kitchen.suggested] == [{
        "category": "wardrobe", "name": "harbour pilot's uniform",
        "suggested_by": "scripted:writer", "note": "she is a harbour pilot"}]
    assert merged.deterministic() == base
    assert (report.ref, report.requests, report.planned, len(report.accepted)) == (
        "scripted:writer", 1, 1, 3)
    assert report.rejected == () and report.warnings == ()
    assert Breakdown.from_dict(merged.to_dict()).scenes == merged.scenes


def test_json_and_csv_show_the_marking_only_when_there_is_one(
        script: Script, base: Breakdown, model: tuple[Route, Any]) -> None:
    assert "suggested" not in base.to_dict()["scenes"][0]
    plain_header, _ = scene_rows(base)
    assert plain_header[-1] == CATEGORIES[-1]
    merged, _ = run(script, base, model, answer(item("2", "props", "umbrella")))
    header, rows = scene_rows(merged)
    assert header == [*plain_header, "ai_suggested", "suggested_by"]
    assert rows[1][-2:] == ["props: umbrella", "scripted:writer"]
    assert rows[0][-2:] == ["", ""]
    assert merged.to_dict()["scenes"][1]["suggested"][0]["name"] == "umbrella"


def test_the_request_holds_the_scenes_and_what_the_sheet_has(
        base: Breakdown, model: tuple[Route, Any]) -> None:
    script = parse_fountain(SCRIPT.replace("Rain.", "Rain. [[the director's private note]]"))
    run(script, build_breakdown(script), model)
    request = model[1].requests[0]
    assert request.model == "writer"
    assert request.schema == BreakdownAnswer.model_json_schema()
    assert request.temperature == 0.0
    system, user = request.messages
    assert system.role == "system" and user.role == "user"
    assert "SCENE 1: INT. KITCHEN - DAY" in user.content
    assert "Already on the sheet: props: suitcase" in user.content
    assert "Hundreds of lanterns rise over the water" in user.content
    assert "private note" not in user.content  # notes are never sent


def test_a_long_script_goes_in_several_requests_and_a_long_scene_is_cut(
        model: tuple[Route, Any]) -> None:
    scenes = [f"INT. ROOM {n} - DAY\n\nMARA opens a drawer.\n" for n in range(1, 15)]
    scenes[3] = "INT. HALL - NIGHT\n\n" + "Mara walks on and on. " * 600 + "\n"
    script = parse_fountain("\n".join(scenes))
    base = build_breakdown(script)
    merged, report = run(script, base, model,
                         answer(item("2", "props", "drawer handle")),
                         answer(item("7", "props", "drawer handle"), item("12", "props", "pen")),
                         scenes_per_request=5)
    sent = [r.messages[1].content for r in model[1].requests]
    assert report.planned == report.requests == len(sent) == 3
    assert [s.count("SCENE ") for s in sent] == [5, 5, 4]
    assert "more characters not sent" in sent[0]
    assert len(sent[0]) < 5 * 200 + SCENE_CHARS + 1000
    assert [s.number for s in merged.scenes if s.suggested] == ["2", "7"]
    assert [r.reason for r in report.rejected] == ["not one of the scenes sent"]


def test_nonsense_is_rejected_one_suggestion_at_a_time(
        script: Script, base: Breakdown, model: tuple[Route, Any]) -> None:
    merged, report = run(script, base, model, answer(
        item("9", "props", "ghost"),  # no such scene
        item("1", "props", "   "),  # empty
        item("1", "props", "Suitcases"),  # the lexicon has it
        item("2", "visual_effects", "rain"),  # on the sheet in another category
        item("2", "extras", "Mara"),  # cast
        item("1", "catering", "sandwich"),  # not a category
        item("1", "props", "x" * 200),  # too long
        {"scene": "1", "category": "props"},  # no name
        "a string",
        item("1", "props", "kettle"),
        item("1", "props", "kettles"),  # the same again
    ), max_per_scene=12)
    assert merged.deterministic() == base
    assert merged.scenes[0].elements["props"] == ("suitcase", "kettle")
    reasons = [r.reason for r in report.rejected]
    assert len(reasons) == 10
    assert "not one of the scenes sent" in reasons
    assert "already on the sheet (props)" in reasons
    assert "already on the sheet (special_effects)" in reasons
    assert "a member of the cast, not an element" in reasons
    assert any("not a category of the sheet" in r for r in reasons)
    assert any("the name is empty" in r for r in reasons)
    assert any("longer than 60 characters" in r for r in reasons)
    assert any("name: Field required" in r for r in reasons)


def test_at_most_so_many_a_scene(
        script: Script, base: Breakdown, model: tuple[Route, Any]) -> None:
    merged, report = run(script, base, model, answer(
        *(item("1", "props", f"thing {n}") for n in range(5))), max_per_scene=2)
    assert len(merged.scenes[0].suggested) == 2
    assert [r.reason for r in report.rejected] == ["more than 2 suggestions for the scene"] * 3


@pytest.mark.parametrize(("result", "warning"), [
    (TextResult("Sure! Here are some props: umbrella"), "the answer is not JSON"),
    (TextResult("[]", []), "does not follow the schema"),
    (TextResult('{"elements": []}', {"elements": []}), "does not follow the schema"),
    (ProviderError("scripted", "503 service unavailable"), "request 1 of 1 failed"),
    (RuntimeError("plugin bug"), "RuntimeError: plugin bug"),
])
def test_a_failing_model_leaves_the_lexicons_breakdown(
        script: Script, base: Breakdown, model: tuple[Route, Any], result: object,
        warning: str) -> None:
    merged, report = run(script, base, model, result)
    assert merged == base
    assert len(report.warnings) == 1 and warning in report.warnings[0]
    assert report.summary()[1].startswith("warning: assist: ")


def test_a_failed_call_stops_the_run_and_keeps_what_came_before(
        model: tuple[Route, Any]) -> None:
    script = parse_fountain("\n".join(f"INT. ROOM {n} - DAY\n\nA lamp.\n" for n in range(6)))
    base = build_breakdown(script)
    merged, report = run(script, base, model, answer(item("1", "props", "rug")),
                         ProviderError("scripted", "timed out"), scenes_per_request=2)
    assert [s.number for s in merged.scenes if s.suggested] == ["1"]
    assert (report.requests, report.planned) == (2, 3)
    assert report.warnings == ("request 2 of 3 failed: scripted: timed out; 1 more not sent",)
    assert len(model[1].requests) == 2


class Refusing:
    """A budget that allows so many calls, then refuses the rest."""

    def __init__(self, allowed: int) -> None:
        self.allowed = allowed
        self.inner = MemoryBudget(1000.0)

    def reserve(self, charge: Charge) -> None:
        if self.allowed == 0:
            MemoryBudget(0.0).reserve(Charge(charge.provider, charge.model, charge.purpose,
                                             charge.key, 1.0))
        self.allowed -= 1
        self.inner.reserve(charge)

    def settle(self, key: str, cost_usd: float) -> None:
        self.inner.settle(key, cost_usd)

    def fail(self, key: str) -> None:
        self.inner.fail(key)


def test_a_budget_that_refuses_the_first_call_is_an_error_and_nothing_is_sent(
        script: Script, base: Breakdown, plugin_dir: Path) -> None:
    r = route("scripted:priced")
    provider: Any = connect(r)
    with pytest.raises(PolicyRefusal, match="budget"):
        assist_breakdown(script, base, provider, r, MemoryBudget(0.0))
    assert provider.requests == []


def test_a_budget_spent_part_way_stops_the_run(plugin_dir: Path) -> None:
    script = parse_fountain("\n".join(f"INT. ROOM {n} - DAY\n\nA lamp.\n" for n in range(6)))
    base = build_breakdown(script)
    r = route()
    provider: Any = connect(r)
    provider.answers = [answer(item("1", "props", "rug"))]
    merged, report = assist_breakdown(script, base, provider, r, Refusing(1),
                                      scenes_per_request=2)
    assert len(merged.suggested) == 1 and len(provider.requests) == 1
    assert report.warnings[0].startswith("request 2 of 3 not sent: provider scripted:writer "
                                         "refused by the project's policy (budget:")


def test_cost_is_what_the_provider_says_or_its_price(
        script: Script, base: Breakdown, plugin_dir: Path) -> None:
    r = route("scripted:priced")
    provider: Any = connect(r)
    provider.answers = [TextResult('{"suggestions": []}', {"suggestions": []},
                                   usage=Usage(input_tokens=2000, output_tokens=10))]
    _, report = assist_breakdown(script, base, provider, r, MemoryBudget(5.0))
    assert report.cost_usd == pytest.approx(0.02)
    assert report.to_dict()["cost_usd"] == pytest.approx(0.02)


def test_a_provider_whose_terms_break_the_policy_is_refused_before_it_connects(
        plugin_dir: Path) -> None:
    import scripted_text_provider as plugins  # type: ignore[import-not-found]

    before = len(plugins.LEAKY.connected)
    with pytest.raises(PolicyRefusal, match="no-training-on-inputs") as caught:
        route("leaky:writer")
    assert caught.value.provider == "leaky:writer"
    assert len(plugins.LEAKY.connected) == before  # nothing connected, nothing asked


# --- whatever the model says -----------------------------------------------------------

_text = st.text(max_size=30)
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | _text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_text, inner, max_size=4),
    max_leaves=12)
_suggestion = st.fixed_dictionaries({
    "scene": st.sampled_from(["1", "2", "3", 3, "2a", "scene 1", "", "99", None]) | _json,
    "category": st.sampled_from([*CATEGORIES, "Props", "special effects", "food"]) | _json,
    "name": st.sampled_from(["suitcase", "Lanterns", "MARA", "rain", "kettle", ""]) | _text,
    "note": st.none() | _text,
}, optional={"extra": _json})
_answers = st.one_of(
    st.builds(lambda s: TextResult(json.dumps(s), s), st.fixed_dictionaries(
        {"suggestions": st.lists(_suggestion | _json, max_size=20)})),
    st.builds(lambda d: TextResult(json.dumps(d), d), _json),
    st.builds(TextResult, _text),
    st.just(ProviderError("scripted", "down")),
)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answers=st.lists(_answers, min_size=1, max_size=3))
def test_no_answer_crashes_or_takes_anything_away(
        script: Script, base: Breakdown, model: tuple[Route, Any],
        answers: list[object]) -> None:
    merged, report = run(script, base, model, *answers, scenes_per_request=1)
    assert merged.deterministic() == base
    for before, after in zip(base.scenes, merged.scenes, strict=True):
        for category, names in before.elements.items():
            assert after.elements[category][:len(names)] == names
        assert all(after.origin(e.category, e.name) == "scripted:writer"
                   for e in after.suggested)
        assert len(after.suggested) <= 12
    assert report.requests <= 3
    json.dumps(merged.to_dict())
    json.dumps(report.to_dict())
