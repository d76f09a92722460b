/**
 * The JSON form of the system machine's events (counterexample files' `machine_events`), made
 * from the machine's own menu: the CPU event types, the object menu and the block kinds. A new
 * menu item or block kind is accepted without an edit here; the type keeps the schema equal to
 * `SystemEvent`.
 */
import { z } from "zod";
import { CPU_EVENT_TYPES, type CpuEventType } from "./cpuSetsMachine.ts";
import {
  BLOCK_KINDS,
  MENU_ITEMS,
  type BlockKind,
  type MenuItem,
  type SystemEvent,
} from "./systemMachine.ts";

const cpuEvent = (type: CpuEventType) =>
  z.object({ type: z.literal(type), cpu: z.number().int() }).strict();

const schema = z.discriminatedUnion("type", [
  z
    .object({
      type: z.literal("obj.alloc"),
      item: z.enum(MENU_ITEMS as [MenuItem, ...MenuItem[]]),
    })
    .strict(),
  z
    .object({
      type: z.literal("obj.free"),
      from: z.enum(BLOCK_KINDS as [BlockKind, ...BlockKind[]]),
      at: z.number().int().nonnegative().optional(),
    })
    .strict(),
  z.object({ type: z.literal("fault.arm") }).strict(),
  z.object({ type: z.literal("reclaim") }).strict(),
  ...CPU_EVENT_TYPES.map(cpuEvent),
]);

/** The schema, typed as the machine's events (a mismatch is a type error here). */
export const systemEventSchema: z.ZodType<SystemEvent> = schema;
