// rule subcontractor-not-covered (high) — the contracts the rule fires on, as Cypher.
// RULES.md § Inspection: a contract started by D at depth ≥ 2 that is not inspection-overdue
// over all its qualifying inspections, but is overdue over the ones visible to the principal
// (its own, or reported to it by D): the principal has no sight of this level. `depth` and
// `root_principal_id` are written on each contract at load time (no chain is walked).
//
// In Neo4j Browser:
//   :param dataset => 'city-resident-tax'
//   :param as_of => '2026-11-01'
// Only the live generation of the dataset: the one its (:Dataset) node's update_tag names.
MATCH (ds:Dataset {dataset: $dataset})
WITH ds.update_tag AS live, date($as_of) AS d
MATCH (c:Contract {dataset: $dataset, update_tag: live})
WHERE c.depth >= 2 AND c.start_date <= d
OPTIONAL MATCH (i:Inspection)-[:INSPECTS]->(c)
WHERE i.date <= d AND i.timing <> 'pre_contract'
WITH d, c, duration({months: c.interval_months}) AS m, max(i.date) AS last,
     max(CASE WHEN i.inspector_id = c.root_principal_id OR i.reported_to_principal_date <= d THEN i.date END) AS last_visible
WITH d, [due IN [
       CASE WHEN last IS NULL THEN CASE WHEN c.start_date + m < c.end_date THEN c.start_date + m ELSE c.end_date END
            WHEN last + m > c.end_date THEN null ELSE last + m END,
       CASE WHEN last_visible IS NULL THEN CASE WHEN c.start_date + m < c.end_date THEN c.start_date + m ELSE c.end_date END
            WHEN last_visible + m > c.end_date THEN null ELSE last_visible + m END]
     | due IS NOT NULL AND d > due] AS overdue, c
WHERE NOT overdue[0] AND overdue[1]
RETURN c.contract_id AS contract_id
ORDER BY contract_id
