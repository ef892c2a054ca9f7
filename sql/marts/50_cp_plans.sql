-- requires: staging.cp_plans
--
-- Child protection plans: how many, how many start and end, repeat plans and long plans.
-- Metrics (spec/metrics.md): cp_plans_open, cp_plans_started, cp_plans_ended,
-- cp_second_or_subsequent_pct, cp_plans_2y_plus_pct, cp_ended_2y_plus_pct.
-- Why: the 2010 letter saw CP plans double; repeat plans and plans lasting two years or more are
-- the DfE's signs that protection is not working.
-- Breakdown: the plan's team. cp_plans_open counts children, so a child with two plans open at T
-- is counted once, under the team of the open plan that started last (ties: lowest plan_id), and
-- the team rows sum to ALL.
-- Also builds marts.fact_cp_children_open (period x child with a plan open at the period end),
-- which 51_cp_rate.sql and 56_cp_allocated.sql read.

-- Row-level fact: one row per plan as it stood on as_at. 52/54/56 add review, visit and
-- allocation columns when their extracts are present.
CREATE OR REPLACE TABLE marts.fact_cp_plans AS
WITH
run AS (
    SELECT getvariable('as_at')::DATE AS as_at
),

-- import: plans started by as_at; an end after as_at has not happened yet
plans AS (
    SELECT
        p.plan_id,
        p.child_id,
        p.referral_id,
        marts.team_label(p.team) AS team,
        p.start_date,
        CASE WHEN p.end_date <= r.as_at THEN p.end_date END AS end_date,
        p.initial_category,
        p.latest_category,
        p.number_of_previous_plans,
        r.as_at
    FROM staging.cp_plans AS p
    CROSS JOIN run AS r
    WHERE p.start_date <= r.as_at
),

-- logic: does the child have a plan with an earlier start in the data?
with_history AS (
    SELECT
        *,
        start_date > min(start_date) OVER (PARTITION BY child_id) AS has_earlier_plan_in_data
    FROM plans
)

SELECT
    plan_id,
    child_id,
    referral_id,
    team,
    start_date,
    end_date,
    initial_category,
    latest_category,
    number_of_previous_plans,
    has_earlier_plan_in_data,
    -- blank or not a number (NULL in staging) is not >= 1
    coalesce(number_of_previous_plans >= 1, false) OR has_earlier_plan_in_data
        AS second_or_subsequent,
    end_date IS NULL AS open_at_as_at,
    coalesce(end_date, as_at) - start_date AS duration_days,
    -- calendar years, clamped to month end: 2012-02-29 + 2 years = 2014-02-28
    (start_date + INTERVAL 2 YEAR)::DATE AS two_years_after_start,
    -- cp_plans_2y_plus_pct's test at as_at, literally start <= T - 2 years
    end_date IS NULL AND start_date <= (as_at - INTERVAL 2 YEAR)::DATE AS open_2y_plus_at_as_at,
    -- cp_ended_2y_plus_pct's test, literally end >= start + 2 years
    end_date IS NOT NULL AND end_date >= (start_date + INTERVAL 2 YEAR)::DATE AS ended_2y_plus
FROM with_history;

COMMENT ON TABLE marts.fact_cp_plans IS 'One row per child protection plan started on or before as_at, as it stood on as_at (an end after as_at is blank). Behind the cp_* metrics; review, visit and allocation columns are added when cp_reviews, cp_visits and allocations+workers are present.';
COMMENT ON COLUMN marts.fact_cp_plans.plan_id IS 'The plan (cp_plans.csv plan_id).';
COMMENT ON COLUMN marts.fact_cp_plans.child_id IS 'The child.';
COMMENT ON COLUMN marts.fact_cp_plans.referral_id IS 'The referral (CIN episode) as recorded.';
COMMENT ON COLUMN marts.fact_cp_plans.team IS 'The plan''s team; blank as (none). The team breakdown of the plan metrics.';
COMMENT ON COLUMN marts.fact_cp_plans.start_date IS 'Plan start date.';
COMMENT ON COLUMN marts.fact_cp_plans.end_date IS 'Plan end date; NULL while open or when dated after as_at.';
COMMENT ON COLUMN marts.fact_cp_plans.initial_category IS 'Category of abuse at the start (NEG/PHY/SAB/EMO/MUL).';
COMMENT ON COLUMN marts.fact_cp_plans.latest_category IS 'Latest category of abuse, as recorded.';
COMMENT ON COLUMN marts.fact_cp_plans.number_of_previous_plans IS 'Previous plans as recorded (includes plans before the system''s history); NULL when blank or not a number.';
COMMENT ON COLUMN marts.fact_cp_plans.has_earlier_plan_in_data IS 'True when the same child has a plan with an earlier start date in the data.';
COMMENT ON COLUMN marts.fact_cp_plans.second_or_subsequent IS 'True when number_of_previous_plans >= 1 or has_earlier_plan_in_data: the plan counts in the numerator of cp_second_or_subsequent_pct.';
COMMENT ON COLUMN marts.fact_cp_plans.open_at_as_at IS 'True when the plan has no end on or before as_at.';
COMMENT ON COLUMN marts.fact_cp_plans.duration_days IS 'Calendar days from start to end, or to as_at while open.';
COMMENT ON COLUMN marts.fact_cp_plans.two_years_after_start IS 'start_date + 2 calendar years, clamped to month end (2012-02-29 -> 2014-02-28).';
COMMENT ON COLUMN marts.fact_cp_plans.open_2y_plus_at_as_at IS 'True when open at as_at and start_date <= as_at - 2 years (cp_plans_2y_plus_pct numerator at as_at).';
COMMENT ON COLUMN marts.fact_cp_plans.ended_2y_plus IS 'True when ended on or before as_at and end_date >= start_date + 2 years (cp_ended_2y_plus_pct numerator).';

-- One row per period and child with a plan open at the period end, with the team that child is
-- counted under (the open plan that started last; ties: lowest plan_id).
CREATE OR REPLACE TABLE marts.fact_cp_children_open AS
WITH
periods AS (
    SELECT period_type, period_label, period_start, period_end FROM marts.periods
),

plans AS (
    SELECT plan_id, child_id, team, start_date, end_date FROM marts.fact_cp_plans
),

-- open at T: started on or before T and not ended on or before T
open_plans AS (
    SELECT p.period_type, p.period_label, p.period_end, c.*
    FROM plans AS c
    JOIN periods AS p
        ON c.start_date <= p.period_end
        AND coalesce(c.end_date, DATE '9999-12-31') > p.period_end
),

ranked AS (
    SELECT
        *,
        count(*) OVER (PARTITION BY period_type, period_label, child_id) AS open_plans,
        row_number() OVER (
            PARTITION BY period_type, period_label, child_id ORDER BY start_date DESC, plan_id
        ) AS rn
    FROM open_plans
)

SELECT period_type, period_label, period_end, child_id, plan_id, team, open_plans
FROM ranked
WHERE rn = 1;

COMMENT ON TABLE marts.fact_cp_children_open IS 'One row per reporting period and child with a child protection plan open at the period end (cp_plans_open).';
COMMENT ON COLUMN marts.fact_cp_children_open.period_type IS 'month or financial_year.';
COMMENT ON COLUMN marts.fact_cp_children_open.period_label IS 'The period, as in marts.periods.';
COMMENT ON COLUMN marts.fact_cp_children_open.period_end IS 'The snapshot date T.';
COMMENT ON COLUMN marts.fact_cp_children_open.child_id IS 'The child on a plan at T.';
COMMENT ON COLUMN marts.fact_cp_children_open.plan_id IS 'The open plan that started last (ties: lowest plan_id); gives the team.';
COMMENT ON COLUMN marts.fact_cp_children_open.team IS 'The team the child is counted under at T: that plan''s team.';
COMMENT ON COLUMN marts.fact_cp_children_open.open_plans IS 'How many plans the child had open at T (more than 1 is a data issue).';

CREATE OR REPLACE TABLE marts.metrics_cp_plans AS
WITH
periods AS (
    SELECT period_type, period_label, period_start, period_end FROM marts.periods
),

plans AS (
    SELECT * FROM marts.fact_cp_plans
),

children_open AS (
    SELECT * FROM marts.fact_cp_children_open
),

-- each plan once under ALL and once under its team
plans_bd AS (
    SELECT p.*, 'all' AS breakdown, 'ALL' AS breakdown_value FROM plans AS p
    UNION ALL
    SELECT p.*, 'team' AS breakdown, p.team AS breakdown_value FROM plans AS p
),

breakdowns AS (
    SELECT 'all' AS breakdown, 'ALL' AS breakdown_value
    UNION
    SELECT DISTINCT 'team', team FROM plans
),

spine AS (
    SELECT p.*, b.breakdown, b.breakdown_value
    FROM periods AS p
    CROSS JOIN breakdowns AS b
),

open_children AS (
    SELECT period_type, period_label, 'all' AS breakdown, 'ALL' AS breakdown_value, count(*) AS n
    FROM children_open
    GROUP BY ALL
    UNION ALL
    SELECT period_type, period_label, 'team', team, count(*)
    FROM children_open
    GROUP BY ALL
),

started AS (
    SELECT
        p.period_type, p.period_label, c.breakdown, c.breakdown_value,
        count(*) AS n,
        count(*) FILTER (WHERE c.second_or_subsequent) AS n_repeat
    FROM plans_bd AS c
    JOIN marts.period_days AS p ON p.date = c.start_date
    GROUP BY ALL
),

ended AS (
    SELECT
        p.period_type, p.period_label, c.breakdown, c.breakdown_value,
        count(*) AS n,
        count(*) FILTER (WHERE c.ended_2y_plus) AS n_2y
    FROM plans_bd AS c
    JOIN marts.period_days AS p ON p.date = c.end_date
    GROUP BY ALL
),

-- plans (not children) open at T, and those with start <= T - 2 years
open_plans AS (
    SELECT
        p.period_type, p.period_label, c.breakdown, c.breakdown_value,
        count(*) AS n,
        count(*) FILTER (WHERE c.start_date <= (p.period_end - INTERVAL 2 YEAR)::DATE) AS n_2y
    FROM plans_bd AS c
    JOIN periods AS p
        ON c.start_date <= p.period_end
        AND coalesce(c.end_date, DATE '9999-12-31') > p.period_end
    GROUP BY ALL
),

joined AS (
    SELECT
        s.*,
        coalesce(oc.n, 0) AS children_open,
        coalesce(st.n, 0) AS started,
        coalesce(st.n_repeat, 0) AS started_repeat,
        coalesce(en.n, 0) AS ended,
        coalesce(en.n_2y, 0) AS ended_2y,
        coalesce(op.n, 0) AS plans_open,
        coalesce(op.n_2y, 0) AS plans_open_2y
    FROM spine AS s
    LEFT JOIN open_children AS oc USING (period_type, period_label, breakdown, breakdown_value)
    LEFT JOIN started AS st USING (period_type, period_label, breakdown, breakdown_value)
    LEFT JOIN ended AS en USING (period_type, period_label, breakdown, breakdown_value)
    LEFT JOIN open_plans AS op USING (period_type, period_label, breakdown, breakdown_value)
),

-- one row per metric: (metric_id, numerator, denominator, value)
unpivoted AS (
    SELECT j.*, m.*
    FROM joined AS j
    CROSS JOIN LATERAL (
        VALUES
            ('cp_plans_open', j.children_open, NULL, j.children_open),
            ('cp_plans_started', j.started, NULL, j.started),
            ('cp_plans_ended', j.ended, NULL, j.ended),
            ('cp_second_or_subsequent_pct', j.started_repeat, j.started,
                marts.pct(j.started_repeat, j.started)),
            ('cp_plans_2y_plus_pct', j.plans_open_2y, j.plans_open,
                marts.pct(j.plans_open_2y, j.plans_open)),
            ('cp_ended_2y_plus_pct', j.ended_2y, j.ended, marts.pct(j.ended_2y, j.ended))
    ) AS m(metric_id, numerator, denominator, value)
)

SELECT
    metric_id,
    period_type,
    period_label,
    period_start,
    period_end,
    breakdown,
    breakdown_value,
    numerator::DOUBLE AS numerator,
    denominator::DOUBLE AS denominator,
    value::DOUBLE AS value
FROM unpivoted;

COMMENT ON TABLE marts.metrics_cp_plans IS 'CP plan family of marts.metric_values: cp_plans_open, cp_plans_started, cp_plans_ended, cp_second_or_subsequent_pct, cp_plans_2y_plus_pct, cp_ended_2y_plus_pct by period and team.';
