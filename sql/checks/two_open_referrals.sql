-- rule: two_open_referrals
-- severity: warning
-- for: referrals
-- requires: staging.referrals
-- A referral dated while an earlier-dated referral of the same child is still open (no
-- closure_date, or closed after this referral's date). Two referrals of one child on the same
-- date are one double-keyed referral (docs/metrics.md), not an overlap, so only strictly
-- earlier dates are compared.
WITH ordered AS (
    SELECT
        _source_file,
        _line,
        referral_id,
        referral_date,
        max(coalesce(closure_date, DATE '9999-12-31')) OVER (
            PARTITION BY child_id ORDER BY referral_date
            RANGE BETWEEN UNBOUNDED PRECEDING AND INTERVAL 1 DAY PRECEDING
        ) AS open_until
    FROM staging.{stem}
)

SELECT
    _source_file,
    _line,
    'dated while an earlier referral of the child is open' AS detail
FROM ordered
WHERE open_until > referral_date
