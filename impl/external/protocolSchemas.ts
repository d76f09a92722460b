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

export const helloAnswer = z.object({
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
});

export const ptrAnswer = z.object({ ptr: hexAddress });
export const addrAnswer = z.object({ addr: hexAddress });
export const nodeAnswer = z.object({ node: count });
export const readAnswer = z.object({
  hex: z.string().regex(/^([0-9a-fA-F]{2})*$/, "hexadecimal bytes"),
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

/** The first problem of a failed parse, as "field: what was expected". */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return "invalid";
  const where = issue.path.length > 0 ? issue.path.join(".") : "(top level)";
  return `field ${where}: ${issue.message}`;
}
