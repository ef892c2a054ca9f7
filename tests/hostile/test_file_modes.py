"""Nothing frontdoor writes is readable by other users, whatever umask it was started with
(issue 19, item 3): the working warehouse and its log and spill files, the report being built,
the run lock, Dagster's history; published files are the group's to read, never the world's.

A single `frontdoor run` under umask 0022 is checked by tests/hostile/test_concurrent_runs.py,
whose two runs are started so (``assert_nothing_for_other_users``); a region here."""

from __future__ import annotations

from tests.hostile.modes import modes


def test_a_region_under_umask_0022_leaves_nothing_for_other_users(region_run):
    assert region_run.returncode == 0, region_run.console[-3000:]
    found = modes(region_run.output)
    status = region_run.output / "council-01" / ".frontdoor" / "region-status.json"
    daemon_log = region_run.output / "region" / ".frontdoor" / "daemon.log"
    assert found[status] == found[daemon_log] == 0o600
    assert {p: oct(m) for p, m in found.items() if m & 0o007} == {}
    # The way to each release is open to the group: the region folder, each council's, region/.
    assert found[region_run.output] == found[region_run.output / "region"] == 0o750
