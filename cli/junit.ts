/**
 * `check --junit FILE`: the check as a JUnit XML report, the format CI systems (GitHub
 * Actions reporters, GitLab, Jenkins) read. One <testsuite> per target, one <testcase> per
 * invariant (classname: the target). A pass, or an expected failure (by design, or a mutant's
 * seeded bug), is a passing case; an unexpected failure, or a mutant that survived the
 * invariant it must break, is a <failure> with the counterexample; not-checked is <skipped>;
 * a harness crash, hang or protocol error is an <error>.
 */
import { XMLBuilder } from "fast-xml-parser";
import type { CheckResultJson } from "./checkCommand.ts";
import { plural } from "./format.ts";

export interface JunitCase {
  readonly result: CheckResultJson;
  /** The mutant must break this invariant and it passed. */
  readonly survived: boolean;
}

type XmlNode = Record<string, unknown>;

function testcase({ result, survived }: JunitCase): XmlNode {
  const node: XmlNode = {
    "@_classname": result.target,
    "@_name": result.invariant,
  };
  const ce = result.counterexample;
  const trace = ce
    ? [
        `${ce.message}`,
        `counterexample (${plural(ce.length, "step")}): ${ce.file}`,
        ...ce.commands.map((c, i) => `${String(i).padStart(3)}  ${JSON.stringify(c)}`),
      ].join("\n")
    : undefined;
  if (survived) {
    node.failure = {
      "@_message": `the mutant survived ${result.invariant}: it must break it`,
      "@_type": "survived",
    };
  } else if (result.status === "fail" && result.expected !== true) {
    node.failure = { "@_message": ce?.message ?? "failed", "@_type": "violation", "#text": trace };
  } else if (result.status === "fail") {
    node["system-out"] = `expected failure: ${result.reason ?? ""}\n${trace ?? ""}`;
  } else if (result.status === "not-checked") {
    node.skipped = { "@_message": result.reason ?? "not checked" };
  } else if (result.status !== "pass") {
    node.error = {
      "@_message": ce?.message ?? result.status,
      "@_type": result.status,
      "#text": trace,
    };
  }
  return node;
}

/** The JUnit XML of a check's results, grouped by target in order. */
export function junitXml(cases: readonly JunitCase[], elapsedMs: number, seed: number): string {
  const suites = new Map<string, JunitCase[]>();
  for (const c of cases) {
    const list = suites.get(c.result.target) ?? [];
    list.push(c);
    suites.set(c.result.target, list);
  }
  const count = (list: readonly JunitCase[], kind: "failure" | "error" | "skipped") =>
    list.map(testcase).filter((n) => n[kind] !== undefined).length;
  const doc = {
    "?xml": { "@_version": "1.0", "@_encoding": "UTF-8" },
    testsuites: {
      "@_name": "pcpu-verify check",
      "@_tests": cases.length,
      "@_failures": count(cases, "failure"),
      "@_errors": count(cases, "error"),
      "@_skipped": count(cases, "skipped"),
      "@_time": (elapsedMs / 1000).toFixed(3),
      testsuite: [...suites.entries()].map(([target, list]) => ({
        "@_name": target,
        "@_tests": list.length,
        "@_failures": count(list, "failure"),
        "@_errors": count(list, "error"),
        "@_skipped": count(list, "skipped"),
        properties: { property: [{ "@_name": "seed", "@_value": seed }] },
        testcase: list.map(testcase),
      })),
    },
  };
  const builder = new XMLBuilder({
    ignoreAttributes: false,
    attributeNamePrefix: "@_",
    format: true,
    suppressEmptyNode: true,
  });
  return builder.build(doc) as string;
}
