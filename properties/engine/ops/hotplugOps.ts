/**
 * The four hotplug events, `{"op":"cpu_down","cpu":3}`: cpu_add and cpu_remove (a capability)
 * change the present mask, cpu_up and cpu_down the online mask. Each is allowed or refused by
 * the CPU-mask rules (model/cpuSetsMachine.ts `cpuEventRefusal`, through the model); a refused
 * one must get EINVAL and change nothing. The copy checks look at the named CPU's copies.
 */
import { z } from "zod";
import type { PercpuAllocator, Result } from "../../../impl/index.ts";
import type { SystemEvent } from "../../../model/systemMachine.ts";
import { HOTPLUG_EVENT, type HotplugOp } from "../model.ts";
import { cpu } from "./fields.ts";
import { objectPages, type Op } from "./op.ts";

export type { HotplugOp };

function hotplugOp<O extends HotplugOp>(
  op: O,
  call: (a: PercpuAllocator, cpu: number) => Result<void>,
  needsCapability: boolean,
): Op<{ op: O; cpu: number }> {
  const schema = z.object({ op: z.literal(op), cpu }).strict() as unknown as z.ZodType<{
    op: O;
    cpu: number;
  }>;
  const event = HOTPLUG_EVENT[op];
  return {
    op,
    schema,
    ...(needsCapability ? { needs: op as "cpu_add" | "cpu_remove" } : {}),
    describe: (s) => `${s.op}(${s.cpu})`,
    prepare(step, { model }) {
      const refusal = model.hotplugRefusal(op, step.cpu);
      return {
        ...(refusal !== undefined
          ? { expectation: { valid: false, why: `${op}(${step.cpu}): ${refusal}` } }
          : {}),
        perform: (a) => call(a, step.cpu),
        performTwin: (t) => call(t.allocator, step.cpu),
        apply: () => {
          model.applyHotplug(op, step.cpu);
          return undefined;
        },
      };
    },
    scope(step, { model }, pages) {
      for (const obj of model.liveObjects()) objectPages(obj, pages, step.cpu);
    },
    scopeCpu: (s) => s.cpu,
    machineEvents: [event],
    fromMachineEvent: (e: SystemEvent) =>
      e.type === event && "cpu" in e ? { op, cpu: e.cpu } : undefined,
  };
}

export const cpuAddOp = hotplugOp("cpu_add", (a, c) => a.cpuAdd(c), true);
export const cpuRemoveOp = hotplugOp("cpu_remove", (a, c) => a.cpuRemove(c), true);
export const cpuUpOp = hotplugOp("cpu_up", (a, c) => a.cpuUp(c), false);
export const cpuDownOp = hotplugOp("cpu_down", (a, c) => a.cpuDown(c), false);
