"""Staging: the readers' frames typed into ``staging.<stem>`` (unusable rows to ``quarantine``).

- ``build``: one extract's frame typed, keyed and split into staging and quarantine;
- ``calendar``: ``ref.calendar``, the working-day macro ``ref.wd`` and ``working_days``.
"""
