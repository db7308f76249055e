"""What provider calls cost, and the budget that bounds them. A call is reserved at its
estimate before it goes (refused if that would pass the budget), then settled at what
it really cost. Its idempotency key makes it one record however often it is retried."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, sessionmaker

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
                 run_id: int | None = None) -> None:
        self.sessions = sessions
        self.budget_usd = budget_usd
        self.run_id = run_id
        self._lock = threading.Lock()  # calls go out from several threads

    def spent(self) -> float:
        """Settled costs, plus the estimates of calls still under way (they may land)."""
        with self.sessions() as s:
            return _spent(s)

    def reserve(self, charge: Charge) -> None:
        """Hold the estimate against the budget, or refuse with the budget rule. A key
        already reserved or charged is the same call again: nothing more is held."""
        with self._lock, self.sessions.begin() as s:
            known = s.scalar(select(SpendRecord).where(
                SpendRecord.idempotency_key == charge.key))
            if known is not None and known.status in ("reserved", "charged"):
                return
            if charge.estimate_usd > 0:
                spent = _spent(s)
                if spent + charge.estimate_usd > self.budget_usd + 1e-9:
                    raise PolicyRefusal(f"{charge.provider}:{charge.model}", [Violation(
                        "budget", f"{charge.purpose} would cost about "
                        f"${charge.estimate_usd:.4f}; ${spent:.4f} of the "
                        f"${self.budget_usd:.2f} budget is spent or held")])
            if known is not None:  # a call that failed before, tried again
                known.status, known.estimate_usd, known.run_id = ("reserved",
                                                                   charge.estimate_usd,
                                                                   self.run_id)
                return
            s.add(SpendRecord(run_id=self.run_id, provider=charge.provider, model=charge.model,
                              purpose=charge.purpose[:200], idempotency_key=charge.key,
                              estimate_usd=charge.estimate_usd, cost_usd=None,
                              status="reserved", created_at=now()))

    def settle(self, key: str, cost_usd: float) -> None:
        with self.sessions.begin() as s:
            record = s.scalar(select(SpendRecord).where(SpendRecord.idempotency_key == key))
            if record is not None and record.status != "charged":
                record.status, record.cost_usd = "charged", cost_usd

    def fail(self, key: str) -> None:
        with self.sessions.begin() as s:
            record = s.scalar(select(SpendRecord).where(SpendRecord.idempotency_key == key))
            if record is not None and record.status == "reserved":
                record.status = "failed"

    def records(self) -> list[SpendRecord]:
        with self.sessions() as s:
            return list(s.scalars(select(SpendRecord).order_by(SpendRecord.id)))
