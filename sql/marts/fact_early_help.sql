-- requires: staging.early_help, staging.children
-- marts.fact_early_help: one row per early-help episode starting on or before as_at, beside the
-- statutory record of its child (metrics_early_help_mismatch.sql).

CREATE OR REPLACE TABLE marts.fact_early_help AS
WITH
run AS (
    SELECT getvariable('as_at')::DATE AS as_at
),

-- import: episodes started by as_at; an end after as_at is blank
episodes AS (
    SELECT
        e.episode_id,
        e.child_id,
        e.date_of_birth,
        upper(trim(e.ethnicity)) AS ethnicity,
        e.start_date,
        CASE WHEN e.end_date <= run.as_at THEN e.end_date END AS end_date,
        e.source_referral_id
    FROM staging.early_help AS e
    CROSS JOIN run
    WHERE e.start_date <= run.as_at
),

children AS (
    SELECT child_id, date_of_birth, upper(trim(ethnicity)) AS ethnicity FROM staging.children
),

compared AS (
    SELECT
        e.*,
        c.child_id IS NOT NULL AS linked,
        c.date_of_birth AS statutory_date_of_birth,
        c.ethnicity AS statutory_ethnicity,
        coalesce(e.date_of_birth <> c.date_of_birth, false) AS date_of_birth_differs,
        coalesce(
            e.ethnicity <> c.ethnicity
                AND e.ethnicity NOT IN ('NOBT', 'REFU')
                AND c.ethnicity NOT IN ('NOBT', 'REFU'),
            false
        ) AS ethnicity_differs
    FROM episodes AS e
    LEFT JOIN children AS c ON c.child_id = e.child_id
)

SELECT
    episode_id,
    child_id,
    linked,
    start_date,
    end_date,
    source_referral_id,
    date_of_birth,
    statutory_date_of_birth,
    ethnicity,
    statutory_ethnicity,
    date_of_birth_differs,
    ethnicity_differs,
    date_of_birth_differs OR ethnicity_differs AS mismatch
FROM compared;

COMMENT ON TABLE marts.fact_early_help IS 'One row per early-help episode starting on or before as_at, compared with the child''s statutory record (early_help_mismatch_children).';
COMMENT ON COLUMN marts.fact_early_help.episode_id IS 'The episode in the early-help system.';
COMMENT ON COLUMN marts.fact_early_help.child_id IS 'The statutory child_id where the systems are linked; NULL = unlinked.';
COMMENT ON COLUMN marts.fact_early_help.linked IS 'True when child_id is present in children.csv.';
COMMENT ON COLUMN marts.fact_early_help.start_date IS 'Episode start: the period it belongs to.';
COMMENT ON COLUMN marts.fact_early_help.end_date IS 'Episode end; NULL while open or when dated after as_at.';
COMMENT ON COLUMN marts.fact_early_help.source_referral_id IS 'The statutory referral that stepped the family down, if any.';
COMMENT ON COLUMN marts.fact_early_help.date_of_birth IS 'Date of birth in the early-help system.';
COMMENT ON COLUMN marts.fact_early_help.statutory_date_of_birth IS 'Date of birth in children.csv.';
COMMENT ON COLUMN marts.fact_early_help.ethnicity IS 'Ethnicity code in the early-help system.';
COMMENT ON COLUMN marts.fact_early_help.statutory_ethnicity IS 'Ethnicity code in children.csv.';
COMMENT ON COLUMN marts.fact_early_help.date_of_birth_differs IS 'True when both dates of birth are held and differ.';
COMMENT ON COLUMN marts.fact_early_help.ethnicity_differs IS 'True when both ethnicities are held as codes other than NOBT and REFU and differ.';
COMMENT ON COLUMN marts.fact_early_help.mismatch IS 'date_of_birth_differs or ethnicity_differs (only possible for a linked episode).';
