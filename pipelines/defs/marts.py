"""marts.*: one asset per table of sql/marts/ (the row-level facts and each metric family), and
marts.metric_values, the union of the families. One step makes whichever of them are selected,
in the order of what each reads (pipelines/marts/build.py)."""

from collections.abc import Iterator

import dagster as dg

from pipelines.defs.metadata import KINDS, tables_metadata
from pipelines.marts.build import METRIC_VALUES, build_marts, models
from pipelines.run.progress import report
from pipelines.run.warehouse import POOL, Warehouse

RUN_INFO = dg.AssetKey(["marts", "run_info"])


def _key(table: str) -> dg.AssetKey:
    return dg.AssetKey(table.split("."))


def marts_specs() -> list[dg.AssetSpec]:
    specs = [
        dg.AssetSpec(
            ["marts", m.name],
            deps=sorted({RUN_INFO, *(_key(t) for t in m.reads)}, key=str),
            description=m.description,
            group_name="metrics" if m.name.startswith("metrics_") else "marts",
            kinds={*KINDS, "sql"},
        )
        for m in models()
    ]
    families = [m.name for m in models() if m.name.startswith("metrics_")]
    specs.append(
        dg.AssetSpec(
            ["marts", METRIC_VALUES],
            deps=[
                RUN_INFO,
                dg.AssetKey(["audit", "withheld_metrics"]),
                *(dg.AssetKey(["marts", f]) for f in families),
            ],
            description="Every figure: one row per metric, period and breakdown, the union of "
            "the metric families less what the input format cannot support.",
            group_name="metrics",
            kinds={*KINDS, "sql"},
        )
    )
    return specs


@dg.multi_asset(specs=marts_specs(), name="marts", can_subset=True, pool=POOL)
def marts(
    context: dg.AssetExecutionContext, warehouse: Warehouse
) -> Iterator[dg.MaterializeResult]:
    """The facts behind every figure, the metric families and marts.metric_values."""
    selected = {key.path[-1] for key in context.selected_asset_keys}
    with warehouse.connect(transaction=False) as con:
        result = build_marts(con, selected)
        done = set(result.built) | set(result.dropped)
        # Dagster wants a multi-asset's results in the order of their dependencies.
        names = [m.name for m in models() if m.name in done]
        names += [n for n in (METRIC_VALUES,) if n in done]
        described = tables_metadata(con, [f"marts.{name}" for name in names])
        for name in names:
            yield dg.MaterializeResult(
                asset_key=["marts", name],
                metadata={
                    **described[f"marts.{name}"],
                    **(
                        {"seconds": round(result.seconds[name], 3)}
                        if name in result.seconds
                        else {}
                    ),
                },
            )
        if METRIC_VALUES in result.built:
            rows, metrics = con.execute(
                "SELECT count(*), count(DISTINCT metric_id) FROM marts.metric_values"
            ).fetchall()[0]
    if result.withheld:
        report(
            context,
            f"not supported by this input format, not written: {', '.join(result.withheld)}",
        )
    if METRIC_VALUES in result.built:
        report(
            context,
            f"marts: {rows:,} metric values, {metrics} metrics, as at {result.as_at}, "
            f"{len(result.dropped)} tables not made for absent inputs",
        )
    else:
        report(context, f"marts: {', '.join(result.built) or 'nothing'} made")
