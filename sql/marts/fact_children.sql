-- requires: staging.children, marts.fact_referrals
-- marts.fact_children: one row per child in children.csv or referred by as_at, with whether its
-- ethnicity and religion are recorded (metrics_recording.sql).

CREATE OR REPLACE TABLE marts.fact_children AS
WITH
children AS (
    SELECT child_id, upper(trim(ethnicity)) AS ethnicity, nullif(trim(religion), '') AS religion
    FROM staging.children
),

referred AS (
    SELECT child_id, count(*) AS referrals, max(referral_date) AS latest_referral_date
    FROM marts.fact_referrals
    GROUP BY child_id
),

everyone AS (
    SELECT child_id FROM children
    UNION
    SELECT child_id FROM referred
)

SELECT
    e.child_id,
    c.child_id IS NOT NULL AS in_children_csv,
    c.ethnicity,
    -- the CBDS codes of contract.ETHNICITY_CODES less NOBT (not obtained); REFU was asked
    coalesce(
        c.ethnicity IN (
            'WBRI', 'WIRI', 'WIRT', 'WOTH', 'WROM', 'MWBC', 'MWBA', 'MWAS', 'MOTH', 'AIND',
            'APKN', 'ABAN', 'AOTH', 'BCRB', 'BAFR', 'BOTH', 'CHNE', 'OOTH', 'REFU'
        ),
        false
    ) AS ethnicity_recorded,
    c.religion,
    c.religion IS NOT NULL AS religion_recorded,
    coalesce(r.referrals, 0) AS referrals_to_as_at,
    r.latest_referral_date
FROM everyone AS e
LEFT JOIN children AS c USING (child_id)
LEFT JOIN referred AS r USING (child_id);

COMMENT ON TABLE marts.fact_children IS 'One row per child in children.csv or with a referral on or before as_at, with whether ethnicity and religion are recorded (ethnicity_recorded_pct, religion_recorded_pct).';
COMMENT ON COLUMN marts.fact_children.child_id IS 'The child.';
COMMENT ON COLUMN marts.fact_children.in_children_csv IS 'False for a referred child missing from children.csv (counted as not recorded).';
COMMENT ON COLUMN marts.fact_children.ethnicity IS 'The ethnicity code as held in children.csv (trimmed, upper case).';
COMMENT ON COLUMN marts.fact_children.ethnicity_recorded IS 'True when the ethnicity is a CBDS code other than NOBT (REFU, refused, counts: the question was asked).';
COMMENT ON COLUMN marts.fact_children.religion IS 'The religion as held in children.csv.';
COMMENT ON COLUMN marts.fact_children.religion_recorded IS 'True when the religion is not blank.';
COMMENT ON COLUMN marts.fact_children.referrals_to_as_at IS 'Merged referrals of the child dated on or before as_at.';
COMMENT ON COLUMN marts.fact_children.latest_referral_date IS 'The child''s latest referral date on or before as_at.';
