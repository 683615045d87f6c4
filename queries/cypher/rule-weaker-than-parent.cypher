// rule weaker-than-parent (high) — the contracts the rule fires on, as Cypher.
// RULES.md § Clauses: depth ≥ 2 and a clause of its parent is absent (a subcontract must be
// equivalent or stronger). `missing` lists the codes, sorted (details.missing).
//
// In Neo4j Browser:
//   :param dataset => 'city-resident-tax'
// Only the live generation of the dataset: the one its (:Dataset) node's update_tag names.
MATCH (ds:Dataset {dataset: $dataset})
MATCH (c:Contract {dataset: $dataset, update_tag: ds.update_tag})-[:SUBCONTRACT_OF]->(parent:Contract)
WITH c, COLLECT { UNWIND parent.clauses AS clause WITH DISTINCT clause WHERE NOT clause IN coalesce(c.clauses, [])
                  RETURN clause ORDER BY clause } AS missing
WHERE size(missing) > 0
RETURN c.contract_id AS contract_id, missing
ORDER BY contract_id
