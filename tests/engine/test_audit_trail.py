"""What people and runs do lands in the hash-chained audit log, and the chain holds."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import text

from shotline.engine.executors import InlineExecutor
from shotline.engine.generation import GenerationRequest
from shotline.engine.pipeline import current_plan, run_project
from shotline.governance.audit import entries, verify
from shotline.review.decisions import Role, record
from shotline.review.takes import select_take
from shotline.store.project import Project


def test_a_working_day_in_the_audit_log(make_project: Callable[..., Project],
                                        pix_plugin: Callable[..., None]) -> None:
    pix_plugin(price=0.0)
    project = make_project()
    run_project(project, InlineExecutor(), generation=GenerationRequest(("pix",), 1, ("1A",)))
    plan = current_plan(project)
    assert plan is not None
    shot = plan["scenes"][0]["shots"][0]
    record(project, shot, "approve", Role.DIRECTOR, note="good", person="dir")
    select_take(project, "1A", 1, "dir")
    kinds = [e.kind for e in entries(project)]
    for kind in ("generation", "provider-call", "export", "run", "approval", "selection"):
        assert kind in kinds
    report = verify(project)
    assert report.ok and not report.problems and report.entries == len(kinds)
    # Someone rewrites history: the approval now says "reject".
    with project.engine.begin() as connection:
        connection.execute(text("UPDATE audit_log SET data = :d WHERE kind = 'approval'"),
                           {"d": '{"decision": "reject"}'})
    tampered = verify(project)
    assert not tampered.ok and any(p.kind == "edited" for p in tampered.problems)
