"""Data-use terms as a provider or a project declares them: parsing, overlays, round trips."""

from __future__ import annotations

import tomllib
from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shotline.errors import InputError
from shotline.governance.policy import check_terms
from shotline.governance.terms import TERM_FIELDS, DataUseTerms, parse_terms
from shotline.store.settings import Policy

SOURCE = "shotline.toml [providers.acme.terms]"

GOOD: dict[str, Any] = {
    "trains_on_inputs": False,
    "trains_on_outputs": False,
    "retention_days": 0,
    "zero_data_retention": True,
    "human_review": False,
    "regions": ["eu", "us-east-1"],
    "evidence_url": "https://example.com/dpa",
    "verified_at": date(2026, 3, 1),
}


def table(**changes: Any) -> dict[str, Any]:
    out = dict(GOOD)
    out.update(changes)
    return out


def test_a_complete_table() -> None:
    terms = parse_terms(table(), SOURCE)
    assert terms == DataUseTerms(False, False, 0, True, False, ("eu", "us-east-1"),
                                 "https://example.com/dpa", date(2026, 3, 1))
    assert terms.unknown() == []


def test_an_empty_table_is_all_unknown() -> None:
    terms = parse_terms({}, SOURCE)
    assert terms == DataUseTerms()
    assert terms.unknown() == list(TERM_FIELDS)


def test_a_table_read_from_toml() -> None:
    text = """
    trains_on_inputs = false
    trains_on_outputs = false
    retention_days = 30
    zero_data_retention = false
    human_review = true
    regions = ["eu-west-1"]
    evidence_url = "https://example.com/terms"
    verified_at = 2026-01-15
    """
    terms = parse_terms(tomllib.loads(text), SOURCE)
    assert terms.retention_days == 30 and terms.human_review is True
    assert terms.regions == ("eu-west-1",) and terms.verified_at == date(2026, 1, 15)


def test_dates_may_be_written_as_text() -> None:
    assert parse_terms(table(verified_at="2025-12-31"), SOURCE).verified_at == date(2025, 12, 31)


@pytest.mark.parametrize("url", ["https://example.com/terms", "http://intranet/dpa",
                                 "file:///srv/contracts/dpa.pdf"])
def test_evidence_urls_accepted(url: str) -> None:
    assert parse_terms(table(evidence_url=url), SOURCE).evidence_url == url


@pytest.mark.parametrize(("field", "value"), [
    ("trains_on_inputs", "no"),
    ("trains_on_inputs", 0),
    ("trains_on_outputs", "false"),
    ("trains_on_outputs", 1),
    ("zero_data_retention", "yes"),
    ("human_review", "maybe"),
    ("human_review", [False]),
    ("retention_days", -1),
    ("retention_days", 1.5),
    ("retention_days", "30"),
    ("retention_days", True),
    ("regions", "eu"),
    ("regions", ["eu", 3]),
    ("regions", {"eu": True}),
    ("evidence_url", "example.com/terms"),
    ("evidence_url", "ftp://example.com/terms"),
    ("evidence_url", 42),
    ("verified_at", "2026-13-01"),
    ("verified_at", "yesterday"),
    ("verified_at", "01/03/2026"),
    ("verified_at", 20260301),
], ids=lambda v: repr(v) if not isinstance(v, str) else v)
def test_a_bad_field_is_an_input_error_naming_it(field: str, value: Any) -> None:
    with pytest.raises(InputError) as caught:
        parse_terms(table(**{field: value}), SOURCE)
    assert field in caught.value.message
    assert caught.value.source == SOURCE


@pytest.mark.parametrize("extra", ["trains_on_input", "retention", "Regions", "notes"])
def test_an_unknown_key_is_refused_by_name(extra: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_terms(table(**{extra: True}), SOURCE)
    assert extra in caught.value.message
    assert "expected" in caught.value.message and "evidence_url" in caught.value.message


def test_updated_overlays_only_the_keys_given() -> None:
    base = parse_terms(table(), SOURCE)
    changed = base.updated({"retention_days": 30, "zero_data_retention": False}, SOURCE)
    assert changed.retention_days == 30 and changed.zero_data_retention is False
    for name in TERM_FIELDS:
        if name not in ("retention_days", "zero_data_retention"):
            assert getattr(changed, name) == getattr(base, name), name
    assert base.retention_days == 0  # frozen: the original is untouched


def test_updated_fills_unknowns_and_keeps_the_rest_unknown() -> None:
    unknown = DataUseTerms(trains_on_inputs=True)
    changed = unknown.updated({"trains_on_inputs": False, "regions": ["local"],
                               "verified_at": "2026-02-01"}, SOURCE)
    assert changed.trains_on_inputs is False
    assert changed.regions == ("local",) and changed.verified_at == date(2026, 2, 1)
    assert changed.unknown() == ["trains_on_outputs", "retention_days", "zero_data_retention",
                                 "human_review", "evidence_url"]


def test_updated_checks_what_it_lays_over() -> None:
    with pytest.raises(InputError, match="retention_days"):
        DataUseTerms().updated({"retention_days": -3}, SOURCE)
    with pytest.raises(InputError, match="colour"):
        DataUseTerms().updated({"colour": "blue"}, SOURCE)


def test_to_dict_is_plain_data() -> None:
    data = parse_terms(table(), SOURCE).to_dict()
    assert data == table(regions=["eu", "us-east-1"], verified_at="2026-03-01")
    assert list(data) == list(TERM_FIELDS)


def test_a_toml_datetime_for_verified_at_is_refused_or_reduced_to_a_date() -> None:
    declared = tomllib.loads("verified_at = 2026-01-01T10:00:00")["verified_at"]
    assert isinstance(declared, datetime)
    try:
        terms = parse_terms(table(verified_at=declared), SOURCE)
    except InputError:
        return  # refused: fine
    assert check_terms(terms, Policy(), date(2026, 2, 1)) == []


# Any terms, round-tripped through the plain form.
booleans = st.none() | st.booleans()
terms_strategy = st.builds(
    DataUseTerms,
    trains_on_inputs=booleans,
    trains_on_outputs=booleans,
    retention_days=st.none() | st.integers(min_value=0, max_value=10**6),
    zero_data_retention=booleans,
    human_review=booleans,
    regions=st.none() | st.lists(st.text(max_size=12), max_size=4).map(tuple),
    evidence_url=st.none() | st.sampled_from(["https://", "http://", "file:"]).flatmap(
        lambda scheme: st.text(max_size=20).map(lambda rest: scheme + rest)),
    verified_at=st.none() | st.dates(),
)


@given(terms_strategy)
def test_to_dict_then_parse_round_trips(terms: DataUseTerms) -> None:
    data = terms.to_dict()
    assert parse_terms(data, SOURCE) == terms
    # A table holds only the keys it declares: leaving the unknowns out is the same.
    assert parse_terms({k: v for k, v in data.items() if v is not None}, SOURCE) == terms
