-- requires: marts.fact_s47_enquiries, marts.period_days, marts.periods
--
-- What section 47 enquiries lead to (docs/metrics.md v5: s47_to_icpc_pct, icpc_to_plan_pct).
-- Why: the 2013 letter's "working with the police" questions; DfE publishes the S47 -> ICPC ->
-- plan counts nationally.
-- s47_to_icpc_pct: enquiries with strategy_discussion_date in the period, not transfer-ins,
-- whose outcome is known by as_at (an ICPC held, icpc_not_required = Y, or the enquiry ended;
-- dates after as_at are blank in fact_s47_enquiries); numerator those with an ICPC. An enquiry
-- still open with no conference and no decision is left out: its outcome is not yet known.
-- icpc_to_plan_pct: ICPCs held in the period (icpc_date), not transfer-ins; numerator those with
-- icpc_resulted_in_plan = Y. Breakdown: the enquiry's team.

CREATE OR REPLACE TABLE marts.metrics_s47_outcomes AS
WITH
cases AS (
    SELECT
        's47_to_icpc_pct' AS metric_id, p.period_type, p.period_label,
        marts.by_team(e.team) AS under, (e.icpc_date IS NOT NULL)::INT AS n, 1 AS d, NULL AS x
    FROM marts.fact_s47_enquiries AS e
    JOIN marts.period_days AS p ON p.date = e.strategy_date
    WHERE NOT e.icpc_transfer_in
        AND (e.icpc_date IS NOT NULL OR e.icpc_not_required OR e.end_date IS NOT NULL)
    UNION ALL
    SELECT
        'icpc_to_plan_pct', p.period_type, p.period_label, marts.by_team(e.team),
        marts.is_y(e.icpc_resulted_in_plan)::INT, 1, NULL
    FROM marts.fact_s47_enquiries AS e
    JOIN marts.period_days AS p ON p.date = e.icpc_date
    WHERE NOT e.icpc_transfer_in
),

breakdowns AS (
    SELECT marts.by_team(team) AS under FROM marts.fact_s47_enquiries
)

SELECT * FROM marts.metric_family(cases, breakdowns, [
    {'metric_id': 's47_to_icpc_pct', 'kind': 'pct'},
    {'metric_id': 'icpc_to_plan_pct', 'kind': 'pct'}
]);

COMMENT ON TABLE marts.metrics_s47_outcomes IS 's47_to_icpc_pct and icpc_to_plan_pct for marts.metric_values, by period and enquiry team.';
