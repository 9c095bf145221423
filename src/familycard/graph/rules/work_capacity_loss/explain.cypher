// work_capacity_loss, for one person ($iin): each disability of theirs with a percentage.
MATCH (p:Person {iin: $iin})-[:HAS_FACT]->(d:Fact)
WHERE d.type = 'disability' AND d.work_capacity_loss_percent IS NOT NULL
UNWIND $all_months AS m
WITH p, d, m.first_day AS month_start, m.lookback_from AS lookback_from, m.last_day AS month_end
WHERE d.valid_from >= month_start AND d.valid_from <= month_end
OPTIONAL MATCH (p)-[:HAS_FACT]->(c:Fact)
  WHERE c.type = 'contribution' AND c.valid_from >= lookback_from AND c.valid_from < month_start
WITH p, d, month_start, lookback_from, count(DISTINCT c.month) AS contribution_months
OPTIONAL MATCH (p)-[:HAS_FACT]->(i:Fact)
  WHERE i.type = 'income' AND i.valid_from >= lookback_from AND i.valid_from < month_start
WITH p, d, contribution_months, coalesce(sum(i.amount_kzt), 0) AS income_total, count(i) AS income_months
OPTIONAL MATCH (p)-[:HAS_FACT]->(b:Fact)
  WHERE b.type = 'benefit' AND b.benefit = 'work_capacity_loss'
    AND b.valid_from <= $as_of AND (b.valid_to IS NULL OR b.valid_to >= $as_of)
WITH p, d, contribution_months, income_total, income_months, count(b) AS receiving
RETURN p.iin AS iin, NULL AS subject, d.valid_from AS event, d.valid_from AS established,
       $disabled_since AS disabled_since, d.work_capacity_loss_percent AS percent,
       contribution_months, income_total, income_months,
       d.valid_from >= $disabled_since AND d.valid_from <= $as_of
         AND (d.valid_to IS NULL OR d.valid_to >= $as_of) AS established_recently,
       d.work_capacity_loss_percent >= $wcl_min_percent AS enough_percent,
       contribution_months >= $min_contribution_months AS enough_contributions,
       p.death_date IS NULL OR p.death_date > $as_of AS alive, receiving = 0 AS not_receiving
