/**
 * One default check of an external harness, as a child process of bench/batchSpeed.ts:
 * `npx tsx bench/checkOnce.ts "CMD ARGS" [runs]` prints one JSON line: the wall time of the
 * check, its steps, the lines written to the harness and the requests by operation (a batch
 * line counts once as a line and each of its requests as a request), and each invariant's
 * status, and where the client has digests (readDigests.ts) how many reads were answered
 * `same`. Written against the interfaces the commit before batches already had, so that the
 * same file measures that commit too (batchSpeed copies it into an export of it).
 */
import { performance } from "node:perf_hooks";
import { HarnessProcess } from "../impl/external/index.ts";
import { asExternal, checkTarget, externalTarget } from "../properties/index.ts";

const command = process.argv[2];
if (command === undefined) throw new Error("usage: checkOnce.ts COMMAND [runs]");
const runs = Number(process.argv[3] ?? 200);

const requests = new Map<string, number>();
let lines = 0;
const count = (op: string) => requests.set(op, (requests.get(op) ?? 0) + 1);
type Proto = {
  request: (op: string, fields?: Record<string, unknown>) => unknown;
  requestBatch?: (rs: readonly { op: string }[]) => unknown;
};
const proto = HarnessProcess.prototype as unknown as Proto;
const request = proto.request;
proto.request = function (this: unknown, op: string, fields?: Record<string, unknown>) {
  lines++;
  count(op);
  return request.call(this, op, fields);
};
const batch = proto.requestBatch;
if (batch !== undefined) {
  proto.requestBatch = function (this: unknown, rs: readonly { op: string }[]) {
    lines++;
    for (const r of rs) count(r.op);
    return batch.call(this, rs);
  };
}

// Reads answered "same" (the capability digest), where this tree has it.
let same = 0;
const digests = (await import("../impl/external/readDigests.ts").catch(() => undefined)) as
  | { ReadDigests?: { prototype: { incoming: (s: unknown, a: { same?: unknown }) => unknown } } }
  | undefined;
const incoming = digests?.ReadDigests?.prototype.incoming;
if (digests?.ReadDigests !== undefined && incoming !== undefined) {
  digests.ReadDigests.prototype.incoming = function (this: unknown, s, a) {
    if (a.same === true) same++;
    return incoming.call(this, s, a);
  };
}

const target = externalTarget(command);
const t0 = performance.now();
try {
  const report = checkTarget(target, { seed: 20051, runs, maxCommands: 60, model: false });
  const ms = performance.now() - t0;
  process.stdout.write(
    `${JSON.stringify({
      ms,
      steps: report.commands,
      lines,
      same,
      requests: Object.fromEntries(requests),
      statuses: report.results.map((r) => `${r.invariant}:${r.status}`),
    })}\n`,
  );
} finally {
  asExternal(target)?.close();
}
