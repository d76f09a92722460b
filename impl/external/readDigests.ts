/**
 * Digests (docs/protocol.md, the capability `digest`): a `read` of bytes the client has seen
 * before carries their digest (`unless`), and the harness answers `"same": true` where the
 * bytes there still have that digest, or the bytes (`hex`) as always. The client keeps the
 * bytes it last saw at each address and length, and answers a `same` from them: so a page
 * read again and again crosses the pipe once, and what the checks are given is still what the
 * harness holds (its digest, computed by the harness over its memory now, is the digest of
 * the bytes kept).
 *
 * The digest is FNV-1a, 64 bits (offset basis 0xcbf29ce484222325, prime 0x100000001b3), over
 * the bytes in order, written as 16 lowercase hexadecimal digits, most significant first.
 */
import type { Answer, BatchRequest } from "./harnessProcess.ts";

/** The capability of a harness that answers a read's `unless` (docs/protocol.md). */
export const DIGEST_CAPABILITY = "digest";

const TWO_32 = 4294967296;

/** FNV-1a 64 of `bytes`, as 16 hexadecimal digits (32-bit halves: no BigInt a byte). */
export function digestOf(bytes: Uint8Array): string {
  let hi = 0xcbf29ce4;
  let lo = 0x84222325;
  for (let i = 0; i < bytes.length; i++) {
    lo = (lo ^ (bytes[i] as number)) >>> 0;
    // (hi, lo) * (2^40 + 0x1b3) mod 2^64: lo * 0x1b3 is below 2^41, exact in a double.
    const low = lo * 0x1b3;
    const next = low >>> 0;
    hi = (Math.imul(hi, 0x1b3) + (low - next) / TWO_32 + (lo << 8)) >>> 0;
    lo = next;
  }
  return hi.toString(16).padStart(8, "0") + lo.toString(16).padStart(8, "0");
}

interface Seen {
  readonly digest: string;
  readonly bytes: Uint8Array;
}

/** What is wrong with a read's answer, as the text of a protocol error, or its bytes. */
export type ReadBytes = { readonly bytes: Uint8Array } | { readonly problem: string };

/** A read's answer taken: its bytes, from the line or kept, in `bytes`; or what is wrong. */
export const READ_BYTES = Symbol("read bytes");

export class ReadDigests {
  /** The bytes last seen, by address and length. */
  private readonly seen = new Map<string, Seen>();

  /** Forgets every byte seen (a boot: a new system). */
  clear(): void {
    this.seen.clear();
  }

  /** A read's fields as sent: with `unless` where the bytes there were seen before. */
  outgoing(fields: Record<string, unknown>): Record<string, unknown> {
    const seen = this.seen.get(`${String(fields.addr)}:${String(fields.len)}`);
    return seen === undefined ? fields : { ...fields, unless: seen.digest };
  }

  /**
   * A read's answer as the client takes it: an `ok` answer gets its bytes (decoded, or kept
   * where it says `same`) under READ_BYTES, or what is wrong with it there; others as they are.
   */
  incoming(sent: Record<string, unknown>, answer: Answer): Answer {
    if (!answer.ok) return answer;
    return { ...answer, [READ_BYTES]: this.take(sent, answer) };
  }

  private take(sent: Record<string, unknown>, answer: Answer): ReadBytes {
    const key = `${String(sent.addr)}:${String(sent.len)}`;
    const len = Number(sent.len);
    if (answer.same !== undefined) {
      const seen = this.seen.get(key);
      if (answer.same !== true || sent.unless === undefined || seen === undefined) {
        return {
          problem:
            sent.unless === undefined
              ? `read answered "same" without being sent "unless"; expected "hex"`
              : `read answered "same": ${JSON.stringify(answer.same)}; expected "same": true or "hex"`,
        };
      }
      if (answer.hex !== undefined) {
        return { problem: `read answered both "same" and "hex"; expected one of them` };
      }
      return { bytes: seen.bytes.slice() };
    }
    if (typeof answer.hex !== "string") {
      return { problem: `read answered ok without "hex"; expected the bytes as hexadecimal` };
    }
    const bytes = Uint8Array.from(Buffer.from(answer.hex, "hex"));
    if (bytes.length * 2 !== answer.hex.length) {
      return { problem: `read answered "hex" that is not hexadecimal bytes` };
    }
    if (bytes.length !== len) {
      return { problem: `read of ${len} bytes answered ${bytes.length} bytes` };
    }
    this.seen.set(key, { digest: digestOf(bytes), bytes: bytes.slice() });
    return { bytes };
  }
}

/** A harness connection's two ways of asking: one request a line, or a batch line. */
export interface Wire {
  request(op: string, fields?: Record<string, unknown>): Answer;
  requestBatch(requests: readonly BatchRequest[]): Answer[];
}

/** `wire` with every read sent and taken through `digests`. */
export function digestWire(wire: Wire, digests: ReadDigests): Wire {
  return {
    request(op, fields = {}) {
      if (op !== "read") return wire.request(op, fields);
      const sent = digests.outgoing(fields);
      return digests.incoming(sent, wire.request(op, sent));
    },
    requestBatch(requests) {
      const sent = requests.map((r) =>
        r.op === "read" ? { op: r.op, fields: digests.outgoing(r.fields) } : r,
      );
      return wire
        .requestBatch(sent)
        .map((a, i) =>
          sent[i]?.op === "read" ? digests.incoming((sent[i] as BatchRequest).fields, a) : a,
        );
    },
  };
}
