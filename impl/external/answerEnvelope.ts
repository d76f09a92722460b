/**
 * The envelope checks of docs/protocol.md: an answer line (or one answer of a batch) is a JSON
 * object with the request's id and a valid `ok` / `error` / `message`; a batch's answer line is
 * a list of such answers, in the order of the requests, ending at the first error. Each check
 * returns what is wrong as the text of a protocol error (naming what was expected), or the
 * answers.
 */
import { ERRNOS } from "../result.ts";
import { EOOPS } from "./kernelOops.ts";

/** An answer that passed the envelope checks: the echoed id and `ok`, and the rest. */
export type Answer = { readonly ok: boolean } & Record<string, unknown>;

type Checked<T> = { readonly ok: T } | { readonly problem: string };

/** A line or a value for a message: at most 120 characters of it. */
export function clip(text: string): string {
  return text.length > 120
    ? `${JSON.stringify(text.slice(0, 120))}… (${text.length} characters)`
    : JSON.stringify(text);
}

/**
 * One answer: `raw` the line's text (`where` undefined) or an element of a batch's list
 * (`where` names it: "answer 2 of a batch of ...").
 */
export function checkAnswer(raw: unknown, id: number, where?: string): Checked<Answer> {
  let json: unknown = raw;
  if (where === undefined) {
    try {
      json = JSON.parse(raw as string);
    } catch {
      return { problem: `answered a line that is not JSON: ${clip(raw as string)}` };
    }
  }
  // The answer as text, for a message only (a batch's element is written out then).
  const text = () => (where === undefined ? (raw as string) : (JSON.stringify(raw) ?? String(raw)));
  const answered = where === undefined ? "answered" : `${where} is`;
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return { problem: `${answered} ${clip(text())}; expected a JSON object` };
  }
  const answer = json as Record<string, unknown>;
  if (answer.id !== id) {
    return {
      problem:
        where === undefined
          ? `answered with id ${JSON.stringify(answer.id)}; expected id ${id}`
          : `${where} has id ${JSON.stringify(answer.id)}; expected id ${id} (a batch is answered in the order of its requests)`,
    };
  }
  if (typeof answer.ok !== "boolean") {
    return { problem: `${answered} ${clip(text())}; expected "ok": true or false` };
  }
  // EOOPS is valid on the wire; whether this harness may answer it (it declared `oops`) is
  // the allocator client's question.
  if (
    !answer.ok &&
    (!([...ERRNOS, EOOPS] as readonly unknown[]).includes(answer.error) ||
      typeof answer.message !== "string")
  ) {
    return {
      problem: `${answered} ${clip(text())}; an "ok": false answer needs "error" (one of ${ERRNOS.join(", ")}, or ${EOOPS} where hello declares "oops") and a "message" string`,
    };
  }
  return { ok: answer as Answer };
}

/** A batch's answer line, for `n` requests whose ids start at `first`. */
export function checkBatch(text: string, n: number, first: number): Checked<Answer[]> {
  const what = `a batch of ${n} request${n === 1 ? "" : "s"} (ids ${first} to ${first + n - 1})`;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { problem: `answered ${what} with a line that is not JSON: ${clip(text)}` };
  }
  if (!Array.isArray(json)) {
    return {
      problem: `answered ${what} with ${clip(text)}; expected a JSON list of their answers, in order`,
    };
  }
  const expected = `expected ${n} answers in the order of the requests, or fewer ending at the first "ok": false answer`;
  if (json.length === 0 || json.length > n) {
    return { problem: `answered ${what} with ${json.length} answers; ${expected}` };
  }
  const answers: Answer[] = [];
  for (const [i, raw] of (json as unknown[]).entries()) {
    const got = checkAnswer(raw, first + i, `answer ${i + 1} of ${what}`);
    if ("problem" in got) return got;
    if (!got.ok.ok && i < json.length - 1) {
      return {
        problem: `answer ${i + 1} of ${what} is "ok": false, yet ${json.length - i - 1} more follow; expected the batch to stop at its first error`,
      };
    }
    answers.push(got.ok);
  }
  if (answers.length < n && (answers[answers.length - 1] as Answer).ok) {
    return {
      problem: `answered ${what} with ${answers.length} answers, the last "ok": true; ${expected}`,
    };
  }
  return { ok: answers };
}
