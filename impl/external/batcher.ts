/**
 * The batching side of the external allocator client (docs/protocol.md, Batches): what a check
 * will ask, announced by `plan`, goes in the line of the next request, after it; the answers
 * are kept until the next request that may change something, and a question asked then is
 * answered from them (checked by the caller as if it had just been answered). A batch stops at
 * its first error: what it did not answer is asked when it is asked. So the answers, errors
 * and oopses each call sees are the ones it would see one request a line.
 *
 * Two kinds of plan: questions for now (the checks' questions after a step: sent with the next
 * question that is not answered yet, dropped by a request that may change something) and for
 * after the next change (a step's `stats` and the questions that do not depend on its answer:
 * sent after the step's request). A `ptr` of the object an allocation makes is planned as
 * `"@alloc"` and kept as the `ptr` of the pointer the allocation answered.
 */
import { formatAddr, type Query } from "../allocator.ts";
import type { Answer, BatchRequest } from "./harnessProcess.ts";
import type { Wire } from "./readDigests.ts";

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

export class Batcher {
  private readonly harness: Wire;
  /** Questions announced by `plan`, to go in the line of the next request. */
  private readonly planned = new Map<string, BatchRequest>();
  /** Questions announced for after the next request that may change something. */
  private readonly plannedAfter = new Map<string, BatchRequest>();
  /** Answers of questions sent ahead, by request, since the last request that may change something. */
  private readonly ahead = new Map<string, Answer>();

  constructor(harness: Wire) {
    this.harness = harness;
  }

  /** Takes `plan`'s hint (PercpuAllocator.plan). */
  plan(queries: readonly Query[], afterChange = false): boolean {
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
  send(op: string, fields: Record<string, unknown>): Answer {
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
}
