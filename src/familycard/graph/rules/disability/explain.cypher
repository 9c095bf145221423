// disability, for one person ($iin): themselves, and each of their children or wards.
MATCH (x:Person {iin: $iin})
OPTIONAL MATCH (x)-[:PARENT_OF|GUARDIAN_OF]->(k:Person)
WITH x, collect(k.iin) AS kids
UNWIND kids + [x.iin] AS ci
MATCH (p:Person) WHERE p.iin = ci
OPTIONAL MATCH (p)-[:HAS_FACT]->(d:Fact)
  WHERE d.type = 'disability' AND d.valid_from <= $as_of AND (d.valid_to IS NULL OR d.valid_to >= $as_of)
WITH p, min(CASE WHEN d.disability_group IN ['1', '2', '3'] THEN d.disability_group END) AS adult_group,
     min(CASE WHEN d.disability_group = 'child' THEN d.valid_from END) AS child_since,
     min(CASE WHEN d.disability_group IN ['1', '2', '3'] THEN d.valid_from END) AS adult_since,
     p.birth_date <= $adult_born_by AS adult
WITH p, adult,
     CASE WHEN adult AND adult_group IS NOT NULL THEN adult_group
          WHEN NOT adult AND child_since IS NOT NULL THEN 'child'
          ELSE coalesce(adult_group, CASE WHEN child_since IS NOT NULL THEN 'child' END) END AS disability_group,
     CASE WHEN adult AND adult_group IS NOT NULL THEN adult_since
          WHEN NOT adult AND child_since IS NOT NULL THEN child_since
          ELSE coalesce(adult_since, child_since) END AS disabled_since
OPTIONAL MATCH (m:Person)-[lm:PARENT_OF]->(p)
  WHERE m.sex = 'F' AND (lm.until IS NULL OR lm.until > $as_of) AND (m.death_date IS NULL OR m.death_date > $as_of)
WITH p, adult, disability_group, disabled_since, min(m.iin) AS living_mother
OPTIONAL MATCH (f:Person)-[lf:PARENT_OF]->(p)
  WHERE f.sex = 'M' AND (lf.until IS NULL OR lf.until > $as_of) AND (f.death_date IS NULL OR f.death_date > $as_of)
WITH p, adult, disability_group, disabled_since, living_mother, min(f.iin) AS living_father
OPTIONAL MATCH (g:Person)-[lg:GUARDIAN_OF]->(p)
  WHERE (lg.since IS NULL OR lg.since <= $as_of) AND (lg.until IS NULL OR lg.until > $as_of)
    AND (g.death_date IS NULL OR g.death_date > $as_of)
WITH p, adult, disability_group, disabled_since, living_mother, living_father, min(g.iin) AS guardian
WITH p, adult, disability_group, disabled_since,
     CASE WHEN adult THEN p.iin ELSE coalesce(living_mother, living_father, guardian) END AS recipient
OPTIONAL MATCH (r:Person)-[:PARENT_OF|GUARDIAN_OF]->(p) WHERE r.iin = recipient
OPTIONAL MATCH (r)-[:HAS_FACT]->(b:Fact)
  WHERE b.type = 'benefit' AND b.benefit = 'disability'
    AND b.valid_from <= $as_of AND (b.valid_to IS NULL OR b.valid_to >= $as_of)
WITH p, adult, disability_group, disabled_since, recipient, count(b) AS child_receiving
OPTIONAL MATCH (p)-[:HAS_FACT]->(b2:Fact)
  WHERE b2.type = 'benefit' AND b2.benefit = 'disability'
    AND b2.valid_from <= $as_of AND (b2.valid_to IS NULL OR b2.valid_to >= $as_of)
WITH p, adult, disability_group, disabled_since, recipient, child_receiving, count(b2) AS self_receiving
RETURN recipient AS iin, CASE WHEN adult THEN NULL ELSE p.iin END AS subject, disabled_since AS event,
       disability_group, disabled_since, p.birth_date AS birth_date, recipient,
       disability_group IS NOT NULL AS disabled,
       (adult AND disability_group IN ['1', '2', '3']) OR (NOT adult AND disability_group = 'child') AS group_fits_age,
       (p.death_date IS NULL OR p.death_date > $as_of) AND p.birth_date <= $as_of AS alive,
       recipient IS NOT NULL AS has_recipient,
       CASE WHEN adult THEN self_receiving = 0 ELSE child_receiving = 0 END AS not_receiving
