"""The marts: the metrics computed from staging by the SQL files of ``sql/marts/``.

- ``build``: runs the SQL files in the order of what each reads, ending in ``marts.metric_values``;
- ``metrics``: the metric catalogue (name, unit, definition, which input formats support it);
- ``run_info``: ``marts.run_info``, what the warehouse is and the as-at date every file reads.
"""
