// concentration — shared subcontractors: for each organization that is a delegatee somewhere,
// how many principals and chains (prime contracts) reach it, and how many of those chains carry
// My Number data (特定個人情報) down to it.
// RULES.md § Audit queries. Same rows as `itaku query concentration DATASET`.
//
// In Neo4j Browser, set the parameter first, then run this file as it is:
//   :param dataset => 'city-resident-tax'
// Only the live generation of the dataset: the one its (:Dataset) node's update_tag names.
MATCH (ds:Dataset {dataset: $dataset})
MATCH (c:Contract {dataset: $dataset, update_tag: ds.update_tag})-[:DELEGATEE]->(o:Organization)
MATCH (c)-[:SUBCONTRACT_OF*0..]->(prime:Contract)
WHERE NOT (prime)-[:SUBCONTRACT_OF]->()
MATCH (prime)-[:DELEGATOR]->(root:Organization)
RETURN o.org_id AS org_id, o.name AS name, count(DISTINCT root) AS principals, count(DISTINCT prime) AS chains,
       count(DISTINCT CASE WHEN 'my_number' IN c.data_categories THEN prime END) AS my_number_chains
ORDER BY org_id
