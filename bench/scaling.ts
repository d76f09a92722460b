/**
 * Cost per command as live objects grow: a session on 4 possible CPUs is filled with `live`
 * objects of 8 bytes (untimed), then a fixed mix of commands that keeps the live count steady
 * (alloc, write, free of a pseudo-random live object) is timed with every invariant the target
 * keeps. The incremental checks cost what a step could change; the full audit every K steps
 * costs O(live copies), so the figure is given at the default K and with audits only at the end.
 */
import { performance } from "node:perf_hooks";
import { findTarget, Session, type Step } from "../properties/index.ts";
import { keptInvariants } from "./throughput.ts";

const CONFIG = {
  nrCpus: 8,
  possible: [0, 1, 2, 3],
  present: [0, 1, 2, 3],
  online: [0, 1, 2, 3],
  cpuToNode: [0, 0, 1, 1, 0, 0, 1, 1],
  nrNodes: 2,
  pageSize: 4096,
  vmallocBytes: 2 ** 31,
};

/** Microseconds per command at `live` live objects (the median of `repeat` sessions). */
export function costPerCommand(
  targetId: string,
  live: number,
  commands: number,
  auditEvery: number,
  repeat = 3,
): number {
  const target = findTarget(targetId);
  if (target === undefined) throw new Error(`no target ${targetId}`);
  const invariants = keptInvariants(target);
  const samples: number[] = [];
  for (let r = 0; r < repeat; r++) {
    const session = new Session({ target, config: CONFIG, invariants, auditEvery });
    let next = 1;
    const alloc = (): Step => ({ op: "alloc", size: 8, align: 8, as: `o${next++}` });
    for (let i = 0; i < live; i++) session.execute(alloc());
    let x = 12345;
    const t0 = performance.now();
    for (let i = 0; i < commands; i++) {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      const objs = session.model.liveObjects();
      const obj = objs[x % objs.length];
      if (obj === undefined) throw new Error("no live object");
      const step: Step =
        i % 3 === 0
          ? alloc()
          : i % 3 === 1
            ? { op: "write", obj: obj.name, cpu: x % 4, offset: 0, hex: "5a" }
            : { op: "free", obj: obj.name };
      if (!session.execute(step)) throw new Error(`step skipped: ${JSON.stringify(step)}`);
    }
    samples.push(((performance.now() - t0) * 1000) / commands);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] as number;
}
