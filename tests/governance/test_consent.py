"""The consent rules as a table and as properties over dates; the ledger on a real project;
likeness detection; the generation gate; quarantine."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from shotline.engine.runner import store_blob
from shotline.engine.steps import Blob
from shotline.errors import InputError
from shotline.governance.consent import (
    BLANKET_PHRASES,
    MIN_WORDS,
    RULES,
    ConsentFacts,
    ConsentRefusal,
    Dependency,
    LikenessUse,
    PerformerFacts,
    add_consent,
    add_performer,
    check_consent,
    consent_verdict,
    decide,
    likeness_uses,
    list_consents,
    list_performers,
    quarantine,
    require_consent,
    revoke,
    scope_problem,
)
from shotline.store.project import Project, now
from shotline.store.schema import CharacterRecord, TakeRecord

PROJECT = "Two Rooms"
GOOD = ("The face of Ana Lima as the character Mara in scenes 1 to 3 of the feature film "
        "Two Rooms, for previs and final shots")
ANA = PerformerFacts("Ana Lima", aliases=("Ana",))
AT = datetime(2026, 6, 1)
BASE = ConsentFacts(project=PROJECT, uses=frozenset({"face"}), description=GOOD,
                    valid_from=datetime(2026, 1, 1), valid_until=datetime(2027, 1, 1),
                    granted_by="performer", grantor_name="Ana Lima", id=1)


def consent(**changes: Any) -> ConsentFacts:
    return replace(BASE, **changes)


# --- the rules as a table ----------------------------------------------------------------

DENIED = [
    pytest.param(ANA, [], "face", AT, "no-consent", id="missing"),
    pytest.param(ANA, [consent(project="Other Film")], "face", AT, "other-project",
                 id="other project"),
    pytest.param(ANA, [consent()], "voice", AT, "use-not-covered", id="use not covered"),
    pytest.param(ANA, [consent()], "face", datetime(2025, 12, 31, 23, 59), "not-yet-valid",
                 id="not yet valid"),
    pytest.param(ANA, [consent()], "face", datetime(2027, 1, 1), "expired", id="expired"),
    pytest.param(ANA, [consent(revoked_at=datetime(2026, 5, 1), revoke_reason="withdrawn")],
                 "face", AT, "revoked", id="revoked"),
    pytest.param(ANA, [consent(description="Any use of my likeness in any media.")], "face",
                 AT, "vague-scope", id="vague scope"),
    pytest.param(replace(ANA, deceased=True), [consent()], "face", AT,
                 "deceased-needs-estate", id="deceased without estate"),
    pytest.param(replace(ANA, minor=True), [consent(granted_by="performer")], "face", AT,
                 "minor-needs-guardian", id="minor without guardian"),
    pytest.param(replace(ANA, minor=True), [consent(granted_by="estate")], "face", AT,
                 "minor-needs-guardian", id="minor by an estate"),
    pytest.param(ANA, [consent(granted_by="estate")], "face", AT, "grantor-mismatch",
                 id="living adult by an estate"),
    pytest.param(ANA, [consent(grantor_name="  ")], "face", AT, "grantor-missing",
                 id="no grantor"),
]


@pytest.mark.parametrize(("performer", "records", "use", "at", "rule"), DENIED)
def test_each_rule_denies(performer: PerformerFacts, records: list[ConsentFacts], use: str,
                          at: datetime, rule: str) -> None:
    decision = check_consent(performer, records, PROJECT, use, at)
    assert not decision.allowed
    assert decision.rule == rule
    assert decision.record_id == (records[0].id if records else None)
    assert decision.detail and str(decision).startswith(f"{rule}: ")


ALLOWED = [
    pytest.param(ANA, [consent()], "face", AT, id="valid"),
    pytest.param(ANA, [consent()], "face", datetime(2026, 1, 1), id="from the first moment"),
    pytest.param(ANA, [consent(valid_until=None)], "face", datetime(2090, 1, 1),
                 id="no end date"),
    pytest.param(replace(ANA, deceased=True), [consent(granted_by="estate")], "face", AT,
                 id="deceased with estate"),
    pytest.param(replace(ANA, minor=True), [consent(granted_by="guardian")], "face", AT,
                 id="minor with guardian"),
    pytest.param(ANA, [consent(uses=frozenset({"face", "voice"}))], "voice", AT,
                 id="voice among uses"),
    pytest.param(ANA, [consent(revoked_at=datetime(2026, 7, 1))], "face", AT,
                 id="revoked later than asked"),
    pytest.param(ANA, [consent(id=1, project="Other"), consent(id=2)], "face", AT,
                 id="any one record holding"),
]


@pytest.mark.parametrize(("performer", "records", "use", "at"), ALLOWED)
def test_allowed(performer: PerformerFacts, records: list[ConsentFacts], use: str,
                 at: datetime) -> None:
    decision = check_consent(performer, records, PROJECT, use, at)
    assert decision.allowed, decision
    assert decision.rule == "allowed"
    assert decision.record_id is not None


def test_every_rule_is_in_the_table() -> None:
    tested = {p.values[4] for p in DENIED}
    assert tested == set(RULES)


def test_the_failure_closest_to_holding_is_reported() -> None:
    records = [consent(id=1, project="Other"), consent(id=2, uses=frozenset({"voice"})),
               consent(id=3, revoked_at=datetime(2026, 2, 1), revoke_reason="asked to")]
    decision = check_consent(ANA, records, PROJECT, "face", AT)
    assert (decision.rule, decision.record_id) == ("revoked", 3)
    # an expired consent and its renewal that has not started: the renewal says when
    gap = [consent(id=4, valid_until=datetime(2026, 5, 1)),
           consent(id=5, valid_from=datetime(2026, 7, 1), valid_until=None)]
    decision = check_consent(ANA, gap, PROJECT, "face", AT)
    assert (decision.rule, decision.record_id) == ("not-yet-valid", 5)
    assert "2026-07-01" in decision.detail


def test_ties_name_the_newest_record_and_revocation_outranks_expiry() -> None:
    expired = [consent(id=7, valid_until=datetime(2026, 2, 1)),
               consent(id=9, valid_until=datetime(2026, 3, 1))]
    assert check_consent(ANA, expired, PROJECT, "face", AT).record_id == 9
    both = consent(valid_until=datetime(2026, 2, 1), revoked_at=datetime(2026, 1, 15))
    assert check_consent(ANA, [both], PROJECT, "face", AT).rule == "revoked"


def test_of_several_holding_the_longest_lasting_is_named() -> None:
    records = [consent(id=1, valid_until=datetime(2030, 1, 1)), consent(id=2),
               consent(id=3, valid_until=datetime(2028, 1, 1))]
    assert check_consent(ANA, records, PROJECT, "face", AT).record_id == 1
    records.append(consent(id=4, valid_until=None))
    assert check_consent(ANA, records, PROJECT, "face", AT).record_id == 4


def test_unknown_use_and_zone_aware_times() -> None:
    with pytest.raises(InputError, match="unknown use 'smell'"):
        check_consent(ANA, [consent()], PROJECT, "smell", AT)
    aware = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    assert check_consent(ANA, [consent()], PROJECT, "face", aware).allowed
    later = aware.astimezone(ZoneInfo("Asia/Tokyo"))
    assert check_consent(ANA, [consent()], PROJECT, "face", later + timedelta(hours=1)).rule \
        == "expired"


# --- properties over dates ---------------------------------------------------------------

moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1))
spans = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20_000))
positive = st.timedeltas(min_value=timedelta(microseconds=1), max_value=timedelta(days=20_000))


@given(start=moments, into=spans, rest=positive)
def test_inside_the_window_is_allowed(start: datetime, into: timedelta,
                                      rest: timedelta) -> None:
    record = consent(valid_from=start, valid_until=start + into + rest)
    assert check_consent(ANA, [record], PROJECT, "face", start + into).allowed


@given(start=moments, length=positive, after=spans)
def test_from_the_end_on_it_is_expired(start: datetime, length: timedelta,
                                       after: timedelta) -> None:
    record = consent(valid_from=start, valid_until=start + length)
    decision = check_consent(ANA, [record], PROJECT, "face", start + length + after)
    assert (decision.allowed, decision.rule) == (False, "expired")


@given(start=moments, length=st.none() | positive, revoked=moments, after=spans)
def test_from_revocation_on_it_is_revoked(start: datetime, length: timedelta | None,
                                          revoked: datetime, after: timedelta) -> None:
    record = consent(valid_from=start, valid_until=None if length is None else start + length,
                     revoked_at=revoked, revoke_reason="withdrawn")
    decision = check_consent(ANA, [record], PROJECT, "face", revoked + after)
    assert (decision.allowed, decision.rule) == (False, "revoked")


@given(start=moments, length=st.none() | positive, before=positive)
def test_before_the_start_it_is_not_yet_valid(start: datetime, length: timedelta | None,
                                              before: timedelta) -> None:
    record = consent(valid_from=start, valid_until=None if length is None else start + length)
    decision = check_consent(ANA, [record], PROJECT, "face", start - before)
    assert (decision.allowed, decision.rule) == (False, "not-yet-valid")


# --- scope -------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    GOOD,
    "Her voice, recorded in ADR, as Mara's dialogue in scene 12 (INT. VAN - DUSK).",
    "Body double likeness for the harbour stunt sequence, shots 22A to 22D only.",
    "Face of the performer on the theatrical poster and in the two trailers",
])
def test_specific_descriptions_pass(text: str) -> None:
    assert scope_problem(text) is None


@pytest.mark.parametrize(("text", "problem"), [
    ("", "empty"),
    ("?!", "empty"),
    ("Any use of my face in scene 12 of the film, as Mara.", "blanket phrase 'any use'"),
    ("My face as Mara in scene 12 of the film, in perpetuity for any purpose",
     "blanket phrase"),
    ("Face as Mara, scene 12, all media, the film.", "blanket phrase 'all media'"),
    ("Unlimited: the face of Mara in every scene of the film.", "'unlimited'"),
    ("Whatever the producer wants: face, in the film's scenes.", "'whatever'"),
    ("Mara's face in scene 12.", "too short"),
    ("Used by the production for the purposes agreed between us on the phone.",
     "what is depicted"),
    ("The face of Ana Lima as the character Mara, in good taste and with dignity.",
     "where it is used"),
])
def test_vague_descriptions_are_refused(text: str, problem: str) -> None:
    found = scope_problem(text)
    assert found is not None and problem in found


def _shuffle_case(text: str, flips: list[bool]) -> str:
    return "".join(c.upper() if flips[k % len(flips)] else c for k, c in enumerate(text))


separators = st.sampled_from([" ", "  ", ", ", " - ", "\n", "; ", " (", ") "])
filler = st.text(st.characters(codec="utf-8"), max_size=60)


@given(before=filler, after=filler, phrase=st.sampled_from(BLANKET_PHRASES),
       flips=st.lists(st.booleans(), min_size=1, max_size=8), left=separators,
       right=separators, inner=separators)
def test_any_text_with_a_blanket_phrase_is_refused(before: str, after: str, phrase: str,
                                                   flips: list[bool], left: str, right: str,
                                                   inner: str) -> None:
    spelled = _shuffle_case(inner.join(phrase.split()), flips)
    assert scope_problem(f"{before}{left}{spelled}{right}{after}") is not None


whats = st.sampled_from(["the face of Ana Lima", "her voice", "a body double",
                         "the likeness of the performer", "Ana Lima playing Mara"])
wheres = st.sampled_from(["in scene 12", "in shots 4A and 4B", "on the poster",
                          "in the trailer", "in the harbour sequence", "in episode 3"])
roles = st.sampled_from(["as the character Mara", "as Teo's sister",
                         "as the pilot in the opening"])
extras = st.sampled_from(["", "of the feature film Two Rooms", "for previs and final frames",
                          "at night, in the rain"])


@st.composite
def good_descriptions(draw: st.DrawFn) -> str:
    parts = [draw(whats), draw(roles), draw(wheres), draw(extras)]
    return " ".join(p for p in parts if p) + draw(st.sampled_from(["", ".", "!"]))


@given(text=good_descriptions(), flips=st.lists(st.booleans(), min_size=1, max_size=5))
def test_good_descriptions_pass_whatever_the_case_and_punctuation(text: str,
                                                                  flips: list[bool]) -> None:
    assert scope_problem(text) is None
    assert scope_problem(_shuffle_case(text, flips)) is None
    assert scope_problem(text.replace(" ", ", ")) is None


@given(text=good_descriptions(), phrase=st.sampled_from(BLANKET_PHRASES),
       at=st.integers(min_value=0, max_value=40))
def test_a_blanket_phrase_makes_a_good_description_vague(text: str, phrase: str,
                                                         at: int) -> None:
    words = text.split()
    at = at % (len(words) + 1)
    found = scope_problem(" ".join([*words[:at], phrase, *words[at:]]))
    assert found is not None and "blanket phrase" in found


@given(words=st.lists(st.sampled_from(["face", "scene", "Mara", "film", "voice", "12",
                                       "shot"]), min_size=1, max_size=MIN_WORDS - 1))
def test_short_descriptions_are_refused(words: list[str]) -> None:
    found = scope_problem(" ".join(words))
    assert found is not None and "too short" in found


# --- the ledger --------------------------------------------------------------------------


@pytest.fixture
def signed(tmp_path: Path) -> Path:
    path = tmp_path / "ana-lima-consent.pdf"
    path.write_bytes(b"%PDF-1.7 signed consent of Ana Lima\n")
    return path


def _add(project: Project, document: Path, **changes: Any) -> int:
    fields: dict[str, Any] = {
        "performer": "Ana Lima", "uses": ["face"], "replica": "employment-based",
        "description": GOOD, "valid_from": datetime(2026, 1, 1),
        "valid_until": datetime(2027, 1, 1), "granted_by": "performer",
        "grantor_name": "Ana Lima", "document": document, "represented": True,
        "compensation_ref": "SAG-2026-0042"}
    fields.update(changes)
    return add_consent(project, **fields).id


def test_ledger_round_trip(make_project: Callable[..., Project], database_url: str,
                           signed: Path) -> None:
    project = make_project(database_url=database_url)
    facts = add_performer(project, "  Ana   Lima ", ["Ana", "ana", "A. Lima", ""])
    assert facts == PerformerFacts("Ana Lima", aliases=("Ana", "A. Lima"))
    entry = add_consent(project, "ana", ["voice", "face", "face"], "synthetic", GOOD,
                        datetime(2026, 1, 1), None, "performer", "Ana Lima", signed,
                        represented=True, compensation_ref="SAG-2026-0042")
    assert entry.performer == "Ana Lima" and entry.status == "valid"
    assert entry.document_hash == hashlib.sha256(signed.read_bytes()).hexdigest()
    assert project.objects.get(entry.document_hash) == signed.read_bytes()
    [listed] = list_consents(project, AT)
    assert listed.to_dict() | {"created_at": None} == entry.to_dict() | {"created_at": None}
    assert listed.to_dict()["uses"] == ["face", "voice"]
    assert listed.facts.project == project.settings.name == "Two Rooms"
    assert decide(project, "Ana Lima", "voice", AT).allowed
    assert decide(project, "A. LIMA", "face", AT).record_id == entry.id
    assert decide(project, "Ana Lima", "body", AT).rule == "use-not-covered"


def test_add_performer_updates_and_keeps_names_unique(
        make_project: Callable[..., Project]) -> None:
    project = make_project()
    add_performer(project, "Ana Lima", ["Ana"])
    again = add_performer(project, "Ana Lima", ["Annie"], deceased=True)
    assert again == PerformerFacts("Ana Lima", deceased=True, aliases=("Annie",))
    with pytest.raises(InputError, match="'annie' already names performer Ana Lima"):
        add_performer(project, "Ann Other", ["ANNIE"])
    with pytest.raises(InputError, match="needs a name"):
        add_performer(project, " ")
    with project.sessions.begin() as s:
        s.add(CharacterRecord(name="MARA", description="", appearance={}, aliases=[],
                              performer_id=1, updated_at=now()))
    [entry] = list_performers(project)
    assert (entry.characters, entry.consents) == (("MARA",), 0)


@pytest.mark.parametrize(("changes", "performer", "rule"), [
    ({"description": "Any use of the face, scene by scene, of the film."}, {}, "vague-scope"),
    ({"description": "Face in the film."}, {}, "vague-scope"),
    ({}, {"deceased": True}, "deceased-needs-estate"),
    ({"granted_by": "guardian"}, {"deceased": True}, "deceased-needs-estate"),
    ({}, {"minor": True}, "minor-needs-guardian"),
    ({"granted_by": "estate"}, {}, "grantor-mismatch"),
    ({"grantor_name": " "}, {}, "grantor-missing"),
    ({"compensation_ref": ""}, {}, "compensation-missing"),
    ({"valid_until": datetime(2025, 12, 31)}, {}, "invalid-period"),
    ({"valid_until": datetime(2026, 1, 1)}, {}, "invalid-period"),
    ({"uses": ["face", "smell"]}, {}, "unknown-use"),
    ({"uses": []}, {}, "unknown-use"),
    ({"replica": "deepfake"}, {}, "unknown-replica"),
    ({"granted_by": "agent"}, {}, "unknown-grantor"),
])
def test_entry_refuses_records_that_could_never_hold(
        make_project: Callable[..., Project], signed: Path, changes: dict[str, Any],
        performer: dict[str, bool], rule: str) -> None:
    project = make_project()
    add_performer(project, "Ana Lima", deceased=performer.get("deceased", False),
                  minor=performer.get("minor", False))
    with pytest.raises(InputError, match=f"refused at entry \\({rule}\\)"):
        _add(project, signed, **changes)
    assert list_consents(project) == []
    assert not any(project.objects.root.rglob("*/*"))  # nothing kept of a refused record


def test_entry_accepts_what_the_rules_allow(make_project: Callable[..., Project],
                                            signed: Path) -> None:
    project = make_project()
    add_performer(project, "Old Star", deceased=True)
    add_performer(project, "Kid Actor", minor=True)
    _add(project, signed, performer="Old Star", granted_by="estate", grantor_name="The Estate")
    _add(project, signed, performer="Kid Actor", granted_by="guardian", grantor_name="A Parent")
    assert [e.status for e in list_consents(project, AT)] == ["valid", "valid"]


def test_entry_needs_a_known_performer_and_a_readable_document(
        make_project: Callable[..., Project], signed: Path, tmp_path: Path) -> None:
    project = make_project()
    with pytest.raises(InputError, match="no performer 'Ana Lima'"):
        _add(project, signed)
    add_performer(project, "Ana Lima")
    with pytest.raises(InputError, match="cannot read the signed document"):
        _add(project, tmp_path / "missing.pdf")
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        _add(project, empty)


def test_revoke_and_statuses(make_project: Callable[..., Project], signed: Path) -> None:
    project = make_project()
    add_performer(project, "Ana Lima")
    first = _add(project, signed)
    _add(project, signed, valid_from=datetime(2025, 1, 1), valid_until=datetime(2026, 1, 1))
    _add(project, signed, valid_from=datetime(2026, 9, 1), valid_until=None)
    entry = revoke(project, first, "  withdrew   consent ", datetime(2026, 5, 1))
    assert (entry.status, entry.facts.revoke_reason) == ("revoked", "withdrew consent")
    statuses = [e.status for e in list_consents(project, AT)]
    assert statuses == ["revoked", "expired", "not yet valid"]
    decision = decide(project, "Ana Lima", "face", AT)
    assert (decision.rule, decision.record_id) == ("not-yet-valid", 3)
    assert decide(project, "Ana Lima", "face", datetime(2026, 4, 30)).allowed
    with pytest.raises(InputError, match="already revoked on 2026-05-01"):
        revoke(project, first, "again", AT)
    with pytest.raises(InputError, match="no consent 99"):
        revoke(project, 99, "gone", AT)
    with pytest.raises(InputError, match="say why"):
        revoke(project, 2, " ", AT)


def test_a_performer_marked_deceased_later_needs_the_estate(
        make_project: Callable[..., Project], signed: Path) -> None:
    project = make_project()
    add_performer(project, "Ana Lima")
    _add(project, signed)
    add_performer(project, "Ana Lima", deceased=True)
    assert decide(project, "Ana Lima", "face", AT).rule == "deceased-needs-estate"
    [entry] = list_consents(project, AT)
    assert entry.status == "invalid (deceased-needs-estate)"


def test_an_unknown_performer_has_no_consent(make_project: Callable[..., Project]) -> None:
    project = make_project()
    decision = decide(project, "Nobody", "face", AT)
    assert (decision.allowed, decision.rule) == (False, "no-consent")
    with pytest.raises(InputError, match="unknown use"):
        decide(project, "Nobody", "aura", AT)


# --- likeness detection ------------------------------------------------------------------

CAST = {"MARA": ANA, "TEO": PerformerFacts("Tomas Reyes", aliases=("Tom Reyes",))}


def _uses(prompt: str, characters: tuple[str, ...] = ("MARA", "TEO"),
          refs: dict[str, int] | None = None) -> list[tuple[str, str, str]]:
    return [(u.character, u.performer, u.use)
            for u in likeness_uses(prompt, characters, CAST, refs or {})]


def test_reference_images_use_the_face() -> None:
    [use] = likeness_uses("Mara packs a suitcase", ["MARA", "TEO", "EXTRA"], CAST,
                          {"MARA": 2, "TEO": 0, "EXTRA": 5})
    assert use == LikenessUse("MARA", "Ana Lima", "face",
                              "2 reference images of MARA go to the model")


@pytest.mark.parametrize(("prompt", "found"), [
    ("Ana Lima packs a suitcase", [("MARA", "Ana Lima", "face")]),
    ("close on ANA, rain", [("MARA", "Ana Lima", "face")]),
    ("Ana's hands on the wheel", [("MARA", "Ana Lima", "face")]),
    ("a bowl with a banana and Anatolian rugs", []),
    ("banana; ANAL; cabana", []),
    ("Tom\n  Reyes drives", [("TEO", "Tomas Reyes", "face")]),
    ("Tom drives, Reyes waves", []),
    ("Tomas Reyes and Ana at the door", [("MARA", "Ana Lima", "face"),
                                         ("TEO", "Tomas Reyes", "face")]),
    ("Mara and Teo in the van", []),
])
def test_names_and_aliases_in_the_prompt(prompt: str, found: list[tuple[str, str, str]]
                                         ) -> None:
    assert _uses(prompt) == found


def test_a_performer_named_outside_the_shot_is_found_once_with_every_reason() -> None:
    assert _uses("Ana Lima waves", characters=("TEO",)) == [("MARA", "Ana Lima", "face")]
    [use] = likeness_uses("Ana Lima in the rain", ["MARA"], CAST, {"MARA": 1})
    assert use.why == "1 reference image of MARA goes to the model; the prompt names 'Ana Lima'"


# --- gating and quarantine ---------------------------------------------------------------


def test_require_consent_refuses_naming_performer_use_and_rule(
        make_project: Callable[..., Project], signed: Path) -> None:
    project = make_project()
    add_performer(project, "Ana Lima")
    consent_id = _add(project, signed)
    face = LikenessUse("MARA", "Ana Lima", "face", "the prompt names 'Ana'")
    assert require_consent(project, [face], AT) == [Dependency("Ana Lima", "face", consent_id)]
    voice = replace(face, use="voice")
    with pytest.raises(ConsentRefusal, match=r"voice of Ana Lima .*use-not-covered") as caught:
        require_consent(project, [face, voice], AT)
    assert caught.value.decision.rule == "use-not-covered"
    assert isinstance(caught.value, InputError)
    stranger = LikenessUse("TEO", "Tomas Reyes", "face", "2 reference images")
    with pytest.raises(ConsentRefusal, match=r"Tomas Reyes .*no-consent"):
        require_consent(project, [stranger], AT)


def _take(project: Project, shot: str, number: int, quarantined: str | None = None) -> int:
    digest = store_blob(project, Blob(f"{shot}/{number}".encode(), "image/png"))
    with project.sessions.begin() as s:
        take = TakeRecord(shot_id=shot, number=number, cache_key=f"{shot}-{number}",
                          asset_hash=digest, provider="hashing", model="m", seed=1,
                          cost_usd=0.0, basis="b", run_id=None, created_at=now(),
                          quarantined=quarantined)
        s.add(take)
        s.flush()
        return take.id


def _quarantined(project: Project) -> dict[int, str | None]:
    with project.sessions() as s:
        return {t.id: t.quarantined for t in s.scalars(select(TakeRecord))}


def test_revoking_quarantines_the_takes_made_under_it(
        make_project: Callable[..., Project], database_url: str, signed: Path) -> None:
    project = make_project(database_url=database_url)
    add_performer(project, "Ana Lima")
    consent_id = _add(project, signed)
    used = _take(project, "1A", 1)
    clean = _take(project, "1B", 1)
    other = _take(project, "1C", 1, quarantined="provider terms changed")
    dependencies = {used: [("Ana Lima", "face", consent_id)],
                    other: [("Ana Lima", "face", consent_id)]}
    assert quarantine(project, AT, dependencies) == []
    revoke(project, consent_id, "changed her mind", datetime(2026, 11, 20, 9, 30))
    [change] = quarantine(project, datetime(2026, 11, 21), dependencies)
    reason = (f"consent {consent_id} for Ana Lima (face) revoked on 2026-11-20 09:30: "
              "changed her mind")
    assert (change.take_id, change.shot_id, change.number, change.action, change.reason) \
        == (used, "1A", 1, "quarantined", reason)
    assert _quarantined(project) == {used: reason, clean: None,
                                     other: "provider terms changed"}
    assert quarantine(project, datetime(2026, 11, 22), dependencies) == []  # idempotent


def test_expiry_quarantines_and_a_new_consent_lifts(make_project: Callable[..., Project],
                                                    signed: Path) -> None:
    project = make_project()
    add_performer(project, "Ana Lima")
    first = _add(project, signed)
    take = _take(project, "2A", 3)
    dependencies = {take: [Dependency("Ana Lima", "face", first)], 999: []}
    [change] = quarantine(project, datetime(2027, 1, 1), dependencies)
    assert change.reason == f"consent {first} for Ana Lima (face) expired on 2027-01-01"
    renewal = _add(project, signed, valid_from=datetime(2027, 1, 1), valid_until=None)
    [lifted] = quarantine(project, datetime(2027, 2, 1), dependencies)
    assert lifted.action == "lifted"
    assert lifted.reason == (f"consent {first} for Ana Lima (face) expired on 2027-01-01; "
                             f"consent {renewal} covers it now")
    assert _quarantined(project)[take] is None


def test_another_valid_consent_keeps_the_take_and_says_so(
        make_project: Callable[..., Project], signed: Path) -> None:
    project = make_project()
    add_performer(project, "Ana Lima")
    first = _add(project, signed)
    second = _add(project, signed, uses=["face", "voice"])
    take = _take(project, "3A", 1)
    revoke(project, first, "superseded", datetime(2026, 3, 1))
    [change] = quarantine(project, AT, {take: [("Ana Lima", "face", first)]})
    assert change.action == "covered"
    assert change.reason.endswith(f"; consent {second} covers it now")
    assert _quarantined(project)[take] is None


def test_verdict_for_a_performer_or_consent_not_in_the_ledger() -> None:
    reason, notes = consent_verdict([("Ana Lima", "face", 4)], {}, {}, PROJECT, AT)
    assert (reason, notes) == ("consent 4 for Ana Lima (face) is not in the ledger", [])
    records = {"Ana Lima": [consent(id=5)]}
    reason, _ = consent_verdict([("Ana Lima", "face", 4), ("Ana Lima", "voice", 5)],
                                {"Ana Lima": ANA}, records, PROJECT, AT)
    assert reason == ("consent 5 for Ana Lima (voice) no longer holds: use-not-covered: "
                      "consent 5 covers face, not voice")
