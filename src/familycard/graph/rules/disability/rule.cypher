// disability: adults (18+) with group 1/2/3 covering $as_of get it themselves;
// children under 18 with group `child` get it through their carer.
MATCH (p:Person)-[:HAS_FACT]->(d:Fact)
WHERE d.type = 'disability' AND d.valid_from <= $as_of AND (d.valid_to IS NULL OR d.valid_to >= $as_of)
  AND d.disability_group IN ['1', '2', '3'] AND p.birth_date <= $adult_born_by
  AND (p.death_date IS NULL OR p.death_date > $as_of)
  AND NOT EXISTS {
    MATCH (p)-[:HAS_FACT]->(b:Fact)
    WHERE b.type = 'benefit' AND b.benefit = 'disability'
      AND b.valid_from <= $as_of AND (b.valid_to IS NULL OR b.valid_to >= $as_of)
  }
WITH p, min(d.disability_group) AS disability_group, min(d.valid_from) AS disabled_since
// a typed null: LadybugDB's UNION needs the same column types on both sides
RETURN p.iin AS iin, CASE WHEN false THEN p.iin END AS subject, disabled_since AS event, disability_group
UNION ALL
MATCH (c:Person)-[:HAS_FACT]->(d:Fact)
WHERE d.type = 'disability' AND d.valid_from <= $as_of AND (d.valid_to IS NULL OR d.valid_to >= $as_of)
  AND d.disability_group = 'child' AND c.birth_date > $adult_born_by AND c.birth_date <= $as_of
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
    WHERE b.type = 'benefit' AND b.benefit = 'disability'
      AND b.valid_from <= $as_of AND (b.valid_to IS NULL OR b.valid_to >= $as_of)
  }
WITH DISTINCT r, c, disabled_since
RETURN r.iin AS iin, c.iin AS subject, disabled_since AS event, 'child' AS disability_group
