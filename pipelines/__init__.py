"""frontdoor's pipeline. Importing it makes this process's files private (pipelines/private.py)
and holds its Polars threads to FRONTDOOR_THREADS (pipelines/cores.py): every entry point (the
`frontdoor` command, Dagster's code server, run workers and daemon) imports it before it writes
anything or imports Polars."""

from pipelines.cores import share_with_polars
from pipelines.private import keep_private

keep_private()
share_with_polars()
