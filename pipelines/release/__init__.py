"""Releases: what a run publishes, and what is read from a published release.

- ``releases``: the warehouse and report published as a pair, switched atomically, rolled back;
- ``export``: `frontdoor export --xlsx`, marts.metric_values of the current release for Excel.
"""
