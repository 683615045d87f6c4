// coverage-by-level — inspection coverage of the contracts active on D, one row per depth.
// RULES.md § Audit queries. Same rows as `itaku query coverage-by-level DATASET`.
//
// In Neo4j Browser, set the parameters first, then run this file as it is:
//   :param dataset => 'city-resident-tax'
//   :param as_of => '2026-11-01'
//
// M is each contract's inspection interval (the policy packs in force for its chain). A contract
// active on D (start ≤ D ≤ end) is covered when a visible qualifying inspection (not pre-contract,
// dated ≤ D; the root principal's own, or reported to it by D) is dated in (D − M, D]:
// covered_direct when one of those is the root principal's own, else covered_via_contractor;
// otherwise not_covered when it is overdue over its visible inspections, not_yet_due if not;
// onsite_in_interval when one of those is on site.
//
// These counts change only on a few days (a contract starts or ends, an inspection is dated or
// reported, leaves the interval, a due date passes), so they are computed at load time
// (graph/store/asof.py), per depth, on each of those days: a (:CoverageStep) holds a depth's
// counts and coverage_ratio (covered / contracts, rounded to 4 decimals as Python rounds) on every
// day from its `from_date` until the next step of its depth. The row of a depth on D is its latest
// step from D or before (none with no contract active on D).
// Only the live generation of the dataset: the one its (:Dataset) node's update_tag names.
MATCH (ds:Dataset {dataset: $dataset})
WITH ds.update_tag AS live, date($as_of) AS d
MATCH (s:CoverageStep {dataset: $dataset, update_tag: live})
WHERE s.from_date <= d
WITH s ORDER BY s.from_date DESC
WITH s.depth AS depth, head(collect(s)) AS s
WHERE s.contracts > 0
RETURN depth, s.contracts AS contracts, s.covered_direct AS covered_direct,
       s.covered_via_contractor AS covered_via_contractor, s.not_yet_due AS not_yet_due,
       s.not_covered AS not_covered, s.onsite_in_interval AS onsite_in_interval, s.coverage_ratio AS coverage_ratio
ORDER BY depth
