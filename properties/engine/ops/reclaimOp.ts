/**
 * reclaim: run deferred work now, `{"op":"reclaim"}` (a capability). It may unmap pages
 * anywhere, so a full audit follows it.
 */
import { z } from "zod";
import type { Op } from "./op.ts";

const schema = z.object({ op: z.literal("reclaim") }).strict();

export type ReclaimStep = z.infer<typeof schema>;

export const reclaimOp: Op<ReclaimStep> = {
  op: "reclaim",
  schema,
  needs: "reclaim",
  describe: () => "reclaim()",
  prepare: () => ({
    perform: (a) => a.reclaim(),
    performTwin: (t) => t.allocator.reclaim(),
    audit: true,
  }),
  machineEvents: ["reclaim"],
  fromMachineEvent: (e) => (e.type === "reclaim" ? { op: "reclaim" } : undefined),
};
