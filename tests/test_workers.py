"""The suite's own set-up: tests that share a run reach one pytest-xdist worker together."""

from __future__ import annotations

import os

import pytest


def test_each_test_carries_its_group_to_the_workers(request: pytest.FixtureRequest):
    """xdist's loadgroup reads a group from the end of a test's id; on pytest 9.2 it is not
    there and the groups are silently ignored (each worker then makes the region again)."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        pytest.skip("one process (-n 0): no workers to group for")
    assert request.node.nodeid.endswith("@tests/test_workers.py")
