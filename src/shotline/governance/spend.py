"""What provider calls cost, and the budget that bounds them. A call is reserved at its
estimate before it goes (refused if that would pass the budget), then settled at what
it really cost. Its idempotency key makes it one record however often it is retried."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, sessionmaker

from shotline.governance import audit
from shotline.governance.policy import PolicyRefusal, Violation
from shotline.store.project import now
from shotline.store.schema import SpendRecord


@dataclass(frozen=True)
class Charge:
    provider: str
    model: str
    purpose: str
    key: str  # the call's idempotency key
    estimate_usd: float


def _spent(s: Session) -> float:
    # One statement: a call settling between two reads must not fall out of both.
    amount = case((SpendRecord.status == "charged", SpendRecord.cost_usd),
                  else_=SpendRecord.estimate_usd)
    total = s.scalar(select(func.coalesce(func.sum(amount), 0.0))
                     .where(SpendRecord.status.in_(("charged", "reserved"))))
    return float(total or 0.0)


class Ledger:
    def __init__(self, sessions: sessionmaker[Session], budget_usd: float,
                 run_id: int | None = None,
                 anchor: Callable[[], object] | None = None) -> None:
        self.sessions = sessions
        self.budget_usd = budget_usd
        self.run_id = run_id
        self.anchor = anchor  # moves the audit log's anchor after an entry
        self._lock = threading.Lock()  # calls go out from several threads

    def spent(self) -> float:
        """Settled costs, plus the estimates of calls still under way (they may land)."""
        with self.sessions() as s:
            return _spent(s)

    def reserve(self, charge: Charge) -> str:
        """Hold the estimate against the budget, or refuse with the budget rule; returns
        the key to settle or fail. A key still reserved is the same call again: nothing
        more is held. A key already charged is a call made again (its answer was lost):
        it may be paid again, so it is a new attempt, held and recorded on its own."""
        refusal: PolicyRefusal | None = None
        key = charge.key
        with self._lock, self.sessions.begin() as s:
            known = s.scalar(select(SpendRecord).where(SpendRecord.idempotency_key == key))
            if known is not None and known.status == "charged":
                tries = s.scalar(select(func.count()).select_from(SpendRecord).where(
                    SpendRecord.idempotency_key.like(f"{charge.key}#%")))
                key = f"{charge.key}#{int(tries or 0) + 2}"
                known = None
            if known is not None and known.status == "reserved":
                return key
            spent = _spent(s) if charge.estimate_usd > 0 else 0.0
            if charge.estimate_usd > 0 and spent + charge.estimate_usd > self.budget_usd + 1e-9:
                refusal = PolicyRefusal(f"{charge.provider}:{charge.model}", [Violation(
                    "budget", f"{charge.purpose} would cost about "
                    f"${charge.estimate_usd:.4f}; ${spent:.4f} of the "
                    f"${self.budget_usd:.2f} budget is spent or held")])
            elif known is not None:  # a call that failed before, tried again
                known.status, known.estimate_usd, known.run_id = ("reserved",
                                                                   charge.estimate_usd,
                                                                   self.run_id)
            else:
                s.add(SpendRecord(run_id=self.run_id, provider=charge.provider,
                                  model=charge.model, purpose=charge.purpose[:200],
                                  idempotency_key=key,
                                  estimate_usd=charge.estimate_usd, cost_usd=None,
                                  status="reserved", created_at=now()))
        if refusal is not None:
            self._log("policy-refusal", charge, {"rule": "budget",
                                                 "estimate_usd": charge.estimate_usd})
            raise refusal
        return key

    def _log(self, kind: str, charge: Charge, data: dict[str, object]) -> None:
        with self.sessions.begin() as s:
            audit.append(s, kind, charge.provider, charge.purpose[:200],
                         {"model": charge.model, "call": charge.key, **data})
        if self.anchor is not None:
            self.anchor()

    def settle(self, key: str, cost_usd: float) -> None:
        with self.sessions.begin() as s:
            record = s.scalar(select(SpendRecord).where(SpendRecord.idempotency_key == key))
            if record is not None and record.status != "charged":
                record.status, record.cost_usd = "charged", cost_usd
                # Every paid or free call a provider answered is in the audit log.
                audit.append(s, "provider-call", record.provider, record.purpose, {
                    "model": record.model, "call": key, "cost_usd": cost_usd,
                    "run": record.run_id})
        if self.anchor is not None:
            self.anchor()

    def fail(self, key: str) -> None:
        with self.sessions.begin() as s:
            record = s.scalar(select(SpendRecord).where(SpendRecord.idempotency_key == key))
            if record is not None and record.status == "reserved":
                record.status = "failed"

    def records(self) -> list[SpendRecord]:
        with self.sessions() as s:
            return list(s.scalars(select(SpendRecord).order_by(SpendRecord.id)))
