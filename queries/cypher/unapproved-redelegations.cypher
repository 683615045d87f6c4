// unapproved-redelegations — re-delegations (depth ≥ 2) without the root principal's approval.
// RULES.md § Audit queries. Same rows as `itaku query unapproved-redelegations DATASET`.
//
// In Neo4j Browser, set the parameters first, then run this file as it is:
//   :param dataset => 'city-resident-tax'
//   :param as_of => '2026-11-01'
//
// Approved by root = an (:Approval) of the contract by the root principal with status approved,
// known on D (decided on or before D, or with no decided_date). Approvals by anyone else do not
// count. Written on each contract at load time (graph/store/asof.py): `unapproved_until`, the first
// day from which such an approval is known (9999-12-31: none; null at depth 1, or when one has no
// decided_date: never unapproved), so a re-delegation is unapproved on D iff D < unapproved_until
// (an index seek). `depth`, `root_principal_id` and `path_names` (the principal, then the delegatee
// of each contract down to this one) are load-time properties too: no chain is walked here.
// Only the live generation of the dataset: the one its (:Dataset) node's update_tag names.
MATCH (ds:Dataset {dataset: $dataset})
WITH ds.update_tag AS live, date($as_of) AS d
MATCH (c:Contract {dataset: $dataset, update_tag: live})
WHERE c.unapproved_until > d
MATCH (c)-[:DELEGATOR]->(delegator:Organization)
RETURN c.contract_id AS contract_id, c.depth AS depth, c.root_principal_id AS root_principal_id,
       delegator.name AS delegator, c.path_names[-1] AS delegatee, c.path_names AS path
ORDER BY contract_id
