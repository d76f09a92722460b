/** The differential check of two targets: the same runs on both, compared step by step. */
export * from "./compareViews.ts";
export * from "./sideView.ts";
export * from "./diffSession.ts";
export * from "./diffTargets.ts";
export * from "./diffFile.ts";
