// The worker thread of bin/pcpu-verify.js: runs one command line with cli/main.ts, reading the
// stop flag the main thread raises on a signal, and sends what it prints to the main thread
// as messages (one channel, so stdout and stderr keep their order), then its exit code.
import { parentPort, workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
const { useStopFlag } = await import("../impl/stop.ts");
useStopFlag(workerData.stopBuffer);
const { main } = await import("../cli/main.ts");
const io = {
  out: (text) => parentPort.postMessage({ type: "out", text }),
  err: (text) => parentPort.postMessage({ type: "err", text }),
  interactive: workerData.interactive,
};
const code = await main(workerData.argv, io);
parentPort.postMessage({ type: "done", code });
