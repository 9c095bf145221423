// large_family: a parent with at least $large_family_min_children dependent children at their home;
// the mother, or the father when every mother of those children is dead or has none at her home.
// dependent child: alive, under 18, or under 23 with a student fact covering $as_of.
MATCH (p:Person)-[l:PARENT_OF]->(c:Person)
WHERE (l.until IS NULL OR l.until > $as_of) AND p.address_id <> '' AND c.address_id = p.address_id
  AND (p.death_date IS NULL OR p.death_date > $as_of)
  AND (c.death_date IS NULL OR c.death_date > $as_of) AND c.birth_date <= $as_of
  AND c.birth_date > $student_born_by AND (c.birth_date > $adult_born_by OR (c.birth_date > $student_born_by AND EXISTS {
        MATCH (c)-[:HAS_FACT]->(s:Fact)
        WHERE s.type = 'student' AND s.valid_from <= $as_of AND (s.valid_to IS NULL OR s.valid_to >= $as_of) }))
WITH p, count(DISTINCT c.iin) AS children
WHERE children >= $large_family_min_children
  AND NOT EXISTS {
    MATCH (p)-[:HAS_FACT]->(b:Fact)
    WHERE b.type = 'benefit' AND b.benefit = 'large_family'
      AND b.valid_from <= $as_of AND (b.valid_to IS NULL OR b.valid_to >= $as_of)
  }
// the mothers (alive) of a father's counted children, then their dependants at their own home
OPTIONAL MATCH (p)-[l1:PARENT_OF]->(c1:Person)<-[l2:PARENT_OF]-(m:Person)
  WHERE p.sex = 'M' AND m.sex = 'F' AND (m.death_date IS NULL OR m.death_date > $as_of)
    AND (l1.until IS NULL OR l1.until > $as_of) AND (l2.until IS NULL OR l2.until > $as_of)
    AND c1.address_id = p.address_id
    AND (c1.death_date IS NULL OR c1.death_date > $as_of) AND c1.birth_date <= $as_of
    AND c1.birth_date > $student_born_by AND (c1.birth_date > $adult_born_by OR EXISTS {
          MATCH (c1)-[:HAS_FACT]->(s1:Fact)
          WHERE s1.type = 'student' AND s1.valid_from <= $as_of AND (s1.valid_to IS NULL OR s1.valid_to >= $as_of) })
WITH DISTINCT p, children, m
OPTIONAL MATCH (m)-[l3:PARENT_OF]->(c2:Person)
  WHERE (l3.until IS NULL OR l3.until > $as_of) AND m.address_id <> '' AND c2.address_id = m.address_id
    AND (c2.death_date IS NULL OR c2.death_date > $as_of) AND c2.birth_date <= $as_of
    AND c2.birth_date > $student_born_by AND (c2.birth_date > $adult_born_by OR EXISTS {
          MATCH (c2)-[:HAS_FACT]->(s2:Fact)
          WHERE s2.type = 'student' AND s2.valid_from <= $as_of AND (s2.valid_to IS NULL OR s2.valid_to >= $as_of) })
WITH p, children, count(c2) AS mothers_children_at_home
WHERE p.sex = 'F' OR mothers_children_at_home = 0
RETURN p.iin AS iin, NULL AS subject, NULL AS event, children
