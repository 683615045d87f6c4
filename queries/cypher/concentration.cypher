// concentration — shared subcontractors: for each organization that is a delegatee somewhere,
// how many principals and chains (prime contracts) reach it, and how many of those chains carry
// My Number data (特定個人情報) down to it.
// RULES.md § Audit queries. Same rows as `itaku query concentration DATASET`.
//
// In Neo4j Browser, set the parameter first, then run this file as it is:
//   :param dataset => 'city-resident-tax'
// Only the live generation of the dataset: the one its (:Dataset) node's update_tag names.
MATCH (ds:Dataset {dataset: $dataset})
WITH ds.update_tag AS live
// None of it depends on the as-of date: written on each (:Organization) that is the delegatee of
// a contract, at load time (graph/store/asof.py), from each contract's chain (its prime contract)
// and root principal: `delegatee_principals` (distinct root principals), `delegatee_chains`
// (distinct prime contracts) and `delegatee_my_number_chains` (those of them with a contract to it
// whose data_categories hold my_number). Other organizations have none (an index seek finds them).
MATCH (o:Organization {dataset: $dataset, update_tag: live})
WHERE o.delegatee_chains IS NOT NULL
RETURN o.org_id AS org_id, o.name AS name, o.delegatee_principals AS principals, o.delegatee_chains AS chains,
       o.delegatee_my_number_chains AS my_number_chains
ORDER BY org_id
