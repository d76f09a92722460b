import type { Invariant } from "./invariant.ts";

/**
 * data-race: a field the kernel protects by a lock (each target's `shared` list: for the bitmap
 * allocator pcpu_nr_empty_pop_pages, by pcpu_lock), written in a section of one thread and read
 * or written in a section of another, with no lock held in common by the two sections, is a
 * race: the pair KCSAN reports in the kernel. Judged by locksets, as Eraser does, so the two
 * sections need not run at the same instant.
 *
 *   T1 alloc   … mutex dropped │ LOW watermark read (holding nothing)
 *   T2 free    [pcpu_lock] area freed, lock dropped (writes it)       → data-race, both named
 *
 * Source: syzbot "KCSAN: data-race in pcpu_alloc_noprof / pcpu_balance_workfn" (2024) and the
 * fix "percpu: fix data race with pcpu_nr_empty_pop_pages"; Savage et al., "Eraser" (1997).
 * Cost: runs of its own (runner/interleaveCheck.ts): the accesses of one run, pairwise per field.
 */
export const dataRace: Invariant = {
  id: "data-race",
  title: "no field the kernel protects by a lock is accessed by two threads without it",
  source:
    "syzbot 'KCSAN: data-race in pcpu_alloc_noprof / pcpu_balance_workfn' (2024); 'percpu: fix data race with pcpu_nr_empty_pop_pages'",
  cost: "runs of its own: a run's accesses to each shared field, pairwise",
  needs: ["threads"],
  ownRuns: "interleavings",
};
