// coverage-by-level — inspection coverage of the contracts active on D, one row per depth.
// RULES.md § Audit queries. Same rows as `itaku query coverage-by-level DATASET`.
//
// In Neo4j Browser, set the parameters first, then run this file as it is:
//   :param dataset => 'city-resident-tax'
//   :param as_of => '2026-11-01'
//
// M is each contract's inspection interval (`interval_months`, written at load time from the
// policy packs in force for its chain), as are its `depth` and `root_principal_id` (no chain is
// walked here). A contract is covered when a visible qualifying
// inspection is dated in (D − M, D]: covered_direct when one of those is the root principal's
// own, else covered_via_contractor; otherwise not_covered when it is overdue over its visible
// inspections, not_yet_due if not.
// Only the live generation of the dataset: the one its (:Dataset) node's update_tag names.
MATCH (ds:Dataset {dataset: $dataset})
WITH ds.update_tag AS live, date($as_of) AS d
MATCH (c:Contract {dataset: $dataset, update_tag: live})
WHERE c.start_date <= d <= c.end_date
// qualifying (not pre-contract, dated ≤ D) and visible to the principal (its own, or reported by D)
OPTIONAL MATCH (i:Inspection)-[:INSPECTS]->(c)
WHERE i.date <= d AND i.timing <> 'pre_contract'
  AND (i.inspector_id = c.root_principal_id OR i.reported_to_principal_date <= d)
WITH d, c, duration({months: c.interval_months}) AS m, collect(i) AS visible, max(i.date) AS last
WITH d, c, m, last, [i IN visible WHERE d - m < i.date] AS recent
WITH d, c, recent,
     CASE WHEN last IS NULL THEN CASE WHEN c.start_date + m < c.end_date THEN c.start_date + m ELSE c.end_date END
          WHEN last + m > c.end_date THEN null
          ELSE last + m END AS due
WITH c.depth AS depth,
     CASE WHEN any(i IN recent WHERE i.inspector_id = c.root_principal_id) THEN 'direct'
          WHEN size(recent) > 0 THEN 'via_contractor'
          WHEN due IS NOT NULL AND d > due THEN 'not_covered'
          ELSE 'not_yet_due' END AS status,
     any(i IN recent WHERE i.method = 'on_site') AS onsite
WITH depth, count(*) AS contracts,
     count(CASE WHEN status = 'direct' THEN 1 END) AS covered_direct,
     count(CASE WHEN status = 'via_contractor' THEN 1 END) AS covered_via_contractor,
     count(CASE WHEN status = 'not_yet_due' THEN 1 END) AS not_yet_due,
     count(CASE WHEN status = 'not_covered' THEN 1 END) AS not_covered,
     count(CASE WHEN onsite THEN 1 END) AS onsite_in_interval
// coverage_ratio = covered / contracts rounded to 4 decimals exactly as Python's round(x, 4):
// half-to-even on the exact binary value of x. Integer arithmetic decides every case but a tie
// (2r = contracts); a tie is decided by the sign of x's representation error, computed exactly
// with Veltkamp's split (Neo4j's round() would look at x's shortest decimal instead).
WITH depth, contracts, covered_direct, covered_via_contractor, not_yet_due, not_covered, onsite_in_interval,
     covered_direct + covered_via_contractor AS covered
WITH *, covered * 10000 / contracts AS q, covered * 10000 % contracts AS r, toFloat(covered) / contracts AS x
WITH *, x * 134217729.0 AS s
WITH *, s - (s - x) AS hi
WITH *, (hi * contracts - covered) + (x - hi) * contracts AS err
RETURN depth, contracts, covered_direct, covered_via_contractor, not_yet_due, not_covered, onsite_in_interval,
       toFloat(CASE WHEN 2 * r > contracts OR (2 * r = contracts AND (err > 0 OR (err = 0 AND q % 2 = 1)))
                    THEN q + 1 ELSE q END) / 10000.0 AS coverage_ratio
ORDER BY depth
