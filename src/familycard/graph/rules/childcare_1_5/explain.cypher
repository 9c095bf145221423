// childcare_1_5, for one person ($iin): each of their children or wards, and themselves as a child.
MATCH (x:Person {iin: $iin})
OPTIONAL MATCH (x)-[:PARENT_OF|GUARDIAN_OF]->(k:Person)
WITH x, collect(k.iin) AS kids
UNWIND kids + [x.iin] AS ci
MATCH (c:Person) WHERE c.iin = ci
OPTIONAL MATCH (m:Person)-[lm:PARENT_OF]->(c)
  WHERE m.sex = 'F' AND (lm.until IS NULL OR lm.until > $as_of)
WITH c, min(m.iin) AS mother,
     min(CASE WHEN m.death_date IS NULL OR m.death_date > $as_of THEN m.iin END) AS living_mother
OPTIONAL MATCH (f:Person)-[lf:PARENT_OF]->(c)
  WHERE f.sex = 'M' AND (lf.until IS NULL OR lf.until > $as_of)
WITH c, mother, living_mother, min(f.iin) AS father,
     min(CASE WHEN f.death_date IS NULL OR f.death_date > $as_of THEN f.iin END) AS living_father
OPTIONAL MATCH (g:Person)-[lg:GUARDIAN_OF]->(c)
  WHERE (lg.since IS NULL OR lg.since <= $as_of) AND (lg.until IS NULL OR lg.until > $as_of)
    AND (g.death_date IS NULL OR g.death_date > $as_of)
WITH c, mother, living_mother, father, living_father, min(g.iin) AS guardian
WITH c, coalesce(mother, father) AS order_parent, coalesce(living_mother, living_father, guardian) AS carer
OPTIONAL MATCH (c)<-[:PARENT_OF]-(op:Person)-[lo:PARENT_OF]->(s:Person)
  WHERE op.iin = order_parent AND (lo.until IS NULL OR lo.until > $as_of)
    AND (s.birth_date < c.birth_date OR (s.birth_date = c.birth_date AND s.iin < c.iin))
WITH c, carer, count(DISTINCT s.iin) AS older
OPTIONAL MATCH (r:Person)-[:PARENT_OF|GUARDIAN_OF]->(c) WHERE r.iin = carer
OPTIONAL MATCH (r)-[:HAS_FACT]->(e:Fact)
  WHERE e.type = 'employment' AND e.valid_from <= $as_of AND (e.valid_to IS NULL OR e.valid_to >= $as_of)
WITH c, carer, older, r, count(e) AS jobs
OPTIONAL MATCH (r)-[:HAS_FACT]->(b:Fact)
  WHERE b.type = 'benefit' AND b.benefit = 'childcare_1_5'
    AND b.valid_from <= $as_of AND (b.valid_to IS NULL OR b.valid_to >= $as_of)
WITH c, carer, older, jobs, count(b) AS receiving
RETURN DISTINCT carer AS iin, c.iin AS subject, c.birth_date AS event, older + 1 AS birth_order,
       c.birth_date AS birth_date, $born_after AS born_after, carer,
       c.birth_date > $born_after AND c.birth_date <= $as_of AS under_18_months,
       c.death_date IS NULL OR c.death_date > $as_of AS child_alive,
       carer IS NOT NULL AS has_carer, jobs = 0 AS carer_not_employed, receiving = 0 AS not_receiving
