"""frontdoor's pipeline. Importing it makes this process's files private (pipelines/private.py):
every entry point (the `frontdoor` command, Dagster's code server, run workers and daemon)
imports it before it writes anything."""

from pipelines.private import keep_private

keep_private()
