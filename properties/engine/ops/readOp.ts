/**
 * read: the bytes of one CPU's copy of an object, through `per_cpu_ptr`,
 * `{"op":"read","obj":"o1","cpu":2,"offset":0,"len":8}`. It must return what the model says
 * was last written there (zero after the allocation); integrity judges it (`returns`). It
 * changes nothing.
 */
import fc from "fast-check";
import { z } from "zod";
import { cpu, objName } from "./fields.ts";
import type { Op } from "./op.ts";

const schema = z
  .object({
    op: z.literal("read"),
    obj: objName,
    cpu,
    offset: z.number().int().min(0),
    len: z.number().int().min(1),
  })
  .strict();

export type ReadStep = z.infer<typeof schema>;

const pick = fc.nat({ max: 1023 });

export const readOp: Op<ReadStep> = {
  op: "read",
  schema,
  describe: (s) => `read(${s.obj}, cpu ${s.cpu}, ${s.offset}, ${s.len})`,
  formatValue: (bytes) => `0x${Buffer.from(bytes as Uint8Array).toString("hex")}`,
  prepare(step, { model }) {
    const rec = model.objects.get(step.obj);
    if (rec === undefined || !rec.live || !model.isPossible(step.cpu)) return undefined;
    if (step.offset + step.len > rec.size) return undefined;
    const written = rec.contents.get(step.cpu);
    const returns = written
      ? written.slice(step.offset, step.offset + step.len)
      : new Uint8Array(step.len);
    return {
      record: rec,
      expectation: { valid: true, why: "valid request", returns },
      perform: (a) => {
        const addr = a.ptr(rec.ptr, step.cpu);
        return addr.ok ? a.read(addr.value + step.offset, step.len) : addr;
      },
      performTwin: (t) => {
        const addr = t.allocator.ptr(t.ptrs.get(step.obj) ?? -1, step.cpu);
        return addr.ok ? t.allocator.read(addr.value + step.offset, step.len) : addr;
      },
    };
  },
  rename: (s, rename) => ({ ...s, obj: rename(s.obj) }),
  generators: () => [
    {
      weight: 1,
      arbitrary: fc.tuple(pick, pick, pick, pick).map(([p, c, o, l]) => ({
        resolve({ model }) {
          const live = model.liveObjects();
          const obj = live[p % Math.max(1, live.length)];
          const cpuNow = model.possible[c % model.possible.length];
          if (obj === undefined || cpuNow === undefined) return undefined;
          const offset = o % 2 === 0 ? 0 : o % obj.size;
          const len = 1 + (l % Math.min(16, obj.size - offset));
          return { op: "read", obj: obj.name, cpu: cpuNow, offset, len };
        },
        intent: () => `read(live #${p}, cpu #${c})`,
      })),
    },
  ],
};
