// A worker thread of `check --jobs N` (properties/runner/targetJobs.ts): registers tsx, reads
// the stop flag the check shares with it, and checks targets until none is left.
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
const { useStopFlag } = await import("../impl/stop.ts");
useStopFlag(workerData.stopBuffer);
const { runTargetJobs } = await import("../properties/runner/targetJobWorker.ts");
runTargetJobs(workerData.jobs, new Int32Array(workerData.counters), workerData.port);
