// burial, for one person ($iin): themselves and their dead spouses, parents and children.
MATCH (y:Person {iin: $iin})
OPTIONAL MATCH (y)-[:SPOUSE_OF|PARENT_OF]-(k:Person) WHERE k.death_date IS NOT NULL
WITH y, collect(k.iin) AS dead_kin
UNWIND dead_kin + [y.iin] AS xi
WITH DISTINCT xi
MATCH (x:Person) WHERE x.iin = xi AND x.death_date IS NOT NULL
OPTIONAL MATCH (x)-[s:SPOUSE_OF]-(sp:Person)
  WHERE (s.until IS NULL OR s.until >= x.death_date) AND (sp.death_date IS NULL OR sp.death_date > $as_of)
WITH x, min(sp.iin) AS spouse
OPTIONAL MATCH (x)-[lc:PARENT_OF]->(ch:Person)
  WHERE (lc.until IS NULL OR lc.until > $as_of) AND (ch.death_date IS NULL OR ch.death_date > $as_of)
    AND ch.birth_date <= $adult_born_by
WITH x, spouse, min(ch.birth_date) AS eldest
OPTIONAL MATCH (x)-[lc:PARENT_OF]->(ch:Person)
  WHERE ch.birth_date = eldest AND (lc.until IS NULL OR lc.until > $as_of)
    AND (ch.death_date IS NULL OR ch.death_date > $as_of)
WITH x, spouse, min(ch.iin) AS child
OPTIONAL MATCH (pa:Person)-[lp:PARENT_OF]->(x)
  WHERE (lp.until IS NULL OR lp.until > $as_of) AND (pa.death_date IS NULL OR pa.death_date > $as_of)
WITH x, spouse, child, min(pa.iin) AS parent
WITH x, coalesce(spouse, child, parent) AS recipient
OPTIONAL MATCH (r:Person)-[:SPOUSE_OF|PARENT_OF]-(x) WHERE r.iin = recipient
OPTIONAL MATCH (r)-[:HAS_FACT]->(b:Fact)
  WHERE b.type = 'benefit' AND b.benefit = 'burial' AND b.valid_from >= x.death_date
WITH x, recipient, count(b) AS paid
RETURN DISTINCT recipient AS iin, x.iin AS subject, x.death_date AS event, x.death_date AS death_date,
       $died_since AS died_since, recipient,
       x.death_date >= $died_since AND x.death_date <= $as_of AS died_in_window,
       recipient IS NOT NULL AS has_recipient, paid = 0 AS not_yet_paid
