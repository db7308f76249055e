"""The data-use policy check as a table over terms and policies, and as a property checked
against an oracle written here from the rules as documented."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shotline.errors import InputError
from shotline.governance.policy import (
    PolicyRefusal,
    Violation,
    check_terms,
    region_allowed,
    require_allowed,
)
from shotline.governance.terms import TERM_FIELDS, DataUseTerms
from shotline.store.settings import Policy, parse_settings

TODAY = date(2026, 6, 1)
COMPLIANT = DataUseTerms(
    trains_on_inputs=False, trains_on_outputs=False, retention_days=0,
    zero_data_retention=True, human_review=False, regions=("eu-west-1", "local"),
    evidence_url="https://example.com/dpa", verified_at=TODAY - timedelta(days=30))
DEFAULT = Policy()


def terms(**changes: Any) -> DataUseTerms:
    return replace(COMPLIANT, **changes)


def rules(found: list[Violation]) -> list[str]:
    return [v.rule for v in found]


def test_the_default_policy_is_fail_closed() -> None:
    assert Policy(allow_training_on_inputs=False, allow_training_on_outputs=False,
                             max_retention_days=0, require_zero_data_retention=True,
                             allow_human_review=False, reverify_days=180,
                             regions=("local", "eu", "us"), budget_usd=0.0) == DEFAULT


def test_compliant_terms_are_allowed_under_the_default_policy() -> None:
    assert check_terms(COMPLIANT, DEFAULT, TODAY) == []
    require_allowed("acme:m1", COMPLIANT, DEFAULT, TODAY)  # does not raise


# (terms changed, the rules the default policy names, a policy that allows it or None)
DEVIATIONS = [
    pytest.param({"trains_on_inputs": True}, ["no-training-on-inputs"],
                 Policy(allow_training_on_inputs=True), id="trains-on-inputs"),
    pytest.param({"trains_on_outputs": True}, ["no-training-on-outputs"],
                 Policy(allow_training_on_outputs=True), id="trains-on-outputs"),
    pytest.param({"retention_days": 30, "zero_data_retention": False},
                 ["retention", "zero-data-retention"],
                 Policy(max_retention_days=30, require_zero_data_retention=False),
                 id="retention-30-days"),
    pytest.param({"retention_days": 30}, ["retention"], Policy(max_retention_days=30),
                 id="retention-30-days-with-zdr"),
    pytest.param({"zero_data_retention": False}, ["zero-data-retention"],
                 Policy(require_zero_data_retention=False), id="no-zdr"),
    pytest.param({"human_review": True}, ["human-review"], Policy(allow_human_review=True),
                 id="human-review"),
    pytest.param({"regions": ("ap-south-1",)}, ["regions"], Policy(regions=("ap",)),
                 id="region-ap-south-1"),
    pytest.param({"regions": ("eu", "ap-south-1")}, ["regions"],
                 Policy(regions=("eu", "ap")), id="one-region-outside"),
    pytest.param({"regions": ()}, ["regions"], None, id="no-regions"),
    pytest.param({"verified_at": TODAY - timedelta(days=181)}, ["terms-stale"],
                 Policy(reverify_days=365), id="verified-181-days-ago"),
    pytest.param({"verified_at": TODAY + timedelta(days=1)}, ["terms-stale"], None,
                 id="verified-in-the-future"),
    *[pytest.param({name: None}, ["terms-unknown"], None, id=f"unknown-{name}")
      for name in TERM_FIELDS],
    pytest.param({"trains_on_inputs": None, "trains_on_outputs": True}, ["terms-unknown"],
                 None, id="unknown-wins-over-everything"),
    pytest.param({"trains_on_inputs": True, "human_review": True, "regions": ("cn",)},
                 ["no-training-on-inputs", "human-review", "regions"],
                 Policy(allow_training_on_inputs=True, allow_human_review=True,
                        regions=("cn",)), id="three-at-once"),
]


@pytest.mark.parametrize(("changes", "expected", "permissive"), DEVIATIONS)
def test_each_deviation_is_refused_by_its_rule(changes: dict[str, Any], expected: list[str],
                                               permissive: Policy | None) -> None:
    found = check_terms(terms(**changes), DEFAULT, TODAY)
    assert rules(found) == expected
    assert all(v.detail for v in found)
    with pytest.raises(PolicyRefusal) as caught:
        require_allowed("acme:m1", terms(**changes), DEFAULT, TODAY)
    assert isinstance(caught.value, InputError)
    assert caught.value.provider == "acme:m1"
    assert caught.value.violations == found
    for rule in expected:
        assert rule in str(caught.value)


@pytest.mark.parametrize(("changes", "expected", "permissive"),
                         [p for p in DEVIATIONS if p.values[2] is not None])
def test_the_same_deviation_is_allowed_by_a_policy_that_allows_it(
        changes: dict[str, Any], expected: list[str], permissive: Policy) -> None:
    assert check_terms(terms(**changes), permissive, TODAY) == []
    require_allowed("acme:m1", terms(**changes), permissive, TODAY)


def test_unknown_names_every_hole() -> None:
    [violation] = check_terms(DataUseTerms(retention_days=0, regions=("eu",)), DEFAULT, TODAY)
    assert violation.rule == "terms-unknown"
    for name in TERM_FIELDS:
        if name not in ("retention_days", "regions"):
            assert name in violation.detail
    assert str(violation).startswith("terms-unknown: ")


def test_unknown_is_refused_even_by_the_most_permissive_policy() -> None:
    anything = Policy(True, True, 10**6, False, True, 10**6, ("local", "eu", "us", "ap", "cn"))
    assert rules(check_terms(terms(human_review=None), anything, TODAY)) == ["terms-unknown"]


@pytest.mark.parametrize(("age", "reverify", "stale"), [
    (0, 180, False), (180, 180, False), (181, 180, True), (365, 365, False),
    (366, 365, True), (1, 0, True), (0, 0, False), (-1, 10**6, True),
])
def test_staleness_boundaries(age: int, reverify: int, stale: bool) -> None:
    found = check_terms(terms(verified_at=TODAY - timedelta(days=age)),
                        Policy(reverify_days=reverify), TODAY)
    assert rules(found) == (["terms-stale"] if stale else [])


@pytest.mark.parametrize(("days", "allowed_days", "ok"), [
    (0, 0, True), (1, 0, False), (30, 30, True), (31, 30, False)])
def test_retention_boundaries(days: int, allowed_days: int, ok: bool) -> None:
    policy = Policy(max_retention_days=allowed_days, require_zero_data_retention=False)
    found = check_terms(terms(retention_days=days, zero_data_retention=False), policy, TODAY)
    assert rules(found) == ([] if ok else ["retention"])


@pytest.mark.parametrize(("region", "allowed", "ok"), [
    ("us", ("us",), True),
    ("us-east-1", ("us",), True),
    ("us-gov-west-1", ("us",), True),
    ("usa", ("us",), False),
    ("us_east_1", ("us",), False),
    ("eu-west-1", ("us",), False),
    ("US-East-1", ("us",), True),
    ("LOCAL", ("local",), True),
    ("local-gpu", ("local",), True),
    ("localhost", ("local",), False),
    ("eu-central-1", ("eu-central",), True),
    ("eu-west-1", ("eu-central",), False),
    ("eu", ("eu-central",), False),
    ("ap-south-1", (), False),
    ("", ("us",), False),
])
def test_region_prefix_semantics(region: str, allowed: tuple[str, ...], ok: bool) -> None:
    assert region_allowed(region, allowed) is ok
    found = check_terms(terms(regions=(region,)), Policy(regions=allowed), TODAY)
    assert rules(found) == ([] if ok else ["regions"])


def test_the_region_violation_names_what_is_outside() -> None:
    [violation] = check_terms(terms(regions=("eu-west-1", "ap-south-1", "usa")), DEFAULT,
                              TODAY)
    assert "ap-south-1" in violation.detail and "usa" in violation.detail
    assert "eu-west-1" not in violation.detail.split(";")[0]


def test_regions_from_the_settings_file_compare_without_case() -> None:
    settings = parse_settings('name = "x"\nscript = "x.fountain"\n'
                              '[policy]\nregions = ["EU", "Local"]\n')
    assert settings.policy.regions == ("eu", "local")
    assert check_terms(terms(regions=("eu-west-1",)), settings.policy, TODAY) == []


def test_a_policy_region_in_capitals_compares_without_case() -> None:
    assert region_allowed("eu-west-1", ("EU",))


def test_the_policy_table_parses_into_a_policy() -> None:
    settings = parse_settings('name = "x"\nscript = "x.fountain"\n[policy]\n'
                              "allow_training_on_inputs = true\nmax_retention_days = 30\n"
                              "require_zero_data_retention = false\nreverify_days = 365\n"
                              'regions = ["ap"]\nbudget_usd = 5\n')
    assert settings.policy == Policy(allow_training_on_inputs=True, max_retention_days=30,
                                     require_zero_data_retention=False, reverify_days=365,
                                     regions=("ap",), budget_usd=5.0)
    assert parse_settings('name = "x"\nscript = "x.fountain"\n').policy == DEFAULT


@pytest.mark.parametrize("line", ["allow_training_on_inputs = 1", "max_retention_days = 1.5",
                                  "max_retention_days = true", "regions = \"eu\"",
                                  "budget_usd = \"ten\"", "reverify_days = \"180\""])
def test_a_bad_policy_value_is_an_input_error_naming_it(line: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_settings(f'name = "x"\nscript = "x.fountain"\n[policy]\n{line}\n')
    assert "policy." + line.split(" ", maxsplit=1)[0] in caught.value.message


@pytest.mark.parametrize("line", ['providers = "openai"', "providers = 3"])
def test_providers_that_is_not_a_table_is_an_input_error(line: str) -> None:
    with pytest.raises(InputError, match="providers"):
        parse_settings(f'name = "x"\nscript = "x.fountain"\n{line}\n')


# The property: check_terms is empty exactly when every rule holds, by an oracle written
# from the rules as the policy documents them.
REGION_NAMES = ["local", "eu", "us", "ap", "eu-west-1", "us-east-1", "ap-south-1", "usa",
                "US-West-2", "Local", "cn-north-1", "local-gpu", "europe"]
maybe_bool = st.none() | st.booleans()
random_terms = st.builds(
    DataUseTerms,
    trains_on_inputs=maybe_bool, trains_on_outputs=maybe_bool,
    retention_days=st.none() | st.integers(0, 400),
    zero_data_retention=maybe_bool, human_review=maybe_bool,
    regions=st.none() | st.lists(st.sampled_from(REGION_NAMES), max_size=3).map(tuple),
    evidence_url=st.none() | st.just("https://example.com/terms"),
    verified_at=st.none() | st.integers(-30, 800).map(lambda d: TODAY - timedelta(days=d)))
random_policies = st.builds(
    Policy,
    allow_training_on_inputs=st.booleans(), allow_training_on_outputs=st.booleans(),
    max_retention_days=st.integers(0, 400), require_zero_data_retention=st.booleans(),
    allow_human_review=st.booleans(), reverify_days=st.integers(0, 800),
    regions=st.lists(st.sampled_from(["local", "eu", "us", "ap", "eu-west", "cn"]),
                     max_size=4).map(tuple))


def oracle(t: DataUseTerms, p: Policy, today: date) -> set[str]:
    """The rules broken, computed from first principles."""
    if any(getattr(t, f.name) is None for f in fields(t)):
        return {"terms-unknown"}
    broken = set()
    assert t.verified_at is not None and t.retention_days is not None
    assert t.regions is not None
    if not 0 <= (today - t.verified_at).days <= p.reverify_days:
        broken.add("terms-stale")
    if t.trains_on_inputs is True and not p.allow_training_on_inputs:
        broken.add("no-training-on-inputs")
    if t.trains_on_outputs is True and not p.allow_training_on_outputs:
        broken.add("no-training-on-outputs")
    if t.retention_days > p.max_retention_days:
        broken.add("retention")
    if p.require_zero_data_retention and t.zero_data_retention is not True:
        broken.add("zero-data-retention")
    if t.human_review is True and not p.allow_human_review:
        broken.add("human-review")

    def inside(region: str) -> bool:
        parts = region.lower().split("-")
        return any(parts[:len(a.split("-"))] == a.split("-") for a in p.regions)

    if not t.regions or not all(inside(r) for r in t.regions):
        broken.add("regions")
    return broken


@given(random_terms, random_policies)
def test_check_terms_is_empty_iff_every_rule_holds(t: DataUseTerms, p: Policy) -> None:
    found = check_terms(t, p, TODAY)
    expected = oracle(t, p, TODAY)
    assert (found == []) == (not expected)
    assert set(rules(found)) == expected
    assert len(rules(found)) == len(set(rules(found)))  # each rule named once


@given(random_terms, random_policies)
def test_require_allowed_agrees_with_check_terms(t: DataUseTerms, p: Policy) -> None:
    found = check_terms(t, p, TODAY)
    if found:
        with pytest.raises(PolicyRefusal) as caught:
            require_allowed("p:m", t, p, TODAY)
        assert caught.value.violations == found
    else:
        require_allowed("p:m", t, p, TODAY)
