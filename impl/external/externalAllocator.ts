/**
 * An allocator in another process, driven through docs/protocol.md: the `PercpuAllocator`
 * interface, synchronous, over one `HarnessProcess`. Requests are encoded as the protocol says
 * (snake_case fields, addresses as hexadecimal strings); answers are checked with zod, and an
 * `ok: true` answer with a field missing or of the wrong type, or an address at or above 2^53
 * (which a JavaScript number cannot hold exactly), is a protocol-error. `ok: false` answers
 * become `Err` results with the harness's code and message.
 *
 * Harness failures (crash, hang, protocol error) are thrown as `HarnessFailure` from every
 * method: they are not the allocator's answers and must not be judged as such. An `EOOPS`
 * answer from a harness that declares `oops` is the allocator's: it is thrown as `KernelOops`,
 * which the session judges (no-oops); from any other harness it is a protocol-error, and at
 * `boot` (before any step a run could shrink) a harness-crash.
 *
 * With the capability `batch` the client takes `plan`'s hints: the questions announced (ptr,
 * node, read, stats: requests that change nothing) are sent in the line of the next request,
 * after it, and their answers kept until the next request that may change something; a
 * question asked then is answered from them, checked as if it had just been answered. A
 * batch stops at its first error: what it did not answer is asked when it is asked. So the
 * answers, errors and oopses each call sees are the ones it would see one request a line.
 */
import type { z } from "zod";
import {
  CAPABILITIES,
  formatAddr,
  type AllocOptions,
  type Addr,
  type AllocatorInfo,
  type AllocatorStats,
  type BootConfig,
  type Capability,
  type InspectView,
  type PercpuAllocator,
  type Ptr,
  type Query,
} from "../allocator.ts";
import { err, ok, type Errno, type Result } from "../result.ts";
import type { Answer, BatchRequest, HarnessProcess } from "./harnessProcess.ts";
import type { DeclaredPool } from "./declaredPool.ts";
import { EOOPS, KernelOops, OOPS_CAPABILITY } from "./kernelOops.ts";
import type { ReservedArea } from "./reservedArea.ts";
import {
  addrAnswer,
  describeIssue,
  helloAnswer,
  inspectAnswer,
  nodeAnswer,
  ptrAnswer,
  readAnswer,
  statsAnswer,
} from "./protocolSchemas.ts";

/** What `hello` said, with the extensions the suite reads. */
export interface HarnessInfo extends AllocatorInfo {
  /** The largest size served (`max_size`), if the harness says. */
  readonly maxSize: number | undefined;
  /** The retained pool the harness declares (`pool`), if it does. */
  readonly pool: DeclaredPool | undefined;
  /** The smallest alignment it enforces (`min_align`), if it says: smaller ones are raised. */
  readonly minAlign: number | undefined;
  /** Whether it answers its allocator's oops with `EOOPS` (the capability `oops`). */
  readonly oops: boolean;
  /** Whether it answers a line of several requests (the capability `batch`). */
  readonly batch: boolean;
  /** The reserved area (`reserved_area`), if the harness offers `reserved`. */
  readonly reservedArea: ReservedArea | undefined;
  /** Capabilities the harness named that this suite does not know (ignored). */
  readonly unknownCapabilities: readonly string[];
}

const LIMIT = 2n ** 53n;

/** The capability of a harness that answers several requests in one line (docs/protocol.md). */
export const BATCH_CAPABILITY = "batch";
/** The most requests the client puts in one batch line (the protocol allows 1024). */
export const BATCH_MAX_REQUESTS = 256;
/**
 * The most answer bytes the client expects of one batch line, well below the 1 MiB a line may
 * hold: a `read` answers two hexadecimal digits a byte, any other request far less.
 */
export const BATCH_MAX_ANSWER_BYTES = 256 << 10;
/** Requests that change nothing: answered ahead, their answers hold until one that may. */
const QUERIES: ReadonlySet<string> = new Set(["ptr", "node", "read", "stats", "inspect"]);
/** Requests never sent in a batch (docs/protocol.md). */
const ALONE: ReadonlySet<string> = new Set(["hello", "boot", "quit"]);
/** In a batch, the pointer the latest `alloc` before it answered (docs/protocol.md). */
const NEW_OBJECT = "@alloc";
/** What the client guesses a `stats` or other answer takes, in bytes, to cut batches. */
const SMALL_ANSWER_BYTES = 1024;

function keyOf(op: string, fields: Record<string, unknown>): string {
  return JSON.stringify([op, fields]);
}

/** A query as the request its method sends (the same fields in the same order). */
function requestOf(q: Query): BatchRequest {
  switch (q.op) {
    case "ptr":
      return {
        op: "ptr",
        fields: { ptr: q.ptr === "new" ? NEW_OBJECT : formatAddr(q.ptr), cpu: q.cpu },
      };
    case "node":
      return { op: "node", fields: { addr: formatAddr(q.addr) } };
    case "read":
      return { op: "read", fields: { addr: formatAddr(q.addr), len: q.len } };
    case "stats":
      return { op: "stats", fields: {} };
  }
}

/** An address answered, as the client writes it (lowercase, no leading zeros), if it is one. */
function canonicalAddr(text: unknown): string | undefined {
  if (typeof text !== "string" || !/^0x[0-9a-fA-F]{1,16}$/.test(text)) return undefined;
  return `0x${BigInt(text).toString(16)}`;
}

function answerBytes(r: BatchRequest): number {
  return r.op === "read" ? 2 * Number(r.fields.len) + 64 : SMALL_ANSWER_BYTES;
}

/** Sends `hello` and checks its answer: the first request to every harness process. */
export function helloHarness(harness: HarnessProcess): HarnessInfo {
  const answer = harness.request("hello");
  if (!answer.ok) {
    harness.fail(
      "protocol-error",
      `refused hello: ${String(answer.error)} ${String(answer.message)}`,
      undefined,
    );
  }
  const parsed = helloAnswer.safeParse(answer);
  if (!parsed.success) {
    harness.fail(
      "protocol-error",
      `hello answer: ${describeIssue(parsed.error)}`,
      '{"op":"hello"}',
    );
  }
  const pool = parsed.data.pool;
  const area = parsed.data.reserved_area;
  const known = (c: string): c is Capability => (CAPABILITIES as readonly string[]).includes(c);
  return {
    name: parsed.data.name,
    revision: parsed.data.revision,
    capabilities: parsed.data.capabilities.filter(known),
    maxSize: parsed.data.max_size,
    pool: pool && {
      chunks: pool.chunks,
      unitBytes: pool.unit_bytes,
      metaPages: pool.meta_pages ?? 0,
    },
    minAlign: parsed.data.min_align,
    oops: parsed.data.capabilities.includes(OOPS_CAPABILITY),
    batch: parsed.data.capabilities.includes(BATCH_CAPABILITY),
    reservedArea: area && {
      start: Number(BigInt(area.start)),
      size: area.size,
      granule: area.granule ?? 1,
      ...(area.block !== undefined ? { block: area.block } : {}),
    },
    unknownCapabilities: parsed.data.capabilities.filter(
      (c) => !known(c) && c !== OOPS_CAPABILITY && c !== BATCH_CAPABILITY,
    ),
  };
}

export class ExternalAllocator implements PercpuAllocator {
  private readonly harness: HarnessProcess;
  private readonly info: HarnessInfo;
  private readonly current: () => boolean;
  /** Questions announced by `plan`, to go in the line of the next request. */
  private readonly planned = new Map<string, BatchRequest>();
  /** Questions announced for after the next request that may change something. */
  private readonly plannedAfter = new Map<string, BatchRequest>();
  /** Answers of questions sent ahead, by request, since the last request that may change something. */
  private readonly ahead = new Map<string, Answer>();

  /**
   * `current` says whether this client still owns the process: a pool hands a process to a
   * newer client, whose `boot` forgets this one's objects; using a stale client is a bug of
   * the caller, and throws.
   */
  constructor(harness: HarnessProcess, info: HarnessInfo, current: () => boolean = () => true) {
    this.harness = harness;
    this.info = info;
    this.current = current;
  }

  private ask<S extends z.ZodTypeAny>(
    op: string,
    fields: Record<string, unknown>,
    schema: S | undefined,
  ): Result<z.infer<S>> {
    if (!this.current()) {
      throw new Error(
        `external allocator (${this.harness.command}): ${op} on a client whose harness process was handed to a newer client`,
      );
    }
    const answer = this.send(op, fields);
    if (!answer.ok && answer.error === EOOPS) this.oopsed(op, fields, answer.message as string);
    if (!answer.ok) return err(answer.error as Errno, answer.message as string);
    if (schema === undefined) return ok(undefined);
    const parsed = schema.safeParse(answer);
    if (!parsed.success) {
      this.harness.fail(
        "protocol-error",
        `${op} answered ok with ${describeIssue(parsed.error)}`,
        JSON.stringify({ op, ...fields }),
      );
    }
    return ok(parsed.data);
  }

  plan(queries: readonly Query[], afterChange = false): boolean {
    if (!this.info.batch) return false;
    const into = afterChange ? this.plannedAfter : this.planned;
    if (afterChange) into.clear();
    for (const q of queries) {
      const r = requestOf(q);
      into.set(keyOf(r.op, r.fields), r);
    }
    return true;
  }

  /**
   * The answer to one request: from the answers sent ahead if it is a question they hold, else
   * from the harness, with the questions planned since in the same line (a batch).
   */
  private send(op: string, fields: Record<string, unknown>): Answer {
    const key = keyOf(op, fields);
    if (QUERIES.has(op)) {
      const got = this.ahead.get(key);
      if (got !== undefined) {
        // Asked: no longer to be sent with a later request.
        this.planned.delete(key);
        return got;
      }
    }
    const change = !QUERIES.has(op);
    if (change) {
      this.ahead.clear();
      // Planned for the state before this request: no longer the questions of any state.
      this.planned.clear();
    }
    // hello, boot and quit go alone; what was planned for after them goes with the next one.
    if (ALONE.has(op)) return this.harness.request(op, fields);
    const batch: BatchRequest[] = [{ op, fields }];
    const keys = [key];
    for (const [k, r] of change ? this.plannedAfter : this.planned) {
      if (k === key || this.ahead.has(k)) continue;
      // A copy of the object an allocation makes is asked only right after the allocation.
      if (r.fields.ptr === NEW_OBJECT && op !== "alloc") continue;
      batch.push(r);
      keys.push(k);
    }
    (change ? this.plannedAfter : this.planned).clear();
    if (batch.length === 1) return this.harness.request(op, fields);
    const answers = this.sendBatch(batch);
    let made: string | undefined;
    for (let i = 0; i < answers.length; i++) {
      const r = batch[i] as BatchRequest;
      const a = answers[i] as Answer;
      if (r.op === "alloc" && a.ok) made = canonicalAddr(a.ptr);
      if (i === 0) continue;
      // Kept as the question it answers: ptr of the pointer the allocation gave.
      if (r.fields.ptr === NEW_OBJECT) {
        if (made !== undefined) this.ahead.set(keyOf("ptr", { ...r.fields, ptr: made }), a);
        continue;
      }
      this.ahead.set(keys[i] as string, a);
    }
    return answers[0] as Answer;
  }

  /** Sends a batch in lines of at most the client's limits; stops at the first error. */
  private sendBatch(batch: readonly BatchRequest[]): Answer[] {
    const answers: Answer[] = [];
    let at = 0;
    while (at < batch.length) {
      let end = at;
      let bytes = 0;
      while (end < batch.length && end - at < BATCH_MAX_REQUESTS) {
        bytes += answerBytes(batch[end] as BatchRequest);
        if (bytes > BATCH_MAX_ANSWER_BYTES && end > at) break;
        end++;
      }
      const part = batch.slice(at, end);
      const got =
        part.length === 1
          ? [this.harness.request(part[0]?.op ?? "", part[0]?.fields)]
          : this.harness.requestBatch(part);
      answers.push(...got);
      if (got.length < part.length || got.some((a) => !a.ok)) break;
      at = end;
    }
    return answers;
  }

  /** An `EOOPS` answer: the allocator's oops where `hello` declared `oops`, else a failure. */
  private oopsed(op: string, fields: Record<string, unknown>, message: string): never {
    const request = JSON.stringify({ op, ...fields });
    if (!this.info.oops) {
      this.harness.fail(
        "protocol-error",
        `answered ${EOOPS} (${message}), but hello did not declare the capability "${OOPS_CAPABILITY}"`,
        request,
      );
    }
    if (op === "boot") {
      this.harness.fail("harness-crash", `the allocator oopsed at boot: ${message}`, request);
    }
    throw new KernelOops(op, message);
  }

  /** A protocol address as a number; at or above 2^53 it is a protocol-error. */
  private address(op: string, field: string, text: string): number {
    const value = BigInt(text);
    if (value >= LIMIT) {
      this.harness.fail(
        "protocol-error",
        `${op} answered ${field} ${text}, at or above 2^53; expected an address a JavaScript number holds exactly`,
        undefined,
      );
    }
    return Number(value);
  }

  hello(): AllocatorInfo {
    return this.info;
  }

  boot(config: BootConfig): Result<void> {
    return this.ask(
      "boot",
      {
        nr_cpus: config.nrCpus,
        possible: config.possible,
        present: config.present,
        online: config.online,
        cpu_to_node: config.cpuToNode,
        nr_nodes: config.nrNodes,
        page_size: config.pageSize,
        ...(config.pagesPerNode !== undefined ? { pages_per_node: config.pagesPerNode } : {}),
        ...(config.vmallocBytes !== undefined ? { vmalloc_bytes: config.vmallocBytes } : {}),
      },
      undefined,
    );
  }

  alloc(size: number, align: number, options?: AllocOptions): Result<Ptr> {
    // The request's extensions are capabilities: not offered, the client answers itself.
    if (options?.gfp !== undefined && !this.info.capabilities.includes("gfp")) {
      return notOffered("gfp");
    }
    if (options?.reserved && !this.info.capabilities.includes("reserved")) {
      return notOffered("reserved");
    }
    const r = this.ask(
      "alloc",
      {
        size,
        align,
        ...(options?.atomic ? { atomic: true } : {}),
        ...(options?.gfp !== undefined ? { gfp: options.gfp } : {}),
        ...(options?.reserved ? { reserved: true } : {}),
      },
      ptrAnswer,
    );
    return r.ok ? ok(this.address("alloc", "ptr", r.value.ptr)) : r;
  }

  free(ptr: Ptr): Result<void> {
    return this.ask("free", { ptr: formatAddr(ptr) }, undefined);
  }

  ptr(ptr: Ptr, cpu: number): Result<Addr> {
    const r = this.ask("ptr", { ptr: formatAddr(ptr), cpu }, addrAnswer);
    return r.ok ? ok(this.address("ptr", "addr", r.value.addr)) : r;
  }

  node(addr: Addr): Result<number> {
    const r = this.ask("node", { addr: formatAddr(addr) }, nodeAnswer);
    return r.ok ? ok(r.value.node) : r;
  }

  read(addr: Addr, len: number): Result<Uint8Array> {
    const r = this.ask("read", { addr: formatAddr(addr), len }, readAnswer);
    if (!r.ok) return r;
    const bytes = Uint8Array.from(Buffer.from(r.value.hex, "hex"));
    if (bytes.length !== len) {
      this.harness.fail(
        "protocol-error",
        `read of ${len} bytes answered ${bytes.length} bytes`,
        JSON.stringify({ op: "read", addr: formatAddr(addr), len }),
      );
    }
    return ok(bytes);
  }

  write(addr: Addr, bytes: Uint8Array): Result<void> {
    return this.ask(
      "write",
      { addr: formatAddr(addr), hex: Buffer.from(bytes).toString("hex") },
      undefined,
    );
  }

  cpuAdd(cpu: number): Result<void> {
    return this.capability("cpu_add", { cpu });
  }

  cpuRemove(cpu: number): Result<void> {
    return this.capability("cpu_remove", { cpu });
  }

  cpuUp(cpu: number): Result<void> {
    return this.ask("cpu_up", { cpu }, undefined);
  }

  cpuDown(cpu: number): Result<void> {
    return this.ask("cpu_down", { cpu }, undefined);
  }

  failPageAlloc(after: number, count: number): Result<void> {
    return this.capability("fail_page_alloc", { after, count });
  }

  reclaim(): Result<void> {
    return this.capability("reclaim", {});
  }

  /** An optional operation: ENOTSUP without asking when `hello` did not offer it. */
  private capability(op: Capability, fields: Record<string, unknown>): Result<void> {
    if (!this.info.capabilities.includes(op)) return notOffered(op);
    return this.ask(op, fields, undefined);
  }

  stats(): Result<AllocatorStats> {
    const r = this.ask("stats", {}, statsAnswer);
    if (!r.ok) return r;
    const s = r.value;
    return ok({
      pagesByNode: s.pages_by_node,
      ...(s.pages_by_zone !== undefined ? { pagesByZone: s.pages_by_zone } : {}),
      unitBytes: s.unit_bytes,
      metaBytes: s.meta_bytes,
      vmBytes: s.vm_bytes,
      memRefsPerDeref: s.mem_refs_per_deref,
      ...(s.work !== undefined
        ? {
            work: {
              bitmapCalls: s.work.bitmap_calls,
              bitmapWords: s.work.bitmap_words,
              ...(s.work.kernel_ns !== undefined ? { kernelNs: s.work.kernel_ns } : {}),
            },
          }
        : {}),
    });
  }

  inspect(): Result<InspectView> {
    if (!this.info.capabilities.includes("inspect")) return notOffered("inspect");
    const r = this.ask("inspect", {}, inspectAnswer);
    if (!r.ok) return r;
    return ok({
      blocks: r.value.blocks.map((b) => ({
        id: b.id,
        state: b.state,
        live: b.live,
        freeBytes: b.free_bytes,
      })),
      ...(r.value.detail !== undefined ? { detail: r.value.detail } : {}),
    });
  }
}

function notOffered(op: Capability): Result<never> {
  return err("ENOTSUP", `the harness does not offer ${op} (not in its hello capabilities)`);
}
