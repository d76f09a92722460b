/** The simulated machine: the one entry other folders import from. */
export * from "./layout.ts";
export * from "./machineError.ts";
export * from "./topology.ts";
export * from "./pageAllocator.ts";
export * from "./vmalloc.ts";
export * from "./physicalMemory.ts";
export * from "./kmalloc.ts";
export * from "./machine.ts";
