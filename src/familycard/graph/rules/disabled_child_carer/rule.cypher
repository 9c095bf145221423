// disabled_child_carer: the carer of every living child under 18 with a disability covering $as_of.
MATCH (c:Person)-[:HAS_FACT]->(d:Fact)
WHERE d.type = 'disability' AND d.valid_from <= $as_of AND (d.valid_to IS NULL OR d.valid_to >= $as_of)
  AND c.birth_date > $adult_born_by AND c.birth_date <= $as_of
  AND (c.death_date IS NULL OR c.death_date > $as_of)
WITH c, min(d.valid_from) AS disabled_since
OPTIONAL MATCH (m:Person)-[lm:PARENT_OF]->(c)
  WHERE m.sex = 'F' AND (lm.until IS NULL OR lm.until > $as_of) AND (m.death_date IS NULL OR m.death_date > $as_of)
WITH c, disabled_since, min(m.iin) AS living_mother
OPTIONAL MATCH (f:Person)-[lf:PARENT_OF]->(c)
  WHERE f.sex = 'M' AND (lf.until IS NULL OR lf.until > $as_of) AND (f.death_date IS NULL OR f.death_date > $as_of)
WITH c, disabled_since, living_mother, min(f.iin) AS living_father
OPTIONAL MATCH (g:Person)-[lg:GUARDIAN_OF]->(c)
  WHERE (lg.since IS NULL OR lg.since <= $as_of) AND (lg.until IS NULL OR lg.until > $as_of)
    AND (g.death_date IS NULL OR g.death_date > $as_of)
WITH c, disabled_since, living_mother, living_father, min(g.iin) AS guardian
WITH c, disabled_since, coalesce(living_mother, living_father, guardian) AS carer
WHERE carer IS NOT NULL
MATCH (r:Person)-[:PARENT_OF|GUARDIAN_OF]->(c)
WHERE r.iin = carer
  AND NOT EXISTS {
    MATCH (r)-[:HAS_FACT]->(b:Fact)
    WHERE b.type = 'benefit' AND b.benefit = 'disabled_child_carer'
      AND b.valid_from <= $as_of AND (b.valid_to IS NULL OR b.valid_to >= $as_of)
  }
RETURN DISTINCT r.iin AS iin, c.iin AS subject, disabled_since AS event
