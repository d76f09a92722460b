/** The allocator-under-test interface, the simulated machine and the revisions. */
export * from "./result.ts";
export * from "./allocator.ts";
export * from "./revisions/index.ts";
