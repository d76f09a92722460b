/**
 * ptr: `per_cpu_ptr(ptr, cpu)`, `{"op":"ptr","obj":"o1","cpu":9}`: bad input for a freed object
 * or a CPU that is not possible. It changes nothing.
 */
import { z } from "zod";
import { formatAddr } from "../../../impl/index.ts";
import { cpu, objName } from "./fields.ts";
import type { Op } from "./op.ts";

const schema = z.object({ op: z.literal("ptr"), obj: objName, cpu }).strict();

export type PtrStep = z.infer<typeof schema>;

export const ptrOp: Op<PtrStep> = {
  op: "ptr",
  schema,
  describe: (s) => `ptr(${s.obj}, cpu ${s.cpu})`,
  formatValue: (addr) => formatAddr(addr as number),
  prepare(step, { model }) {
    const rec = model.objects.get(step.obj);
    if (rec === undefined) return undefined;
    if (!rec.live && model.liveAt(rec.ptr) !== undefined) return undefined;
    const expectation = !rec.live
      ? { valid: false, why: `${step.obj} was freed` }
      : !model.isPossible(step.cpu)
        ? {
            valid: false,
            why: `cpu ${step.cpu} is not a possible CPU below NR_CPUS ${model.nrCpus}`,
          }
        : undefined;
    return {
      record: rec,
      ...(expectation !== undefined ? { expectation } : {}),
      perform: (a) => a.ptr(rec.ptr, step.cpu),
    };
  },
  rename: (s, rename) => ({ ...s, obj: rename(s.obj) }),
};
