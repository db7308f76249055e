"""What a provider says it does with the material it is sent: its data-use terms.

Every field may be unknown (None). Unknown is not the same as "no": the policy check
refuses a provider whose terms leave anything it needs unknown.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from typing import Any

from shotline.errors import InputError

TERM_FIELDS = ("trains_on_inputs", "trains_on_outputs", "retention_days",
               "zero_data_retention", "human_review", "regions", "evidence_url",
               "verified_at")


@dataclass(frozen=True)
class DataUseTerms:
    trains_on_inputs: bool | None = None
    trains_on_outputs: bool | None = None
    retention_days: int | None = None  # how long inputs and outputs are kept
    zero_data_retention: bool | None = None  # nothing stored after the response
    human_review: bool | None = None  # people at the provider may read the material
    regions: tuple[str, ...] | None = None  # where it is processed ("local" on this host)
    evidence_url: str | None = None  # the terms, contract or DPA these are read from
    verified_at: date | None = None  # when someone last checked them against the evidence

    def unknown(self) -> list[str]:
        return [f.name for f in fields(self) if getattr(self, f.name) is None]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, date):
                value = value.isoformat()
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name] = value
        return out

    def updated(self, table: dict[str, Any], source: str) -> DataUseTerms:
        """These terms with a project's own declaration laid over them."""
        return replace(self, **{k: v for k, v in vars(parse_terms(table, source)).items()
                                if k in table})


def _bool(table: dict[str, Any], key: str, source: str) -> bool | None:
    value = table.get(key)
    if value is None or isinstance(value, bool):
        return value
    raise InputError(f"terms.{key} must be true or false, got {value!r}", source=source)


def parse_terms(table: dict[str, Any], source: str) -> DataUseTerms:
    """Terms from a TOML table (a plugin's declaration or a project's)."""
    extra = sorted(set(table) - set(TERM_FIELDS))
    if extra:
        raise InputError(f"unknown data-use terms {', '.join(extra)}; expected "
                         f"{', '.join(TERM_FIELDS)}", source=source)
    retention = table.get("retention_days")
    if retention is not None and (isinstance(retention, bool) or not isinstance(retention, int)
                                  or retention < 0):
        raise InputError(f"terms.retention_days must be a whole number of days, got "
                         f"{retention!r}", source=source)
    regions = table.get("regions")
    if regions is not None and (not isinstance(regions, list)
                                or not all(isinstance(r, str) for r in regions)):
        raise InputError(f"terms.regions must be a list of region names, got {regions!r}",
                         source=source)
    url = table.get("evidence_url")
    # A URL, or a document shipped with Shotline ("docs/...") for its built-ins' terms.
    if url is not None and not (isinstance(url, str) and url.startswith(("https://", "http://",
                                                                          "file:", "docs/"))):
        raise InputError(f"terms.evidence_url must be a URL, got {url!r}", source=source)
    checked = table.get("verified_at")
    if isinstance(checked, str):
        try:
            checked = date.fromisoformat(checked)
        except ValueError:
            raise InputError(f"terms.verified_at must be a date (YYYY-MM-DD), got {checked!r}",
                             source=source) from None
    if isinstance(checked, datetime):  # a TOML datetime: the day is what counts
        checked = checked.date()
    if checked is not None and not isinstance(checked, date):
        raise InputError(f"terms.verified_at must be a date, got {checked!r}", source=source)
    return DataUseTerms(
        trains_on_inputs=_bool(table, "trains_on_inputs", source),
        trains_on_outputs=_bool(table, "trains_on_outputs", source),
        retention_days=retention,
        zero_data_retention=_bool(table, "zero_data_retention", source),
        human_review=_bool(table, "human_review", source),
        regions=tuple(regions) if regions is not None else None,
        evidence_url=url,
        verified_at=checked,
    )
