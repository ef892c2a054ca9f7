"""Running one council, and the machinery every run holds.

- ``job``: `frontdoor run`, the frontdoor job in this process, and what to say when it fails;
- ``warehouse``: the run's settings and the working warehouse (the Dagster resource);
- ``lock``: one run at a time on an output folder;
- ``instance``: the Dagster instance (DAGSTER_HOME and its dagster.yaml);
- ``abandoned``: runs that died marked failed at the next start;
- ``progress``: one line per step on the terminal and in Dagster's log.
"""
