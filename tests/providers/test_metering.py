"""Metered provider calls: the estimate is held before the call goes, refused over the
budget without calling, settled at the real cost, released when the call fails."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from shotline.governance.policy import PolicyRefusal
from shotline.governance.spend import Charge, Ledger
from shotline.providers.metering import MemoryBudget, call_key, complete, generate
from shotline.providers.protocols import ProviderConfig, ProviderError
from shotline.providers.routing import Route
from shotline.providers.types import (
    IMAGE,
    TEXT,
    CostModel,
    ImageRequest,
    ImageResult,
    Message,
    ModelInfo,
    TextRequest,
    TextResult,
    Usage,
)
from shotline.store.project import Project
from tests.providers.plugins import ACME, GOOD_TERMS

TEXT_COST = CostModel(per_1k_input_tokens=1.0, per_1k_output_tokens=2.0)
IMAGE_COST = CostModel(per_image=0.04)


def route(cost: CostModel, capability: str = TEXT, model: str = "m1") -> Route:
    return Route("acme", ACME, ModelInfo(model, frozenset({capability}), cost, GOOD_TERMS),
                 GOOD_TERMS, ProviderConfig(name="acme"))


@dataclass
class FakeProvider:
    """Answers with the results given, or raises the error given; records each call."""

    text: TextResult = field(default_factory=lambda: TextResult("calm", cost_usd=0.0))
    image: ImageResult = field(default_factory=lambda: ImageResult((b"png",)))
    error: BaseException | None = None
    calls: list[Any] = field(default_factory=list)

    def complete(self, request: TextRequest) -> TextResult:
        self.calls.append(request)
        if self.error is not None:
            raise self.error
        return self.text

    def generate(self, request: ImageRequest) -> ImageResult:
        self.calls.append(request)
        if self.error is not None:
            raise self.error
        return self.image


class WatchedBudget(MemoryBudget):
    """A MemoryBudget that also records what it was asked, in order."""

    def __init__(self, budget_usd: float) -> None:
        super().__init__(budget_usd)
        self.log: list[tuple[str, Any]] = []

    def reserve(self, charge: Charge) -> str:
        self.log.append(("reserve", charge))
        return super().reserve(charge)

    def settle(self, key: str, cost_usd: float) -> None:
        self.log.append(("settle", (key, cost_usd)))
        super().settle(key, cost_usd)

    def fail(self, key: str) -> None:
        self.log.append(("fail", key))
        super().fail(key)


def ask(text: str = "What is the mood of scene 2?", max_tokens: int = 500,
        key: str | None = "call-1") -> TextRequest:
    return TextRequest("m1", (Message("system", "You are a script supervisor."),
                              Message("user", text)), max_tokens=max_tokens,
                       idempotency_key=key)


def draw(count: int = 2, key: str | None = "img-1") -> ImageRequest:
    return ImageRequest("m1", "Mara at the door", 64, 36, seed=1, count=count,
                        idempotency_key=key)


def test_complete_reserves_the_estimate_then_settles_the_real_cost() -> None:
    budget = WatchedBudget(10.0)
    provider = FakeProvider(text=TextResult("calm", cost_usd=0.0123))
    request = ask()
    assert complete(route(TEXT_COST), provider, request, budget, "assist scene 2") == \
        provider.text
    (op, charge), settled = budget.log
    tokens_in = len("You are a script supervisor.") // 3 + 1 + len(request.messages[1].content) \
        // 3 + 1
    assert op == "reserve"
    assert (charge.provider, charge.model, charge.purpose, charge.key) == (
        "acme", "m1", "assist scene 2", "call-1")
    assert charge.estimate_usd == pytest.approx(tokens_in / 1000 * 1.0 + 500 / 1000 * 2.0)
    assert charge.estimate_usd >= 1.0  # the whole answer is held, not a guess at it
    assert settled == ("settle", ("call-1", 0.0123))
    assert budget.spent == {"call-1": 0.0123}
    assert provider.calls == [request]


def test_a_schema_adds_to_the_estimate() -> None:
    plain, shaped = WatchedBudget(10.0), WatchedBudget(10.0)
    complete(route(TEXT_COST), FakeProvider(), ask(), plain, "p")
    schema = {"type": "object", "properties": {"mood": {"type": "string"}}}
    request = TextRequest("m1", ask().messages, schema=schema, max_tokens=500,
                          idempotency_key="call-2")
    complete(route(TEXT_COST), FakeProvider(), request, shaped, "p")
    assert shaped.log[0][1].estimate_usd > plain.log[0][1].estimate_usd


def test_without_a_reported_cost_the_usage_is_priced() -> None:
    budget = WatchedBudget(10.0)
    provider = FakeProvider(text=TextResult("calm", usage=Usage(1200, 300)))
    result = complete(route(TEXT_COST), provider, ask(), budget, "p")
    assert budget.spent["call-1"] == pytest.approx(1.2 + 0.6)
    assert result.cost_usd == budget.spent["call-1"]  # the answer says what it cost
    assert (result.text, result.usage) == ("calm", Usage(1200, 300))


def test_a_call_over_the_budget_is_refused_before_the_provider_is_called() -> None:
    budget = WatchedBudget(0.5)
    provider = FakeProvider()
    with pytest.raises(PolicyRefusal) as caught:
        complete(route(TEXT_COST), provider, ask(max_tokens=1000), budget, "assist plan")
    assert [v.rule for v in caught.value.violations] == ["budget"]
    assert "assist plan" in str(caught.value)
    assert provider.calls == [] and budget.spent == {}
    assert [op for op, _ in budget.log] == ["reserve"]


def test_an_image_call_over_the_budget_is_refused_before_the_provider_is_called() -> None:
    provider = FakeProvider()
    with pytest.raises(PolicyRefusal, match="budget"):
        generate(route(IMAGE_COST, IMAGE), provider, draw(count=3), MemoryBudget(0.1),
                 "shot 1A take 1")
    assert provider.calls == []


def test_a_free_model_goes_with_no_budget_at_all() -> None:
    provider = FakeProvider()
    complete(route(CostModel()), provider, ask(max_tokens=100_000), MemoryBudget(0.0), "p")
    generate(route(CostModel(), IMAGE), provider, draw(count=8), MemoryBudget(0.0), "p")
    assert len(provider.calls) == 2


@pytest.mark.parametrize("error", [ProviderError("acme", "refused (400): bad prompt"),
                                   TimeoutError("slow"), KeyboardInterrupt()],
                         ids=["provider-error", "timeout", "interrupt"])
def test_a_failed_call_is_released_and_its_error_passes_on(error: BaseException) -> None:
    budget = WatchedBudget(2.0)
    provider = FakeProvider(error=error)
    with pytest.raises(type(error)) as caught:
        complete(route(TEXT_COST), provider, ask(), budget, "p")
    assert caught.value is error
    assert [op for op, _ in budget.log] == ["reserve", "fail"]
    assert budget.spent == {}
    provider.error = None
    complete(route(TEXT_COST), provider, ask(), budget, "p")  # the room is back
    assert len(provider.calls) == 2


def test_generate_reserves_per_image_and_settles() -> None:
    budget = WatchedBudget(1.0)
    provider = FakeProvider(image=ImageResult((b"a", b"b"), cost_usd=0.05))
    generate(route(IMAGE_COST, IMAGE), provider, draw(count=2), budget, "shot 1A take 1")
    (_, charge), (_, settled) = budget.log
    assert charge.estimate_usd == pytest.approx(0.08) and charge.key == "img-1"
    assert settled == ("img-1", 0.05)


def test_generate_prices_the_images_made_when_no_cost_is_reported() -> None:
    budget = WatchedBudget(1.0)
    provider = FakeProvider(image=ImageResult((b"a",)))  # asked for 3, made 1
    result = generate(route(IMAGE_COST, IMAGE), provider, draw(count=3), budget, "p")
    assert budget.spent["img-1"] == pytest.approx(0.04)
    assert result.cost_usd == pytest.approx(0.04) and result.images == (b"a",)


def test_generate_releases_on_failure() -> None:
    budget = WatchedBudget(1.0)
    provider = FakeProvider(error=ProviderError("acme", "no answer within 60 s"))
    with pytest.raises(ProviderError):
        generate(route(IMAGE_COST, IMAGE), provider, draw(), budget, "p")
    assert budget.spent == {} and [op for op, _ in budget.log] == ["reserve", "fail"]


def test_without_a_key_the_call_gets_a_stable_one() -> None:
    first, second = WatchedBudget(10.0), WatchedBudget(10.0)
    complete(route(TEXT_COST), FakeProvider(), ask(key=None), first, "assist scene 2")
    complete(route(TEXT_COST), FakeProvider(), ask(key=None), second, "assist scene 2")
    key = first.log[0][1].key
    assert key == second.log[0][1].key and len(key) == 48
    other = WatchedBudget(10.0)
    complete(route(TEXT_COST), FakeProvider(), ask(key=None), other, "assist scene 3")
    assert other.log[0][1].key != key


def test_call_key() -> None:
    assert call_key("a", "b") == call_key("a", "b")
    assert call_key("a", "b") != call_key("ab") != call_key("a\x1fb", "")
    assert len(call_key("x")) == 48


def test_a_paid_call_made_again_is_a_new_attempt_held_anew() -> None:
    budget = MemoryBudget(1.5)
    provider = FakeProvider(text=TextResult("calm", cost_usd=0.9))
    complete(route(TEXT_COST), provider, ask(max_tokens=500), budget, "p")
    # The same call again (its answer was lost): it may be paid again, so it must fit.
    with pytest.raises(PolicyRefusal, match="budget"):
        complete(route(TEXT_COST), provider, ask(max_tokens=500), budget, "p")
    assert budget.spent == {"call-1": 0.9}


def test_a_call_still_reserved_is_held_once() -> None:
    budget = MemoryBudget(1.0)
    assert budget.reserve(Charge("acme", "m1", "p", "a", 0.6)) == "a"
    assert budget.reserve(Charge("acme", "m1", "p", "a", 0.6)) == "a"
    assert budget.spent == {"a": 0.6}


def test_memory_budget() -> None:
    budget = MemoryBudget(1.0)
    budget.reserve(Charge("acme", "m1", "p", "a", 0.6))
    with pytest.raises(PolicyRefusal, match="budget"):
        budget.reserve(Charge("acme", "m1", "p", "b", 0.5))
    budget.reserve(Charge("acme", "m1", "p", "free", 0.0))
    budget.settle("a", 0.2)
    budget.reserve(Charge("acme", "m1", "p", "b", 0.8))
    budget.fail("b")
    assert budget.spent == {"a": 0.2, "free": 0.0}


def test_metering_on_a_projects_ledger(make_project: Callable[..., Project]) -> None:
    project = make_project()
    ledger = Ledger(project.sessions, 1.2)
    provider = FakeProvider(text=TextResult("calm", cost_usd=0.3))
    complete(route(TEXT_COST), provider, ask(max_tokens=400), ledger, "assist scene 1")
    provider.error = ProviderError("acme", "refused (500)")
    with pytest.raises(ProviderError):  # about 0.82 held, then released
        complete(route(TEXT_COST), provider, ask(max_tokens=400, key="call-2"), ledger, "p")
    provider.error = None
    with pytest.raises(PolicyRefusal):  # about 1.02 more than the 0.3 spent: refused
        complete(route(TEXT_COST), provider, ask(max_tokens=500, key="call-3"), ledger, "p")
    assert [(r.idempotency_key, r.status, r.cost_usd) for r in ledger.records()] == [
        ("call-1", "charged", 0.3), ("call-2", "failed", None)]
    assert ledger.spent() == pytest.approx(0.3)
    assert len(provider.calls) == 2


def test_a_repeated_call_that_fails_keeps_the_first_ones_charge_on_a_ledger(
        make_project: Callable[..., Project]) -> None:
    ledger = Ledger(make_project().sessions, 5.0)
    repeat_then_fail(ledger)
    assert ledger.spent() == pytest.approx(0.3)


def test_a_repeated_call_that_fails_keeps_the_first_ones_charge_in_memory() -> None:
    budget = MemoryBudget(5.0)
    repeat_then_fail(budget)
    assert sum(budget.spent.values()) == pytest.approx(0.3)


def repeat_then_fail(budget: Any) -> None:
    provider = FakeProvider(text=TextResult("calm", cost_usd=0.3))
    complete(route(TEXT_COST), provider, ask(max_tokens=400), budget, "p")
    provider.error = ProviderError("acme", "refused (500)")
    with pytest.raises(ProviderError):
        complete(route(TEXT_COST), provider, ask(max_tokens=400), budget, "p")
