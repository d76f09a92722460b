/** The real-kernel harness's trees and mutations (harnesses/linux), as the suite sees them. */
export * from "./linuxTrees.ts";
export * from "./mutationFile.ts";
export * from "./linuxMutants.ts";
