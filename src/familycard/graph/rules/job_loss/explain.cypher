// job_loss, for one person ($iin): each of their unemployed registrations.
MATCH (p:Person {iin: $iin})-[:HAS_FACT]->(u:Fact)
WHERE u.type = 'unemployed'
UNWIND $all_months AS m
WITH p, u, m.first_day AS month_start, m.lookback_from AS lookback_from, m.last_day AS month_end
WHERE u.valid_from >= month_start AND u.valid_from <= month_end
OPTIONAL MATCH (p)-[:HAS_FACT]->(c:Fact)
  WHERE c.type = 'contribution' AND c.valid_from >= lookback_from AND c.valid_from < month_start
WITH p, u, month_start, lookback_from, count(DISTINCT c.month) AS contribution_months
OPTIONAL MATCH (p)-[:HAS_FACT]->(i:Fact)
  WHERE i.type = 'income' AND i.valid_from >= lookback_from AND i.valid_from < month_start
WITH p, u, contribution_months, coalesce(sum(i.amount_kzt), 0) AS income_total, count(i) AS income_months
OPTIONAL MATCH (p)-[:HAS_FACT]->(b:Fact)
  WHERE b.type = 'benefit' AND b.benefit = 'job_loss'
    AND b.valid_from <= $as_of AND (b.valid_to IS NULL OR b.valid_to >= $as_of)
WITH p, u, contribution_months, income_total, income_months, count(b) AS receiving
RETURN p.iin AS iin, NULL AS subject, u.valid_from AS event, u.valid_from AS registered,
       $registered_since AS registered_since, contribution_months, income_total, income_months,
       u.valid_from >= $registered_since AND u.valid_from <= $as_of
         AND (u.valid_to IS NULL OR u.valid_to >= $as_of) AS registered_recently,
       contribution_months >= $min_contribution_months AS enough_contributions,
       p.death_date IS NULL OR p.death_date > $as_of AS alive, receiving = 0 AS not_receiving
