-- requires: marts.fact_referrals, marts.fact_referral_allocations, marts.fact_allocations,
-- requires: marts.fact_case_intervals, marts.periods, marts.period_days, ref.calendar
-- marts.metrics_allocations: allocation_delay_median_wd and allocated_within_5wd_pct (over the
-- period's merged referrals that are not NFA, by the referral's team), unallocated_open_cases
-- (children with an open case and no qualified allocation open at period_end, by the team of
-- the child's most recently started open case) and unallocated_wait_median_wd (how long those
-- children have waited: the median of wd(the start of their current wait, period_end)).

CREATE OR REPLACE TABLE marts.metrics_allocations AS
WITH

-- Each merged referral with its allocation (one row each side, joined on the referral).
referrals AS (
    SELECT r.*, a.allocation_date, a.allocation_delay_wd, a.allocated_within_5wd,
        a.allocation_window_running
    FROM marts.fact_referrals AS r
    INNER JOIN marts.fact_referral_allocations AS a USING (referral_key)
),

cases AS (
    SELECT * FROM marts.fact_case_intervals
),

qualified AS (
    SELECT child_id, qualified_start, qualified_end
    FROM marts.fact_allocations
    WHERE qualified_start IS NOT NULL
),

-- Event measures: referrals that are not NFA, in the period of their referral date.
referred AS (
    SELECT pd.period_type, pd.period_label, r.*
    FROM referrals AS r
    INNER JOIN marts.period_days AS pd ON pd.date = r.referral_date
    WHERE NOT r.nfa
),

-- The snapshot depends on the date T only, so it is taken once per distinct period end (a
-- financial year's end is also a month's) on a DATE key, and joined back to the periods after.
period_ends AS (
    SELECT DISTINCT period_end FROM marts.periods
),

-- Each child's cases in the order that picks its team: most recently started first, a tie to
-- the plan, then the lowest key. Ranked once per child (a few rows), not once per period.
ranked_cases AS (
    SELECT
        child_id, start_date, end_date, team_label,
        row_number() OVER (
            PARTITION BY child_id ORDER BY start_date DESC, source, source_key
        ) AS case_order
    FROM cases
),

-- Snapshot at T: each child's cases open then ...
open_at_end AS (
    SELECT e.period_end, c.child_id, c.start_date, c.team_label, c.case_order
    FROM ranked_cases AS c
    INNER JOIN period_ends AS e
        ON c.start_date <= e.period_end
        AND coalesce(c.end_date, DATE '9999-12-31') > e.period_end
),

-- ... less those of children with a qualified allocation open then (matched on the child, a
-- few allocations each, and T) ...
unallocated_cases AS (
    SELECT o.*
    FROM open_at_end AS o
    ANTI JOIN qualified AS q
        ON q.child_id = o.child_id
        AND q.qualified_start <= o.period_end
        AND coalesce(q.qualified_end, DATE '9999-12-31') > o.period_end
),

-- ... one row per child and T, under the team of its first-ranked open case (one team per
-- child, so the teams sum to the whole), with the earliest start of its open cases.
unallocated_at_end AS (
    SELECT
        period_end, child_id, arg_min(team_label, case_order) AS team_label,
        min(start_date) AS earliest_open_start
    FROM unallocated_cases
    GROUP BY period_end, child_id
),

-- The end of each waiting child's last qualified allocation before or at T (its end_date or its
-- worker's leaving, whichever is first: fact_allocations.qualified_end). Joined from the waiting
-- children, so only their few allocations are read.
last_allocation_end AS (
    SELECT u.period_end, u.child_id, max(q.qualified_end) AS last_end
    FROM unallocated_at_end AS u
    INNER JOIN qualified AS q
        ON q.child_id = u.child_id AND q.qualified_end <= u.period_end
    GROUP BY u.period_end, u.child_id
),

-- The current wait starts at the later of the two (greatest ignores a NULL: never allocated).
waits AS (
    SELECT
        u.period_end, u.child_id, u.team_label,
        tc.wd_index - wc.wd_index AS wait_wd
    FROM unallocated_at_end AS u
    LEFT JOIN last_allocation_end AS l USING (period_end, child_id)
    INNER JOIN ref.calendar AS wc ON wc.date = greatest(u.earliest_open_start, l.last_end)
    INNER JOIN ref.calendar AS tc ON tc.date = u.period_end
),

unallocated AS (
    SELECT p.period_type, p.period_label, w.child_id, w.team_label, w.wait_wd
    FROM waits AS w
    INNER JOIN marts.periods AS p USING (period_end)
),

referral_cases AS (
    SELECT
        'allocation_delay_median_wd' AS metric_id, period_type, period_label,
        marts.by_team(team_label) AS under, NULL AS n, NULL AS d, allocation_delay_wd AS x
    FROM referred
    UNION ALL
    SELECT
        'allocated_within_5wd_pct', period_type, period_label, marts.by_team(team_label),
        allocated_within_5wd::INT, (NOT allocation_window_running)::INT, NULL
    FROM referred
),

case_cases AS (
    SELECT
        'unallocated_open_cases' AS metric_id, period_type, period_label,
        marts.by_team(team_label) AS under, 1 AS n, NULL AS d, NULL AS x
    FROM unallocated
    UNION ALL
    SELECT
        'unallocated_wait_median_wd', period_type, period_label, marts.by_team(team_label),
        NULL, NULL, wait_wd
    FROM unallocated
),

-- Each metric's grid takes the breakdown values of its own entity: the referral teams for the
-- delay measures, the case teams for unallocated_open_cases.
referral_teams AS (
    SELECT marts.by_team(team_label) AS under FROM referrals WHERE NOT nfa
),

case_teams AS (
    SELECT marts.by_team(team_label) AS under FROM cases
)

SELECT * FROM marts.metric_family(referral_cases, referral_teams, [
    {'metric_id': 'allocation_delay_median_wd', 'kind': 'median'},
    {'metric_id': 'allocated_within_5wd_pct', 'kind': 'pct'}
])
UNION ALL
SELECT * FROM marts.metric_family(case_cases, case_teams, [
    {'metric_id': 'unallocated_open_cases', 'kind': 'count'},
    {'metric_id': 'unallocated_wait_median_wd', 'kind': 'median'}
]);

COMMENT ON TABLE marts.metrics_allocations IS 'The allocation family in metric_values shape: allocation_delay_median_wd, allocated_within_5wd_pct (by the referral''s team), unallocated_open_cases and unallocated_wait_median_wd (by the team of the child''s most recently started open case).';
