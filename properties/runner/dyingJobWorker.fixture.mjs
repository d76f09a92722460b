// A worker for targetJobs.test: it sets the handler the real worker sets first of all
// (bin/workerEnd.mjs), then dies of an error nothing catches, having posted no report.
import { workerData } from "node:worker_threads";
import { signalEndOnExit } from "../../bin/workerEnd.mjs";

signalEndOnExit(new Int32Array(workerData.counters));
throw new Error("this worker dies before its first report");
