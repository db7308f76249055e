"""The spend ledger on a real project database: reservations against the budget, one
record per idempotency key, settling and releasing, and a property over call sequences."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from shotline.governance.policy import PolicyRefusal
from shotline.governance.spend import Charge, Ledger
from shotline.store.project import Project, now
from shotline.store.schema import Run, SpendRecord


def charge(key: str, estimate: float, purpose: str = "shot 1A take 1") -> Charge:
    return Charge("acme", "m1", purpose, key, estimate)


@pytest.fixture
def project(make_project: Callable[..., Project], database_url: str) -> Iterator[Project]:
    """A project on SQLite and on PostgreSQL."""
    yield make_project(database_url=database_url)


@pytest.fixture
def sqlite_project(make_project: Callable[..., Project]) -> Iterator[Project]:
    """A project on SQLite only, for the details that do not depend on the database."""
    yield make_project()


def ledger(project: Project, budget: float) -> Ledger:
    return Ledger(project.sessions, budget)


def statuses(book: Ledger) -> dict[str, tuple[str, float, float | None]]:
    return {r.idempotency_key: (r.status, r.estimate_usd, r.cost_usd) for r in book.records()}


def test_an_empty_ledger_has_spent_nothing(sqlite_project: Project) -> None:
    book = ledger(sqlite_project, 10.0)
    assert book.spent() == 0.0 and book.records() == []


def test_reserve_within_the_budget(project: Project) -> None:
    book = ledger(project, 1.0)
    book.reserve(charge("a", 0.4))
    book.reserve(charge("b", 0.6))  # exactly at the budget
    assert book.spent() == pytest.approx(1.0)
    [a, b] = book.records()
    assert (a.idempotency_key, a.status, a.estimate_usd, a.cost_usd) == ("a", "reserved", 0.4,
                                                                          None)
    assert (a.provider, a.model, a.purpose) == ("acme", "m1", "shot 1A take 1")
    assert b.idempotency_key == "b" and a.created_at is not None


def test_past_the_budget_is_refused_by_the_budget_rule_and_not_recorded(
        project: Project) -> None:
    book = ledger(project, 1.0)
    book.reserve(charge("a", 0.7))
    with pytest.raises(PolicyRefusal) as caught:
        book.reserve(charge("b", 0.31, purpose="shot 2B take 3"))
    assert [v.rule for v in caught.value.violations] == ["budget"]
    assert caught.value.provider == "acme:m1"
    assert "shot 2B take 3" in str(caught.value)
    assert list(statuses(book)) == ["a"]
    assert book.spent() == pytest.approx(0.7)


def test_a_zero_budget_refuses_any_paid_call(sqlite_project: Project) -> None:
    book = ledger(sqlite_project, 0.0)
    with pytest.raises(PolicyRefusal, match="budget"):
        book.reserve(charge("a", 0.0001))
    assert book.records() == []


def test_free_calls_are_never_refused(sqlite_project: Project) -> None:
    book = ledger(sqlite_project, 0.0)
    for n in range(3):
        book.reserve(charge(f"free-{n}", 0.0))
    assert book.spent() == 0.0
    assert [s for s, _, _ in statuses(book).values()] == ["reserved"] * 3
    full = ledger(sqlite_project, 0.5)
    full.reserve(charge("paid", 0.5))
    full.reserve(charge("free-3", 0.0))  # at the budget, free still goes


def test_the_same_key_twice_is_held_once(project: Project) -> None:
    book = ledger(project, 1.0)
    book.reserve(charge("a", 0.6))
    book.reserve(charge("a", 0.6))  # a retry: would pass the budget if held twice
    book.reserve(charge("a", 0.9))
    assert book.spent() == pytest.approx(0.6)
    assert statuses(book) == {"a": ("reserved", 0.6, None)}
    book.settle("a", 0.5)
    # Asked again after it was paid (its answer was lost): it may be paid again, so it
    # is a new attempt, held against the budget on its own.
    with pytest.raises(PolicyRefusal, match="budget"):
        book.reserve(charge("a", 0.6))
    assert book.reserve(charge("a", 0.4)) == "a#2"
    assert statuses(book)["a#2"] == ("reserved", 0.4, None)
    assert book.spent() == pytest.approx(0.9)


def test_the_same_key_is_one_record_across_ledgers(sqlite_project: Project) -> None:
    ledger(sqlite_project, 1.0).reserve(charge("a", 0.6))
    again = ledger(sqlite_project, 1.0)
    again.reserve(charge("a", 0.6))
    assert again.spent() == pytest.approx(0.6) and len(again.records()) == 1


def test_a_failed_call_releases_its_reservation(project: Project) -> None:
    book = ledger(project, 1.0)
    book.reserve(charge("a", 0.8))
    with pytest.raises(PolicyRefusal):
        book.reserve(charge("b", 0.8))
    book.fail("a")
    assert book.spent() == 0.0
    assert statuses(book) == {"a": ("failed", 0.8, None)}
    book.reserve(charge("b", 0.8))  # the room is back
    assert book.spent() == pytest.approx(0.8)


def test_a_failed_call_tried_again_is_held_again_in_its_own_record(
        sqlite_project: Project) -> None:
    book = ledger(sqlite_project, 1.0)
    book.reserve(charge("a", 0.3))
    book.fail("a")
    book.reserve(charge("a", 0.4))
    assert statuses(book) == {"a": ("reserved", 0.4, None)}
    assert book.spent() == pytest.approx(0.4)
    book.reserve(charge("b", 0.6))
    book.fail("a")
    with pytest.raises(PolicyRefusal):  # a failed key retried must pass the budget again
        book.reserve(charge("b2", 0.5))
    book.reserve(charge("a", 0.4))
    with pytest.raises(PolicyRefusal):
        book.reserve(charge("c", 0.01))


def test_settle_replaces_the_estimate_by_the_real_cost(project: Project) -> None:
    book = ledger(project, 1.0)
    book.reserve(charge("a", 0.8))
    book.settle("a", 0.25)
    assert statuses(book) == {"a": ("charged", 0.8, 0.25)}
    assert book.spent() == pytest.approx(0.25)
    book.reserve(charge("b", 0.75))  # the difference is free again
    book.settle("a", 0.9)  # settled once: a second settle changes nothing
    assert statuses(book)["a"] == ("charged", 0.8, 0.25)
    book.fail("a")  # nor does a late failure release a charged call
    assert statuses(book)["a"] == ("charged", 0.8, 0.25)


def test_settle_and_fail_of_unknown_keys_do_nothing(sqlite_project: Project) -> None:
    book = ledger(sqlite_project, 1.0)
    book.settle("nobody", 0.3)
    book.fail("nobody")
    assert book.records() == [] and book.spent() == 0.0


def test_spent_sums_charged_costs_and_pending_estimates(project: Project) -> None:
    book = ledger(project, 10.0)
    for key, estimate in (("a", 1.0), ("b", 2.0), ("c", 3.0), ("d", 0.5)):
        book.reserve(charge(key, estimate))
    book.settle("a", 0.75)
    book.settle("b", 2.5)
    book.fail("c")
    assert book.spent() == pytest.approx(0.75 + 2.5 + 0.5)


def test_the_run_is_recorded(sqlite_project: Project) -> None:
    with sqlite_project.sessions.begin() as s:
        run = Run(started_at=now(), status="running", executor="serial", pid=1, host="h")
        s.add(run)
        s.flush()
        run_id = run.id
    book = Ledger(sqlite_project.sessions, 1.0, run_id=run_id)
    book.reserve(charge("a", 0.1))
    assert [r.run_id for r in book.records()] == [run_id]


def one_project(make_project: Callable[..., Project]) -> Project:
    made = getattr(make_project, "made", None)
    if made is None:
        made = make_project()
        make_project.made = made  # type: ignore[attr-defined]
    return made


# Property: whatever the sequence of reservations, settlements and failures, with real
# costs never above the estimates, the ledger never holds more than the budget.
operations = st.lists(st.tuples(
    st.sampled_from(["reserve", "settle", "fail"]),
    st.integers(0, 5),  # which key
    st.integers(0, 400).map(lambda cents: cents / 100),  # estimate
    st.floats(0.0, 1.0),  # real cost as a share of the estimate
), max_size=20)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(budget=st.integers(0, 1000).map(lambda cents: cents / 100), steps=operations)
def test_spent_never_exceeds_the_budget(make_project: Callable[..., Project], budget: float,
                                        steps: list[tuple[str, int, float, float]]) -> None:
    project = one_project(make_project)  # the examples share it, each starts it empty
    with project.sessions.begin() as s:
        s.execute(delete(SpendRecord))
    book = ledger(project, budget)
    held: dict[str, float] = {}  # a model: key -> what it holds while reserved or charged
    state: dict[str, str] = {}
    for op, n, estimate, share in steps:
        key = f"k{n}"
        if op == "reserve":
            before = book.spent()
            try:
                made = book.reserve(charge(key, estimate))
            except PolicyRefusal:
                assert state.get(key) != "reserved"
                assert estimate > 0 and before + estimate > budget
            else:
                if state.get(key) == "charged":  # paid before: a new attempt of its own
                    assert made.startswith(f"{key}#")
                    held[made] = estimate
                    state[made] = "reserved"
                elif state.get(key) != "reserved":
                    state[key], held[key] = "reserved", estimate
        elif op == "settle" and state.get(key) == "reserved":
            cost = round(held[key] * share, 6)
            book.settle(key, cost)
            state[key], held[key] = "charged", cost
        elif op == "fail":
            book.fail(key)
            if state.get(key) == "reserved":
                state[key] = "failed"
                held.pop(key)
        spent = book.spent()
        assert spent <= budget + 1e-6
        assert spent == pytest.approx(sum(held.values()), abs=1e-6)



def test_reservations_from_many_threads_never_pass_the_budget(project: Project) -> None:
    book = ledger(project, 1.0)
    refused: list[str] = []

    def call(n: int) -> None:
        try:
            book.reserve(charge(f"t{n}", 0.1))
        except PolicyRefusal:
            refused.append(f"t{n}")

    threads = [threading.Thread(target=call, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(refused) == 6 and len(book.records()) == 10
    assert book.spent() == pytest.approx(1.0)
