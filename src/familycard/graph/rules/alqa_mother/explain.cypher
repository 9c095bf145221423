// alqa_mother, for one person ($iin).
MATCH (p:Person {iin: $iin})
OPTIONAL MATCH (p)-[:HAS_FACT]->(a:Fact)
  WHERE a.type = 'award' AND a.valid_from <= $as_of
WITH p, collect(DISTINCT a.name) AS awards, min(a.valid_from) AS first_award
OPTIONAL MATCH (p)-[:HAS_FACT]->(b:Fact)
  WHERE b.type = 'benefit' AND b.benefit = 'alqa_mother'
    AND b.valid_from <= $as_of AND (b.valid_to IS NULL OR b.valid_to >= $as_of)
WITH p, awards, first_award, count(b) AS receiving
RETURN p.iin AS iin, NULL AS subject, first_award AS event, awards, awards AS award_list,
       size(awards) > 0 AS awarded, p.sex = 'F' AS woman,
       p.death_date IS NULL OR p.death_date > $as_of AS alive, receiving = 0 AS not_receiving
