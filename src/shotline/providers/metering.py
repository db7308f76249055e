"""Provider calls with their cost held against the budget: estimated and reserved before
the call goes, settled at the real cost after, released if it fails."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import Protocol

from shotline.governance.policy import PolicyRefusal, Violation
from shotline.governance.spend import Charge
from shotline.providers.protocols import ImageProvider, TextProvider
from shotline.providers.routing import Route
from shotline.providers.types import ImageRequest, ImageResult, TextRequest, TextResult


class Budget(Protocol):
    def reserve(self, charge: Charge) -> str: ...

    def settle(self, key: str, cost_usd: float) -> None: ...

    def fail(self, key: str) -> None: ...


class MemoryBudget:
    """A budget for work outside a project (`shotline plan --assist` on a file)."""

    def __init__(self, budget_usd: float) -> None:
        self.budget_usd = budget_usd
        self.spent: dict[str, float] = {}
        self._settled: set[str] = set()

    def reserve(self, charge: Charge) -> str:
        key = charge.key
        if key in self._settled:  # made again after it was paid: a new attempt
            tries = sum(1 for k in self.spent if k.startswith(f"{charge.key}#"))
            key = f"{charge.key}#{tries + 2}"
        elif key in self.spent:
            return key
        total = sum(self.spent.values())
        if charge.estimate_usd > 0 and total + charge.estimate_usd > self.budget_usd + 1e-9:
            raise PolicyRefusal(f"{charge.provider}:{charge.model}", [Violation(
                "budget", f"{charge.purpose} would cost about ${charge.estimate_usd:.4f}; "
                f"the budget is ${self.budget_usd:.2f}")])
        self.spent[key] = charge.estimate_usd
        return key

    def settle(self, key: str, cost_usd: float) -> None:
        self.spent[key] = cost_usd
        self._settled.add(key)

    def fail(self, key: str) -> None:
        if key not in self._settled:  # a paid call stays paid, whatever its repeat does
            self.spent.pop(key, None)


def call_key(*parts: str) -> str:
    """An idempotency key from what identifies the call (a task's cache key, a take)."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:48]


def _tokens(text: str) -> int:
    return len(text) // 3 + 1  # generous: an estimate should not undershoot


def complete(route: Route, provider: TextProvider, request: TextRequest, budget: Budget,
             purpose: str) -> TextResult:
    key = request.idempotency_key or call_key(route.ref, purpose, repr(request))
    cost = route.model.cost
    estimate = cost.price(input_tokens=sum(_tokens(m.content) for m in request.messages)
                          + (_tokens(repr(request.schema)) if request.schema else 0),
                          output_tokens=request.max_tokens)
    key = budget.reserve(Charge(route.name, route.model.name, purpose, key, estimate))
    try:
        result = provider.complete(request)
    except BaseException:
        budget.fail(key)
        raise
    spent = result.cost_usd or cost.price(input_tokens=result.usage.input_tokens,
                                          output_tokens=result.usage.output_tokens)
    budget.settle(key, spent)
    return replace(result, cost_usd=spent)


def generate(route: Route, provider: ImageProvider, request: ImageRequest, budget: Budget,
             purpose: str) -> ImageResult:
    key = request.idempotency_key or call_key(route.ref, purpose, repr(request))
    estimate = route.model.cost.price(images=request.count)
    key = budget.reserve(Charge(route.name, route.model.name, purpose, key, estimate))
    try:
        result = provider.generate(request)
    except BaseException:
        budget.fail(key)
        raise
    spent = result.cost_usd or route.model.cost.price(images=len(result.images))
    budget.settle(key, spent)
    return replace(result, cost_usd=spent)
