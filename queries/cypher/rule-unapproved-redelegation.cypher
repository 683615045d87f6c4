// rule unapproved-redelegation (critical) — the contracts the rule fires on, as Cypher.
// RULES.md § Approval: depth ≥ 2 and not approved by the root principal (status approved,
// decided on or before D or undated); an approval by anyone else does not count. `depth` and
// `root_principal_id` are written on each contract at load time (no chain is walked).
//
// In Neo4j Browser:
//   :param dataset => 'city-resident-tax'
//   :param as_of => '2026-11-01'
// Only the live generation of the dataset: the one its (:Dataset) node's update_tag names.
MATCH (ds:Dataset {dataset: $dataset})
WITH ds.update_tag AS live, date($as_of) AS d
MATCH (c:Contract {dataset: $dataset, update_tag: live})
WHERE c.depth >= 2 AND NOT EXISTS {
  MATCH (a:Approval)-[:APPROVES]->(c)
  WHERE a.approver_id = c.root_principal_id AND a.status = 'approved' AND (a.decided_date IS NULL OR a.decided_date <= d)
}
RETURN c.contract_id AS contract_id
ORDER BY contract_id
