"""Fountain conformance suite: declarative cases in ``conformance/*.toml``.

Each file holds ``[[case]]`` tables:

- ``name``: unique snake_case name of the rule the case checks;
- ``input``: the Fountain text;
- ``elements``: the expected elements in order. Each lists ``type`` and ``text`` and
  optionally ``line``, ``scene_number``, ``name``, ``extension``, ``dual``, ``level``
  and ``emphasis``; only the keys given are compared. TOML has no null, so
  ``null = ["scene_number"]`` says which fields must be JSON null;
- ``title_page`` (optional): compared exactly when present.

Emphasis spans are compared in (start, end, style) order, so a case need not guess
the order in which the parser emits two spans over the same text.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from shotline.model.script import ELEMENT_TYPES, Script

CASE_DIR = Path(__file__).parent / "conformance"
CASE_KEYS = frozenset({"name", "input", "elements", "title_page"})
ELEMENT_KEYS = frozenset(
    {"type", "text", "line", "scene_number", "name", "extension", "dual", "level", "emphasis"}
)
NULLABLE_KEYS = frozenset({"scene_number", "name", "extension"})
SPAN_KEYS = frozenset({"start", "end", "style"})
STYLES = ("bold", "italic", "underline")
NAME_PATTERN = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
ABSENT = "<absent>"  # shown for an expected key the actual element lacks

Row = dict[str, Any]


class CaseFileError(ValueError):
    """A malformed case; raised while collecting so that a typo cannot weaken a check."""


@dataclass(frozen=True, slots=True)
class Case:
    file: str
    name: str
    input: str
    elements: tuple[Row, ...]
    title_page: dict[str, str] | None

    @property
    def id(self) -> str:
        return f"{self.file}.{self.name}"


def _check_span(where: str, span: object) -> Row:
    if not isinstance(span, dict) or span.keys() != SPAN_KEYS:
        raise CaseFileError(f"{where}: an emphasis span needs exactly {sorted(SPAN_KEYS)}")
    if span["style"] not in STYLES:
        raise CaseFileError(f"{where}: unknown emphasis style {span['style']!r}")
    if not (isinstance(span["start"], int) and isinstance(span["end"], int)):
        raise CaseFileError(f"{where}: emphasis start and end must be integers")
    return span


def _check_element(where: str, element: object) -> Row:
    if not isinstance(element, dict):
        raise CaseFileError(f"{where}: an element must be a table")
    unknown = element.keys() - ELEMENT_KEYS - {"null"}
    if unknown:
        raise CaseFileError(f"{where}: unknown keys {sorted(unknown)}")
    if "type" not in element or "text" not in element:
        raise CaseFileError(f"{where}: an element needs 'type' and 'text'")
    if element["type"] not in ELEMENT_TYPES:
        raise CaseFileError(f"{where}: unknown element type {element['type']!r}")
    nulls = element.get("null", [])
    if not isinstance(nulls, list) or not set(nulls) <= NULLABLE_KEYS:
        raise CaseFileError(f"{where}: 'null' must list some of {sorted(NULLABLE_KEYS)}")
    if set(nulls) & element.keys():
        raise CaseFileError(f"{where}: a key is both given a value and listed as null")
    for span in element.get("emphasis", []):
        _check_span(where, span)
    return element


def _load_file(path: Path) -> list[Case]:
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    if data.keys() != {"case"}:
        raise CaseFileError(f"{path.name}: expected only [[case]] tables")
    cases: list[Case] = []
    for index, raw in enumerate(data["case"]):
        where = f"{path.name} case #{index + 1} ({raw.get('name', 'unnamed')})"
        unknown = raw.keys() - CASE_KEYS
        if unknown:
            raise CaseFileError(f"{where}: unknown keys {sorted(unknown)}")
        missing = {"name", "input", "elements"} - raw.keys()
        if missing:
            raise CaseFileError(f"{where}: missing {sorted(missing)}")
        elements = tuple(_check_element(where, element) for element in raw["elements"])
        cases.append(Case(path.stem, raw["name"], raw["input"], elements, raw.get("title_page")))
    return cases


def load_cases(folder: Path = CASE_DIR) -> list[Case]:
    return [case for path in sorted(folder.glob("*.toml")) for case in _load_file(path)]


CASES = load_cases()


def _sorted_spans(spans: list[Row]) -> list[Row]:
    return sorted(spans, key=lambda span: (span["start"], span["end"], span["style"]))


def _normalise(expected: Row) -> Row:
    out = dict(expected)
    if "emphasis" in out:
        out["emphasis"] = _sorted_spans(out["emphasis"])
    return out


def _project(actual: Row, expected: Row) -> Row:
    """The fields of ``actual`` that ``expected`` checks, written the way cases write them."""
    out: Row = {}
    for key in expected:
        if key == "emphasis":
            out[key] = _sorted_spans(actual.get("emphasis", []))
        elif key == "null":
            # Fields that are null go back into the list; others show their actual value.
            out["null"] = [k for k in expected["null"] if k in actual and actual[k] is None]
            out.update({k: actual.get(k, ABSENT) for k in expected["null"] if k not in out["null"]})
        else:
            out[key] = actual.get(key, ABSENT)
    return out


def _render(rows: list[Row]) -> str:
    return "\n".join(f"  [{i}] {row!r}" for i, row in enumerate(rows)) or "  (none)"


def _element_diff(expected: list[Row], actual: list[Row]) -> str | None:
    want = [_normalise(row) for row in expected]
    got = [
        _project(row, want[i])
        if i < len(want)
        else {k: row.get(k) for k in ("type", "text", "line")}
        for i, row in enumerate(actual)
    ]
    if got == want:
        return None
    first = next(
        (i for i, (w, g) in enumerate(zip(want, got, strict=False)) if w != g),
        min(len(want), len(got)),
    )
    return (
        f"elements differ (first difference at index {first}; "
        f"{len(want)} expected, {len(got)} actual)\n"
        f"expected:\n{_render(want)}\nactual:\n{_render(got)}"
    )


@pytest.fixture(scope="module")
def parse_fountain() -> Callable[[str], Script]:
    # Imported here so that the checks on the case files run before the parser exists.
    from shotline.script import parse_fountain

    return parse_fountain


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_case(case: Case, parse_fountain: Callable[[str], Script]) -> None:
    result = parse_fountain(case.input).to_dict()
    problems: list[str] = []
    if case.title_page is not None and result["title_page"] != case.title_page:
        problems.append(
            f"title_page differs\nexpected: {case.title_page!r}\nactual:   {result['title_page']!r}"
        )
    diff = _element_diff(list(case.elements), result["elements"])
    if diff is not None:
        problems.append(diff)
    if problems:
        pytest.fail(f"input: {case.input!r}\n\n" + "\n\n".join(problems), pytrace=False)


def test_case_names_are_unique_snake_case() -> None:
    counts = Counter(case.name for case in CASES)
    assert [name for name, n in counts.items() if n > 1] == []
    assert [c.id for c in CASES if not NAME_PATTERN.fullmatch(c.name)] == []


def test_every_element_type_is_covered() -> None:
    covered = {element["type"] for case in CASES for element in case.elements}
    assert sorted(set(ELEMENT_TYPES) - covered) == []


def test_every_emphasis_style_is_covered() -> None:
    covered = {
        span["style"]
        for case in CASES
        for element in case.elements
        for span in element.get("emphasis", [])
    }
    assert sorted(set(STYLES) - covered) == []
