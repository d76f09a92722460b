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
 * With the capability `batch`, `plan`'s hints are taken (batcher.ts): the questions a check
 * will ask go in the line of the request before them. With the capability `digest`
 * (readDigests.ts), a page read again carries the digest of the bytes seen there, and crosses
 * the pipe again only where they changed.
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
import { Batcher } from "./batcher.ts";
import type { Answer, HarnessProcess } from "./harnessProcess.ts";
import type { DeclaredPool } from "./declaredPool.ts";
import { EOOPS, KernelOops, OOPS_CAPABILITY } from "./kernelOops.ts";
import {
  DIGEST_CAPABILITY,
  READ_BYTES,
  ReadDigests,
  digestWire,
  type ReadBytes,
  type Wire,
} from "./readDigests.ts";
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
  /** Whether it answers a read's `unless` with `same` (the capability `digest`). */
  readonly digest: boolean;
  /** The reserved area (`reserved_area`), if the harness offers `reserved`. */
  readonly reservedArea: ReservedArea | undefined;
  /** Capabilities the harness named that this suite does not know (ignored). */
  readonly unknownCapabilities: readonly string[];
}

const LIMIT = 2n ** 53n;

/** The capability of a harness that answers several requests in one line (docs/protocol.md). */
export const BATCH_CAPABILITY = "batch";

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
    digest: parsed.data.capabilities.includes(DIGEST_CAPABILITY),
    reservedArea: area && {
      start: Number(BigInt(area.start)),
      size: area.size,
      granule: area.granule ?? 1,
      ...(area.block !== undefined ? { block: area.block } : {}),
    },
    unknownCapabilities: parsed.data.capabilities.filter(
      (c) =>
        !known(c) && c !== OOPS_CAPABILITY && c !== BATCH_CAPABILITY && c !== DIGEST_CAPABILITY,
    ),
  };
}

export class ExternalAllocator implements PercpuAllocator {
  private readonly harness: HarnessProcess;
  private readonly info: HarnessInfo;
  private readonly current: () => boolean;
  /** Where the harness offers `batch`: the questions planned and the answers sent ahead. */
  private readonly batcher: Batcher | undefined;
  /** Where the harness offers `digest`: the bytes seen, and the wire that sends reads by them. */
  private readonly digests: ReadDigests | undefined;
  private readonly wire: Wire;
  /**
   * `current` says whether this client still owns the process: a pool hands a process to a
   * newer client, whose `boot` forgets this one's objects; using a stale client is a bug of
   * the caller, and throws.
   */
  constructor(harness: HarnessProcess, info: HarnessInfo, current: () => boolean = () => true) {
    this.harness = harness;
    this.info = info;
    this.current = current;
    this.digests = info.digest ? new ReadDigests() : undefined;
    this.wire = this.digests ? digestWire(harness, this.digests) : harness;
    this.batcher = info.batch ? new Batcher(this.wire) : undefined;
  }

  /** The answer to one request: an `ok: false` one as an Err, EOOPS raised. */
  private answer(op: string, fields: Record<string, unknown>): Result<Answer> {
    if (!this.current()) {
      throw new Error(
        `external allocator (${this.harness.command}): ${op} on a client whose harness process was handed to a newer client`,
      );
    }
    const answer = this.batcher?.send(op, fields) ?? this.wire.request(op, fields);
    if (!answer.ok && answer.error === EOOPS) this.oopsed(op, fields, answer.message as string);
    if (!answer.ok) return err(answer.error as Errno, answer.message as string);
    return ok(answer);
  }

  private ask<S extends z.ZodTypeAny>(
    op: string,
    fields: Record<string, unknown>,
    schema: S | undefined,
  ): Result<z.infer<S>> {
    const got = this.answer(op, fields);
    if (!got.ok) return got;
    if (schema === undefined) return ok(undefined);
    const parsed = schema.safeParse(got.value);
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
    return this.batcher?.plan(queries, afterChange) ?? false;
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
    this.digests?.clear();
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
    if (this.digests !== undefined) {
      const fields = { addr: formatAddr(addr), len };
      const got = this.answer("read", fields);
      if (!got.ok) return got;
      const taken = (got.value as Record<symbol, unknown>)[READ_BYTES] as ReadBytes | undefined;
      if (taken === undefined || "problem" in taken) {
        this.harness.fail(
          "protocol-error",
          taken?.problem ?? "read answered ok with no bytes taken",
          JSON.stringify({ op: "read", ...fields }),
        );
      }
      return ok(taken.bytes);
    }
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

  /**
   * A request of the capability `threads` (docs/protocol.md, Threads), its answer checked with
   * `schema`: ENOTSUP without asking where `hello` did not offer it, an `ok: false` answer as
   * an Err, EOOPS raised. harnessThreads.ts runs interleaved calls through it.
   */
  threadRequest<S extends z.ZodTypeAny>(
    op: "thread_start" | "thread_step" | "thread_state",
    fields: Record<string, unknown>,
    schema: S | undefined,
  ): Result<z.infer<S>> {
    if (!this.info.capabilities.includes("threads")) return notOffered("threads");
    return this.ask(op, fields, schema);
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
