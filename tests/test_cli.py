"""The `frontdoor` command's own arguments (the run itself is tested end to end elsewhere)."""

from __future__ import annotations

import pytest

from pipelines.cli import main
from pipelines.contract import EXTRACTS


def test_generate_with_faults_writes_every_extract_and_names_each_fault(tmp_path, capsys):
    assert (
        main(["generate", "--children", "500", "--seed", "3", "--out", str(tmp_path), "--faults"])
        == 0
    )
    assert {p.name for p in tmp_path.glob("*.csv")} == {e.filename for e in EXTRACTS}
    out = capsys.readouterr().out
    planted = [line for line in out.splitlines() if line.strip().startswith("planted ")]
    assert planted and all(" line " in line and "column " in line for line in planted)


def test_run_refuses_a_date_that_is_not_iso(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["run", "--as-at", "31/03/2014"])
    assert stop.value.code == 2
    assert "is not a date (YYYY-MM-DD)" in capsys.readouterr().err


@pytest.mark.parametrize("amount", ["lots", "1G", "1 GB of RAM", "GB"])
def test_run_refuses_a_memory_limit_that_is_not_an_amount(amount, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["run", "--memory-limit", amount])
    assert stop.value.code == 2
    assert "is not an amount of memory such as 1GB or 512MB" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("written", "replaced"),
    [
        ("telemetry:\n  enabled: false\n", True),  # what bootstrap.py used to write
        ("# Written by frontdoor: an older version\ntelemetry:\n  enabled: false\n", True),
        ("# ours, by hand\ntelemetry:\n  enabled: false\n", False),
    ],
)
def test_dagster_yaml_written_by_frontdoor_is_brought_up_to_date(
    written, replaced, tmp_path, monkeypatch
):
    from pipelines.run.instance import ensure_dagster_home

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    (tmp_path / "dagster.yaml").write_text(written)
    ensure_dagster_home()
    now = (tmp_path / "dagster.yaml").read_text()
    assert (now != written) is replaced
    if replaced:
        assert "storage:\n  sqlite:\n" in now and f"base_dir: {tmp_path}\n" in now
