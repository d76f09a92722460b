/** The client for allocators in other processes (../shared/PROTOCOL.md). */
export * from "./shellWords.ts";
export * from "./harnessFailure.ts";
export * from "./harnessProcess.ts";
export * from "./protocolSchemas.ts";
export * from "./externalAllocator.ts";
export * from "./harnessPool.ts";
