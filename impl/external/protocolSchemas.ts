/**
 * The answers of docs/protocol.md as zod schemas, one per operation that answers fields.
 * An `ok: true` answer without them (or with a wrong type) is a protocol-error. Extra fields
 * are allowed: a harness may say more than the protocol asks (`max_size` in `hello`,
 * `pages_by_zone` in `stats`, a design's own `detail` in `inspect`).
 */
import { z } from "zod";

const count = z.number().int().min(0);
/** A protocol address: hexadecimal in a string, any number of digits. */
export const hexAddress = z
  .string()
  .regex(/^0x[0-9a-fA-F]+$/, 'a hexadecimal address like "0x1000"');

/**
 * An extension: the reserved area (`__alloc_reserved_percpu`'s chunk), in the space of the
 * percpu pointers `alloc` answers (`ptr` maps a pointer of it to each CPU's copy): its first
 * byte `start`, its `size` in bytes, the `granule` sizes are rounded up to (1 if left out), and
 * the `block` the allocator keeps exact hints for (PCPU_BITMAP_BLOCK_SIZE), if it declares one.
 */
const reservedArea = z
  .object({
    start: hexAddress.refine(
      (t) => BigInt(t) < 2n ** 53n,
      "expected an address below 2^53 (a JavaScript number holds it exactly)",
    ),
    size: z.number().int().min(1),
    granule: z
      .number()
      .int()
      .min(1)
      .max(4096)
      .refine((g) => (g & (g - 1)) === 0, "expected a power of two from 1 to 4096")
      .optional(),
    block: z
      .number()
      .int()
      .min(1)
      .refine((b) => (b & (b - 1)) === 0, "expected a power of two")
      .optional(),
  })
  .strict();

const helloFields = z.object({
  protocol: z.literal(1),
  name: z.string(),
  revision: z.string(),
  capabilities: z.array(z.string()),
  /** An extension: the largest size the harness serves. */
  max_size: z.number().int().min(1).optional(),
  /**
   * An extension: the retained pool, by the constants of its rule (docs/protocol.md `hello`);
   * the suite works the bound out from these and each boot's topology.
   */
  pool: z
    .object({
      chunks: z.number().int().min(1),
      unit_bytes: z.number().int().min(1),
      meta_pages: count.optional(),
    })
    .strict()
    .optional(),
  /** An extension: the smallest alignment enforced; a smaller one is raised to it. */
  min_align: z
    .number()
    .int()
    .min(1)
    .max(4096)
    .refine((a) => (a & (a - 1)) === 0, "expected a power of two from 1 to 4096")
    .optional(),
  reserved_area: reservedArea.optional(),
});

/**
 * `hello`'s answer. A harness that offers `reserved` declares its area: without it the suite
 * could not tell a false ENOMEM of the reserved chunk from a full one.
 */
export const helloAnswer = helloFields.superRefine((hello, ctx) => {
  if (hello.capabilities.includes("reserved") && hello.reserved_area === undefined) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: ["reserved_area"],
      message: "required with the capability reserved ({start, size, granule})",
    });
  }
});

export const ptrAnswer = z.object({ ptr: hexAddress });
export const addrAnswer = z.object({ addr: hexAddress });
export const nodeAnswer = z.object({ node: count });
export const readAnswer = z.object({
  // Decoding stops at the first character that is not a pair of hexadecimal digits: what it
  // decodes is the whole string only when every character is one (a page's 8 KiB is read
  // natively, not by a regular expression a character at a time).
  hex: z.string().refine((s) => Buffer.from(s, "hex").length * 2 === s.length, "hexadecimal bytes"),
});

export const statsAnswer = z.object({
  pages_by_node: z.array(count),
  pages_by_zone: z.array(z.object({ low: count, high: count })).optional(),
  unit_bytes: count,
  meta_bytes: count,
  vm_bytes: count,
  mem_refs_per_deref: z.number().min(0),
  /** An extension: the work the harness counts in its allocator (docs/protocol.md). */
  work: z
    .object({ bitmap_calls: count, bitmap_words: count, kernel_ns: count.optional() })
    .optional(),
});

export const inspectAnswer = z.object({
  blocks: z.array(
    z.object({
      id: z.number().int(),
      state: z.enum(["populating", "empty", "partial", "full"]),
      live: count,
      free_bytes: count,
    }),
  ),
  detail: z.unknown().optional(),
});

/** A lock as a harness names it: "pcpu_alloc_mutex", "pcpu_lock" (the capability `threads`). */
const lockList = z.array(z.string().min(1));

/** A call's result inside a `thread_step` or `thread_state` answer: the plain answer, without its id. */
export const callResult = z.union([
  z.object({ ok: z.literal(true), ptr: hexAddress.optional() }),
  z.object({
    ok: z.literal(false),
    error: z.enum(["EINVAL", "ENOMEM", "EFAULT", "ENOTSUP", "EPROTO"]),
    message: z.string(),
  }),
]);

/** The section a `thread_step` ran: what it did, and the thread's locks at its end. */
const sectionFields = {
  thread: z.number().int().min(1),
  section: z.string(),
  in: z.string().optional(),
  reads: z.array(z.string()),
  writes: z.array(z.string()),
  sleeps: z.boolean(),
  release: lockList,
  acquire: lockList,
  held: lockList,
};

export const threadStepAnswer = z.discriminatedUnion("state", [
  z.object({ state: z.literal("boundary"), ...sectionFields }),
  z.object({ state: z.literal("done"), ...sectionFields, result: callResult }),
]);

export const threadStateAnswer = z.object({
  threads: z.array(
    z.object({
      thread: z.number().int().min(1),
      call: z.string(),
      state: z.enum(["runnable", "waiting", "done"]),
      lock: z.string().optional(),
      held_by: z.number().int().optional(),
      held: lockList.optional(),
      acquire: lockList.optional(),
      result: callResult.optional(),
    }),
  ),
});

/** The first problem of a failed parse, as "field: what was expected". */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return "invalid";
  const where = issue.path.length > 0 ? issue.path.join(".") : "(top level)";
  return `field ${where}: ${issue.message}`;
}
