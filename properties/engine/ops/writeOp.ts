/**
 * write: bytes stored into one CPU's copy of an object through `per_cpu_ptr`,
 * `{"op":"write","obj":"o1","cpu":3,"offset":0,"hex":"ab"}`, or at a raw address nothing maps,
 * `{"op":"write","addr":"0x10","hex":"ab"}` (bad input: EFAULT). The model keeps the bytes last
 * written to each copy.
 */
import { z } from "zod";
import { parseAddr } from "../../../impl/index.ts";
import { pagesOf } from "../copyIndex.ts";
import { cpu, hexAddr, objName } from "./fields.ts";
import type { Op } from "./op.ts";

const schema = z
  .object({
    op: z.literal("write"),
    obj: objName.optional(),
    cpu: cpu.optional(),
    offset: z.number().int().min(0).optional(),
    addr: hexAddr.optional(),
    hex: z.string().regex(/^([0-9a-f]{2})+$/, "lower-case hexadecimal bytes"),
  })
  .strict();

export type WriteStep = z.infer<typeof schema>;

export const writeOp: Op<WriteStep> = {
  op: "write",
  schema,
  refine(step, ctx) {
    const byObject = step.obj !== undefined && step.cpu !== undefined && step.offset !== undefined;
    const byAddress = step.addr !== undefined && step.obj === undefined && step.cpu === undefined;
    if (!byObject && !byAddress) {
      ctx.addIssue({
        code: "custom",
        message: 'a write names "obj", "cpu" and "offset", or only "addr"',
      });
    }
  },
  describe(s) {
    const where = s.addr ?? `${s.obj}@cpu${s.cpu}+${s.offset}`;
    return `write(${where}, ${s.hex.length / 2} bytes 0x${s.hex.slice(0, 8)}${s.hex.length > 8 ? "…" : ""})`;
  },
  prepare(step, { model }) {
    const bytes = Uint8Array.from(Buffer.from(step.hex, "hex"));
    if (step.addr !== undefined) {
      // A raw address: bad input only where no live copy is there (the generator picks
      // addresses below the direct map, which nothing maps).
      const addr = parseAddr(step.addr) ?? -1;
      return {
        expectation: { valid: false, why: `${step.addr} is not mapped`, error: "EFAULT" },
        perform: (a) => a.write(addr, bytes),
        performTwin: (t) => t.allocator.write(addr, bytes),
      };
    }
    const { obj, cpu, offset } = step as { obj: string; cpu: number; offset: number };
    const rec = model.objects.get(obj);
    if (rec === undefined || !rec.live || !model.isPossible(cpu)) return undefined;
    if (offset + bytes.length > rec.size) return undefined;
    return {
      record: rec,
      perform: (a) => {
        const addr = a.ptr(rec.ptr, cpu);
        return addr.ok ? a.write(addr.value + offset, bytes) : addr;
      },
      performTwin: (t) => {
        const addr = t.allocator.ptr(t.ptrs.get(obj) ?? -1, cpu);
        return addr.ok ? t.allocator.write(addr.value + offset, bytes) : addr;
      },
      apply: () => {
        const now = rec.contents.get(cpu) ?? new Uint8Array(rec.size);
        now.set(bytes, offset);
        rec.contents.set(cpu, now);
        return undefined;
      },
    };
  },
  scope(step, { record }, pages) {
    const len = step.hex.length / 2;
    const at =
      step.addr !== undefined
        ? Number.parseInt(step.addr.slice(2), 16)
        : step.cpu === undefined
          ? undefined
          : (record?.copies.get(step.cpu) ?? Number.NaN) + (step.offset ?? 0);
    if (at !== undefined && Number.isSafeInteger(at)) {
      for (const page of pagesOf(at, at + len)) pages.add(page);
    }
  },
  rename: (s, rename) => (s.obj !== undefined ? { ...s, obj: rename(s.obj) } : s),
};
