// exposure — every chain that reaches an organization: one row per contract it is the delegatee of.
// RULES.md § Audit queries. Same rows as `itaku query exposure DATASET --param org=ORG_ID`.
//
// In Neo4j Browser, set the parameters first, then run this file as it is:
//   :param dataset => 'city-resident-tax'
//   :param org => 'NNS'
//
// `path` names the principal, then the delegatee of each contract from the prime contract down.
// Only the live generation of the dataset: the one its (:Dataset) node's update_tag names.
MATCH (ds:Dataset {dataset: $dataset})
MATCH (c:Contract)-[:DELEGATEE]->(:Organization {dataset: $dataset, update_tag: ds.update_tag, org_id: $org})
MATCH chain = (c)-[:SUBCONTRACT_OF*0..]->(prime:Contract)
WHERE NOT (prime)-[:SUBCONTRACT_OF]->()
MATCH (prime)-[:DELEGATOR]->(root:Organization)
RETURN root.org_id AS root_principal_id, c.contract_id AS contract_id, length(chain) + 1 AS depth,
       [root.name] + [k IN reverse(nodes(chain)) | [(k)-[:DELEGATEE]->(o:Organization) | o.name][0]] AS path,
       COLLECT { UNWIND c.data_categories AS category RETURN category ORDER BY category } AS data_categories
ORDER BY root_principal_id, contract_id
