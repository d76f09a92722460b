/** Reviews: two targets side by side, on the invariants and on every metric. */
export * from "./buildReview.ts";
export * from "./formatReview.ts";
export * from "./reviewMetrics.ts";
export * from "./familyCounts.ts";
