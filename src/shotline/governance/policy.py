"""The project's data-use policy against a provider's terms. Fail closed: anything the
policy needs to know and the terms leave unknown is a refusal, and each refusal names
the rule it broke."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shotline.errors import InputError
from shotline.governance.terms import DataUseTerms
from shotline.store.settings import Policy


@dataclass(frozen=True)
class Violation:
    rule: str  # a stable name people and tests can refer to
    detail: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.detail}"


class PolicyRefusal(InputError):  # noqa: N818 (it is a refusal, reported as such)
    """A provider the project's policy does not allow; nothing was sent to it."""

    def __init__(self, provider: str, violations: list[Violation]) -> None:
        self.provider = provider
        self.violations = violations
        rules = "; ".join(str(v) for v in violations)
        super().__init__(f"provider {provider} refused by the project's policy ({rules})")


def region_allowed(region: str, allowed: tuple[str, ...]) -> bool:
    """"us" allows "us" and "us-east-1"; names compare without case."""
    region = region.lower()
    return any(region == a or region.startswith(a + "-") for a in (x.lower() for x in allowed))


def check_terms(terms: DataUseTerms, policy: Policy, today: date) -> list[Violation]:
    """Every rule the terms break under the policy; an empty list means allowed."""
    unknown = terms.unknown()
    if unknown:  # nothing else can be judged on terms with holes in them
        return [Violation("terms-unknown", "the provider does not declare "
                          + ", ".join(unknown))]
    assert terms.verified_at is not None and terms.regions is not None
    assert terms.retention_days is not None
    found: list[Violation] = []
    age = (today - terms.verified_at).days
    if age < 0:
        found.append(Violation("terms-stale", f"verified_at {terms.verified_at} is in the "
                               "future"))
    elif age > policy.reverify_days:
        found.append(Violation("terms-stale", f"terms last verified {age} days ago "
                               f"({terms.verified_at}); the policy wants every "
                               f"{policy.reverify_days} days"))
    if terms.trains_on_inputs and not policy.allow_training_on_inputs:
        found.append(Violation("no-training-on-inputs", "the provider may train on what it "
                               "is sent"))
    if terms.trains_on_outputs and not policy.allow_training_on_outputs:
        found.append(Violation("no-training-on-outputs", "the provider may train on what "
                               "it makes"))
    if terms.retention_days > policy.max_retention_days:
        found.append(Violation("retention", f"keeps data {terms.retention_days} days; the "
                               f"policy allows {policy.max_retention_days}"))
    if policy.require_zero_data_retention and not terms.zero_data_retention:
        found.append(Violation("zero-data-retention", "the provider does not promise zero "
                               "data retention"))
    if terms.human_review and not policy.allow_human_review:
        found.append(Violation("human-review", "people at the provider may read the "
                               "material"))
    outside = [r for r in terms.regions if not region_allowed(r, policy.regions)]
    if outside or not terms.regions:
        where = ", ".join(outside) or "no region declared"
        found.append(Violation("regions", f"processes in {where}; the policy allows "
                               f"{', '.join(policy.regions) or 'none'}"))
    return found


def require_allowed(provider: str, terms: DataUseTerms, policy: Policy, today: date) -> None:
    violations = check_terms(terms, policy, today)
    if violations:
        raise PolicyRefusal(provider, violations)
