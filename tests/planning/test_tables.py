"""The shot list as CSV rows."""

from __future__ import annotations

import csv
import io

from shotline.planning import plan_rows
from tests.planning.screenplays import KITCHEN, MARKET, plan


def test_one_row_per_shot_with_its_place_in_the_edit() -> None:
    result = plan(KITCHEN + "\n" + MARKET.replace("EXT. NIGHT MARKET", "EXT. MARKET"))
    header, rows = plan_rows(result)
    assert header[:5] == ["scene", "shot", "order", "cuts", "start"]
    assert len(rows) == len(result.shots)
    assert [r[1] for r in rows] == [s.id for s in result.shots]
    column = {name: k for k, name in enumerate(header)}
    for scene in result.scenes:
        for n, cut in enumerate(scene.edit, start=1):
            row = next(r for r in rows if r[column["shot"]] == cut.shot)
            assert str(n) in row[column["cuts"]].split(";")
        first = next(r for r in rows if r[column["shot"]] == scene.edit[0].shot)
        assert (first[column["order"]], first[column["start"]]) == ("1", "0.0")


def test_values_are_written_for_people() -> None:
    header, rows = plan_rows(plan(KITCHEN))
    column = {name: k for k, name in enumerate(header)}
    ots = next(r for r in rows if r[column["framing"]] == "OTS")
    assert ots[column["lens_mm"]] == "65"
    assert ots[column["angle"]] == "eye level"
    assert ots[column["description"]].startswith("MCU MARA over TEO's shoulder")
    unused = next(r for r in rows if r[column["duration"]] == "0.0")
    assert unused[column["order"]] == unused[column["cuts"]] == unused[column["start"]] == ""


def test_rows_write_as_csv() -> None:
    header, rows = plan_rows(plan(MARKET))
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    back = list(csv.reader(io.StringIO(out.getvalue())))
    assert back == [header, *rows]
    assert all(len(r) == len(header) for r in rows)
