// work_capacity_loss: a disability covering $as_of with work_capacity_loss_percent >= the minimum,
// established in the 365 days up to $as_of, with enough contribution months in the 24 calendar
// months before the month it was established; income total and count over the same months.
MATCH (p:Person)-[:HAS_FACT]->(d:Fact)
WHERE d.type = 'disability' AND d.work_capacity_loss_percent >= $wcl_min_percent
  AND d.valid_from >= $disabled_since AND d.valid_from <= $as_of
  AND (d.valid_to IS NULL OR d.valid_to >= $as_of)
  AND (p.death_date IS NULL OR p.death_date > $as_of)
  AND NOT EXISTS {
    MATCH (p)-[:HAS_FACT]->(b:Fact)
    WHERE b.type = 'benefit' AND b.benefit = 'work_capacity_loss'
      AND b.valid_from <= $as_of AND (b.valid_to IS NULL OR b.valid_to >= $as_of)
  }
UNWIND $months AS m
WITH p, d, m.first_day AS month_start, m.lookback_from AS lookback_from, m.last_day AS month_end
WHERE d.valid_from >= month_start AND d.valid_from <= month_end
OPTIONAL MATCH (p)-[:HAS_FACT]->(c:Fact)
  WHERE c.type = 'contribution' AND c.valid_from >= lookback_from AND c.valid_from < month_start
WITH p, d, month_start, lookback_from, count(DISTINCT c.month) AS contribution_months
WHERE contribution_months >= $min_contribution_months
OPTIONAL MATCH (p)-[:HAS_FACT]->(i:Fact)
  WHERE i.type = 'income' AND i.valid_from >= lookback_from AND i.valid_from < month_start
WITH p, d, contribution_months, coalesce(sum(i.amount_kzt), 0) AS income_total, count(i) AS income_months
RETURN p.iin AS iin, NULL AS subject, d.valid_from AS event, d.work_capacity_loss_percent AS percent,
       contribution_months, income_total, income_months
