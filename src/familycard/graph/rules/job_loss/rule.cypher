// job_loss: an unemployed registration covering $as_of that began in the 30 days up to it, with
// contributions in at least $min_contribution_months of the 24 calendar months before the month
// of registration; returns the income facts' total and count over those months.
// $months: one map per calendar month the registration may fall in (first_day, last_day,
// lookback_from = first day of the month 24 months earlier), computed in Python.
MATCH (p:Person)-[:HAS_FACT]->(u:Fact)
WHERE u.type = 'unemployed' AND u.valid_from >= $registered_since AND u.valid_from <= $as_of
  AND (u.valid_to IS NULL OR u.valid_to >= $as_of)
  AND (p.death_date IS NULL OR p.death_date > $as_of)
  AND NOT EXISTS {
    MATCH (p)-[:HAS_FACT]->(b:Fact)
    WHERE b.type = 'benefit' AND b.benefit = 'job_loss'
      AND b.valid_from <= $as_of AND (b.valid_to IS NULL OR b.valid_to >= $as_of)
  }
UNWIND $months AS m
WITH p, u, m.first_day AS month_start, m.lookback_from AS lookback_from, m.last_day AS month_end
WHERE u.valid_from >= month_start AND u.valid_from <= month_end
OPTIONAL MATCH (p)-[:HAS_FACT]->(c:Fact)
  WHERE c.type = 'contribution' AND c.valid_from >= lookback_from AND c.valid_from < month_start
WITH p, u, month_start, lookback_from, count(DISTINCT c.month) AS contribution_months
WHERE contribution_months >= $min_contribution_months
OPTIONAL MATCH (p)-[:HAS_FACT]->(i:Fact)
  WHERE i.type = 'income' AND i.valid_from >= lookback_from AND i.valid_from < month_start
WITH p, u, contribution_months, coalesce(sum(i.amount_kzt), 0) AS income_total, count(i) AS income_months
RETURN p.iin AS iin, NULL AS subject, u.valid_from AS event, contribution_months, income_total, income_months
