/**
 * Topologies for property runs: 1 to 64 possible CPUs over 1 to 4 nodes, NR_CPUS from 8 to
 * 512, dense and sparse possible sets, some CPUs present but offline, some possible but not
 * present, and sometimes a node that only impossible CPUs map to (so that possible-only can
 * see memory held for an impossible CPU). Possible sets below CPU 8 are frequent, so the
 * relational NR_CPUS 8 / 512 check has runs to judge.
 *
 * The possible set is drawn two ways. Most runs draw a small set as fast-check sizes arrays
 * (at its default size, at most about 12 CPUs: the sets the relational check and the hotplug
 * rules need); one draw in seven is a large machine: every CPU up to NR_CPUS where that is at
 * most 64, else 64 to 128 possible CPUs (0..63 or spread across NR_CPUS), so that the
 * `cpus-64` depth goal is met and units are laid out for as many CPUs as real servers have.
 * A large set shrinks toward 64 CPUs, and the choice itself toward the small sets.
 *
 * A `shape` fixes the number of possible CPUs (0..n-1, NR_CPUS at least n) or of nodes, for a
 * diff held to a topology (`diff --cpus 64 --nodes 4`); the rest is drawn as always.
 *
 * A target that requires possible CPUs 0..n-1 (`densePossible`: 2.6.30 indexes units by CPU
 * number, and x86's prefill_possible_map only makes such masks) gets the same draws with the
 * possible set renumbered to 0..n-1 in order: the same sizes, nodes, present and online choices.
 */
import fc from "fast-check";
import type { BootConfig } from "../../impl/index.ts";

export const NR_CPUS_CHOICES = [8, 16, 64, 128, 512] as const;
/** Property runs give the machine address space to spare (exhaustion is a metric). */
export const RUN_VMALLOC_BYTES = 2 ** 31;
/** A large machine's possible CPUs: at least this many (where NR_CPUS allows)... */
export const LARGE_POSSIBLE_MIN = 64;
/** ... and at most this many. */
export const LARGE_POSSIBLE_MAX = 128;

const range = (n: number): number[] => Array.from({ length: n }, (_, c) => c);

/** The possible CPUs of a large machine of NR_CPUS `nrCpus`. */
function largePossible(nrCpus: number): fc.Arbitrary<number[]> {
  if (nrCpus <= LARGE_POSSIBLE_MIN) return fc.constant(range(nrCpus));
  const all = range(nrCpus);
  return fc.oneof(
    fc.constant(range(LARGE_POSSIBLE_MIN)),
    fc
      .integer({ min: LARGE_POSSIBLE_MIN, max: Math.min(nrCpus, LARGE_POSSIBLE_MAX) })
      .chain((n) => fc.shuffledSubarray(all, { minLength: n, maxLength: n })),
  );
}

/** A topology held fixed in part: this many possible CPUs (0..n-1), this many nodes. */
export interface TopologyShape {
  readonly possibleCpus?: number;
  readonly nodes?: number;
}

export function topologyArbitrary(
  options: { densePossible?: boolean; shape?: TopologyShape } = {},
): fc.Arbitrary<BootConfig> {
  const { possibleCpus, nodes } = options.shape ?? {};
  const nrCpusChoices = NR_CPUS_CHOICES.filter((n) => n >= (possibleCpus ?? 1));
  // One present and one online flag per possible CPU (a large machine's CPUs past the 64th
  // are present and online).
  const flags = Math.max(64, possibleCpus ?? 0);
  return fc
    .record({
      nrNodes: nodes === undefined ? fc.integer({ min: 1, max: 4 }) : fc.constant(nodes),
      nrCpus: fc.constantFrom(...nrCpusChoices),
      emptyNode: fc.boolean(),
    })
    .chain(({ nrNodes, nrCpus, emptyNode }) => {
      const cpu = fc.oneof(
        { weight: 3, arbitrary: fc.integer({ min: 0, max: 7 }) },
        { weight: 1, arbitrary: fc.integer({ min: 0, max: nrCpus - 1 }) },
      );
      return fc.record({
        nrNodes: fc.constant(nrNodes),
        nrCpus: fc.constant(nrCpus),
        emptyNode: fc.constant(emptyNode && nrNodes > 1 && possibleCpus === undefined),
        possible:
          possibleCpus === undefined
            ? fc.oneof(
                { weight: 6, arbitrary: fc.uniqueArray(cpu, { minLength: 1, maxLength: 64 }) },
                { weight: 1, arbitrary: largePossible(nrCpus) },
              )
            : fc.constant(Array.from({ length: possibleCpus }, (_, c) => c)),
        nodes: fc.array(fc.integer({ min: 0, max: nrNodes - 1 }), {
          minLength: nrCpus,
          maxLength: nrCpus,
        }),
        absent: fc.array(fc.boolean(), { minLength: flags, maxLength: flags }),
        offline: fc.array(fc.boolean(), { minLength: flags, maxLength: flags }),
      });
    })
    .map((t) => {
      const drawn = [...t.possible].sort((a, b) => a - b);
      const possible = options.densePossible === true ? drawn.map((_, i) => i) : drawn;
      const isPossible = new Set(possible);
      const cpuToNode = t.nodes.map((node, cpu) =>
        t.emptyNode && isPossible.has(cpu) ? node % (t.nrNodes - 1) : node,
      );
      // The first possible CPU boots: present and online; others are present unless `absent`,
      // online unless `offline`.
      const present = possible.filter((_, i) => i === 0 || !t.absent[i]);
      const online = present.filter((_, i) => i === 0 || !t.offline[i]);
      return {
        nrCpus: t.nrCpus,
        possible,
        present,
        online,
        cpuToNode,
        nrNodes: t.nrNodes,
        pageSize: 4096,
        vmallocBytes: RUN_VMALLOC_BYTES,
      };
    });
}
