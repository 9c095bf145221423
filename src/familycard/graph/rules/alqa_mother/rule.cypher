// alqa_mother: every living woman with an award dated on or before $as_of.
MATCH (p:Person)-[:HAS_FACT]->(a:Fact)
WHERE a.type = 'award' AND a.valid_from <= $as_of AND p.sex = 'F'
  AND (p.death_date IS NULL OR p.death_date > $as_of)
  AND NOT EXISTS {
    MATCH (p)-[:HAS_FACT]->(b:Fact)
    WHERE b.type = 'benefit' AND b.benefit = 'alqa_mother'
      AND b.valid_from <= $as_of AND (b.valid_to IS NULL OR b.valid_to >= $as_of)
  }
WITH p, collect(DISTINCT a.name) AS awards, min(a.valid_from) AS first_award
RETURN p.iin AS iin, NULL AS subject, first_award AS event, awards
