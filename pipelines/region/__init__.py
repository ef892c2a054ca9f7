"""A regional hub: every council of a region folder run, then their figures side by side.

- ``rollup``: the region folder's councils, each council's status, and the roll-up warehouse;
- ``run``: `frontdoor region`, every council a partition run on Dagster's daemon, then the roll-up.

The Dagster assets are in pipelines/defs/region.py, the region's report in
pipelines/report/region.py and a generated region in pipelines/generate/region.py.
"""
