// burial: for every death in the 365 days up to and including $as_of, the spouse (link not
// ended on the day of death) if alive, else the eldest living adult child, else a living parent.
MATCH (x:Person)
WHERE x.death_date >= $died_since AND x.death_date <= $as_of
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
WHERE recipient IS NOT NULL
MATCH (r:Person)-[:SPOUSE_OF|PARENT_OF]-(x)
WHERE r.iin = recipient
  AND NOT EXISTS {
    MATCH (r)-[:HAS_FACT]->(b:Fact)
    WHERE b.type = 'benefit' AND b.benefit = 'burial' AND b.valid_from >= x.death_date
  }
RETURN DISTINCT r.iin AS iin, x.iin AS subject, x.death_date AS event
