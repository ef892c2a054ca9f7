-- requires: marts.fact_s47_enquiries, staging.s47_enquiries, marts.period_days, marts.periods
-- requires columns: staging.s47_enquiries.strategy_police_attended
--
-- Police at strategy discussions (docs/metrics.md v5: strategy_police_pct). Why: the 2013
-- letter found the council and the police "not working closely enough".
-- Enquiries with strategy_discussion_date in the period; numerator those with
-- strategy_police_attended = Y (blank: not Y). Written only when the column holds a value
-- somewhere (an older extract lacks it: absent, not zero). Breakdown: the enquiry's team.

CREATE OR REPLACE TABLE marts.metrics_strategy_police AS
WITH
cases AS (
    SELECT
        'strategy_police_pct' AS metric_id, p.period_type, p.period_label,
        marts.by_team(e.team) AS under, marts.is_y(s.strategy_police_attended)::INT AS n,
        1 AS d, NULL AS x
    FROM marts.fact_s47_enquiries AS e
    JOIN staging.s47_enquiries AS s USING (s47_id)
    JOIN marts.period_days AS p ON p.date = e.strategy_date
),

breakdowns AS (
    SELECT marts.by_team(team) AS under FROM marts.fact_s47_enquiries
)

SELECT * FROM marts.metric_family(
    cases, breakdowns, [{'metric_id': 'strategy_police_pct', 'kind': 'pct'}]
);

COMMENT ON TABLE marts.metrics_strategy_police IS 'strategy_police_pct for marts.metric_values, by period and enquiry team (only when strategy_police_attended is recorded).';
