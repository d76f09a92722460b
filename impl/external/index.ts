/** The client for allocators in other processes (docs/protocol.md). */
export * from "./shellWords.ts";
export * from "./harnessFailure.ts";
export * from "./kernelOops.ts";
export * from "./harnessProcess.ts";
export * from "./protocolSchemas.ts";
export * from "./externalAllocator.ts";
export * from "./harnessPool.ts";
export * from "./declaredPool.ts";
export * from "./reservedArea.ts";
export * from "./batcher.ts";
export * from "./readDigests.ts";
export * from "./harnessThreads.ts";
