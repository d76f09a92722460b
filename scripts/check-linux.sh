#!/usr/bin/env bash
# The real kernel's harness, checked at the default budget, as CI does it for one tree:
#   scripts/check-linux.sh VERSION        (6.12 or 6.1)
# fetches the tree (scripts/fetch-linux-source.sh), builds harnesses/linux from it as it is and
# with our fix of its finding 13 (edits/chunk-md-free-end.mut), and checks both:
#   - the tree as it is must fail completeness, with a counterexample, and nothing else: the
#     kernel's own bug (harnesses/linux/README.md, finding 13), still found; any other failure,
#     or its passing, fails this script;
#   - the tree with the fix must pass every black-box invariant;
#   - (6.12) `diff bitmap-2017-kernel` against the tree as it is must agree on every step.
# Exit 0 when both hold; otherwise the failing check's exit code (1 when the verdicts differ).
set -euo pipefail
cd "$(dirname "$0")/.."
v=${1:?usage: scripts/check-linux.sh VERSION (6.12 or 6.1)}
ksrc="$(scripts/fetch-linux-source.sh "$v" | tail -1)"
make -C harnesses/linux -j1 KSRC="$ksrc" BUILD="build/$v"
make -C harnesses/linux -j1 KSRC="$ksrc" BUILD="build/$v" EDIT=chunk-md-free-end
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

echo "== linux $v as it is: every black-box invariant judged; completeness must fail (finding 13)"
status=0
npx pcpu-verify check --external "harnesses/linux/build/$v/pcpu-linux" --out "$out/base" \
  --json >"$out/base.json" || status=$?
node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const by = (s) => r.results.filter((x) => x.status === s).map((x) => x.invariant);
for (const x of r.results)
  console.log(`  ${x.invariant.padEnd(22)} ${x.status}${x.counterexample ? ` (${x.counterexample.length} steps)` : ""}`);
const fail = by("fail"), other = r.results.filter((x) => x.status !== "fail" && x.status !== "pass");
if (fail.join() !== "completeness" || other.length > 0 || process.argv[2] !== "1") {
  console.error(`expected exactly completeness to fail (exit 1), got fail: [${fail}], other: [${other.map((x) => `${x.invariant} ${x.status}`)}], exit ${process.argv[2]}`);
  process.exit(1);
}
console.log("  as expected: completeness fails on the kernel'"'"'s own bug, every other invariant passes");
' "$out/base.json" "$status"

echo "== linux $v with edits/chunk-md-free-end.mut: every black-box invariant must pass"
npx pcpu-verify check --external "harnesses/linux/build/$v/pcpu-linux-chunk-md-free-end" \
  --out "$out/fixed"

# The model held to the real code (docs/revisions.md, bitmap-2017-kernel): 6.12 only, whose
# behaviour the configuration follows; drawn topologies, then 64 possible CPUs on 4 nodes.
if [ "$v" = "6.12" ]; then
  echo "== diff bitmap-2017-kernel against linux $v (--small-unit): every step must agree"
  npx pcpu-verify diff bitmap-2017-kernel --head-external "harnesses/linux/build/$v/pcpu-linux --small-unit" \
    --runs 400 --out "$out/diff"
  npx pcpu-verify diff bitmap-2017-kernel --head-external "harnesses/linux/build/$v/pcpu-linux --small-unit" \
    --runs 40 --cpus 64 --nodes 4 --out "$out/diff64"
fi
