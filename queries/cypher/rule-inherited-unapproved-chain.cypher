// rule inherited-unapproved-chain (high) — the contracts the rule fires on, as Cypher.
// RULES.md § Approval: depth ≥ 3 and an ancestor at depth ≥ 2 lacks the root principal's
// approval (unapproved-redelegation). `nearest` is the nearest such ancestor (details.nearest).
// `depth`, `root_principal_id` and `path` (contract ids from the prime contract down) are written
// on each contract at load time: the ancestors are looked up by id, no chain is walked.
//
// In Neo4j Browser:
//   :param dataset => 'city-resident-tax'
//   :param as_of => '2026-11-01'
// Only the live generation of the dataset: the one its (:Dataset) node's update_tag names.
MATCH (ds:Dataset {dataset: $dataset})
WITH ds.update_tag AS live, date($as_of) AS d
MATCH (c:Contract {dataset: $dataset, update_tag: live})
WHERE c.depth >= 3
// the ancestors at depth ≥ 2, nearest first (the prime contract, depth 1, and c itself left out)
WITH live, d, c, reverse(c.path[1..-1]) AS above
WITH c, [k IN above WHERE NOT EXISTS {
  MATCH (a:Contract {dataset: $dataset, update_tag: live, contract_id: k})<-[:APPROVES]-(ap:Approval)
  WHERE ap.approver_id = c.root_principal_id AND ap.status = 'approved' AND (ap.decided_date IS NULL OR ap.decided_date <= d)
}] AS unapproved
WHERE size(unapproved) > 0
RETURN c.contract_id AS contract_id, unapproved[0] AS nearest
ORDER BY contract_id
