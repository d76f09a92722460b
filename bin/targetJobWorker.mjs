// A worker thread of `check --jobs N` (properties/runner/targetJobs.ts): registers tsx, reads
// the stop flag the check shares with it, and checks targets until none is left. The counter of
// ended workers is bumped however this thread ends (bin/workerEnd.mjs, set first of all).
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";
import { signalEndOnExit } from "./workerEnd.mjs";

const counters = new Int32Array(workerData.counters);
signalEndOnExit(counters);
register();
const { useStopFlag } = await import("../impl/stop.ts");
useStopFlag(workerData.stopBuffer);
const { runTargetJobs } = await import("../properties/runner/targetJobWorker.ts");
runTargetJobs(workerData.jobs, counters, workerData.port);
