"""The DfE CSC API payload door: the three shapes a payload file takes, purge flags, the size
cap, a broken line, and one real run on a payload from the generator."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest

from pipelines.errors import ExtractError
from pipelines.generate import simulate
from pipelines.generate.csc_api_writer import write_csc_api
from pipelines.marts.metrics import unsupported
from pipelines.sources.csc_api import read_csc_api
from pipelines.sources.detect import detect_format, files_of, survey
from tests.conftest import run_pipeline


def _child(child_id: str, **over: object) -> dict[str, object]:
    child: dict[str, object] = {
        "la_child_id": child_id,
        "mis_child_id": child_id,
        "purge": False,
        "child_details": {
            "date_of_birth": "2010-01-02",
            "sex": "F",
            "ethnicity": "WBRI",
            "disabilities": ["NONE"],
            "purge": False,
        },
        "social_care_episodes": [
            {
                "social_care_episode_id": f"{child_id}-E1",
                "referral_date": "2013-04-01",
                "referral_source": "1A",
                "referral_no_further_action_flag": False,
                "closure_date": None,
                "care_worker_details": [
                    {"worker_id": "W1", "start_date": "2013-04-03", "end_date": None},
                    {"worker_id": "W2", "start_date": "2013-05-01", "end_date": None},
                ],
                "child_and_family_assessments": [
                    {
                        "child_and_family_assessment_id": "A1",
                        "start_date": "2013-04-02",
                        "authorisation_date": "2013-05-10",
                        "purge": False,
                    },
                    {
                        "child_and_family_assessment_id": "A2",
                        "start_date": "2013-06-01",
                        "purge": True,
                    },
                ],
                "section_47_assessments": [
                    {
                        "section_47_assessment_id": "S1",
                        "start_date": "2013-04-05",
                        "icpc_required_flag": True,
                        "icpc_date": "2013-04-20",
                        "end_date": "2013-04-20",
                        "purge": False,
                    },
                    {
                        "section_47_assessment_id": "S2",
                        "start_date": "2013-07-05",
                        "icpc_required_flag": False,
                        "end_date": "2013-07-20",
                        "purge": False,
                    },
                ],
                "child_protection_plans": [
                    {"child_protection_plan_id": "P1", "start_date": "2013-04-20", "purge": False}
                ],
                "child_in_need_plans": [
                    {"child_in_need_plan_id": "N1", "start_date": "2013-05-11", "purge": False}
                ],
                "purge": False,
            },
            {
                "social_care_episode_id": f"{child_id}-E2",
                "referral_date": "2012-01-01",
                "purge": True,
            },
        ],
    }
    child.update(over)
    return child


def test_array_object_and_lines_read_the_same(tmp_path: Path) -> None:
    children = [_child("C1"), _child("C2", purge=True), _child("C3")]
    shapes = {
        "array": json.dumps(children, indent=2),
        "object": json.dumps({"la_code": 318, "Children": children}),
        "lines": "\n".join(json.dumps({"la_code": 318, **c}) for c in children) + "\n",
    }
    read = {}
    for shape, text in shapes.items():
        folder = tmp_path / shape
        folder.mkdir()
        (folder / ("payload.jsonl" if shape == "lines" else "payload.json")).write_text(text)
        assert detect_format(folder) == "csc_api"
        read[shape] = read_csc_api(files_of(folder, "csc_api"))
    for shape, result in read.items():
        frames = {stem: frame.drop("_source_file") for stem, frame in result.frames.items()}
        # C2 is purged whole; each child's second episode and second assessment are purged
        assert frames["children"]["child_id"].to_list() == ["C1", "C3"], shape
        assert frames["children"].select("disability", "sex").rows() == [("N", "F")] * 2
        assert frames["referrals"].select("referral_id", "nfa").rows() == [
            ("C1-E1", "N"),
            ("C3-E1", "N"),
        ]
        assert frames["assessments"].select("assessment_id", "assessment_type").rows() == [
            ("A1", "SINGLE"),
            ("A1", "SINGLE"),
        ]
        assert (
            frames["s47_enquiries"].select("s47_id", "icpc_not_required", "icpc_date").rows()
            == [
                ("S1", "N", "2013-04-20"),
                ("S2", "Y", None),
            ]
            * 2
        )
        assert frames["allocations"].select("allocation_id", "worker_id", "referral_id").rows() == [
            ("C1-E1/W/1", "W1", "C1-E1"),
            ("C1-E1/W/2", "W2", "C1-E1"),
            ("C3-E1/W/1", "W1", "C3-E1"),
            ("C3-E1/W/2", "W2", "C3-E1"),
        ]
        assert frames["cin_plans"]["plan_id"].to_list() == ["N1", "N1"]
        purged = {f.message for f in result.findings if f.rule == "purged"}
        assert purged == {
            "1 children marked purge: true: not loaded",
            "2 social_care_episodes marked purge: true: not loaded",
            "2 child_and_family_assessments marked purge: true: not loaded",
        }, shape
    # a record's place: its line in JSON lines, its position in an array
    assert read["lines"].frames["referrals"]["_line"].to_list() == [1, 3]
    assert read["array"].frames["referrals"]["_line"].to_list() == [1, 3]
    assert read["object"].la_code == read["lines"].la_code == "318"
    assert read["array"].la_code is None


def test_a_broken_line_is_a_finding_and_a_broken_file_an_error(tmp_path: Path) -> None:
    folder = tmp_path / "lines"
    folder.mkdir()
    good = json.dumps(_child("C1"))
    (folder / "payload.jsonl").write_text(f'{good}\n{{"la_child_id": "C2", \n{good}\n')
    read = read_csc_api(files_of(folder, "csc_api"))
    assert [(f.rule, f.line) for f in read.findings if f.rule == "bad_json_line"] == [
        ("bad_json_line", 2)
    ]
    assert read.frames["children"].height == 2
    broken = tmp_path / "array"
    broken.mkdir()
    (broken / "payload.json").write_text('[{"la_child_id": "C1", "social_care_episodes": [')
    with pytest.raises(ExtractError, match="not well-formed JSON"):
        read_csc_api(files_of(broken, "csc_api"))


def test_size_cap_and_other_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "payload.json").write_text(json.dumps([_child("C1")] * 40))
    (folder / "settings.json").write_text('{"theme": "dark"}')
    why = {s.file.name: s.kind for s in survey(folder)}
    assert why == {"payload.json": "csc_api", "settings.json": None}
    monkeypatch.setenv("FRONTDOOR_JSON_MAX_MIB", "0")
    with pytest.raises(ExtractError, match="FRONTDOOR_JSON_MAX_MIB"):
        read_csc_api(files_of(folder, "csc_api"))


AS_AT = dt.date(2014, 3, 31)


def test_a_run_on_a_generated_payload(tmp_path: Path) -> None:
    frames = simulate(400, 11)
    folder = tmp_path / "api"
    write_csc_api(frames, folder, AS_AT, la_code=318)
    frames["population"].write_csv(folder / "population.csv")
    run = run_pipeline(folder, tmp_path / "out", AS_AT)
    con = duckdb.connect(str(run.warehouse), read_only=True)
    try:
        written = {
            r[0]
            for r in con.execute("SELECT DISTINCT metric_id FROM marts.metric_values").fetchall()
        }
        assert not written & unsupported("csc_api")
        assert {
            "referrals",
            "single_assessment_timely_pct",
            "cp_plans_open",
            "s47_enquiries",
        } <= written
        fmt, readings = con.execute("SELECT input_format, readings FROM marts.run_info").fetchone()
        assert fmt == "csc_api" and readings.startswith("child_and_family_assessment_is_single")
        assert con.execute("SELECT la_code FROM audit.return_info").fetchone() == ("318",)
    finally:
        con.close()
