import type { Invariant } from "./invariant.ts";

/**
 * no-oops: the allocator never hits an internal error: no exception escapes it, as no BUG()
 * or oops may fire in the kernel for any sequence of valid or invalid requests (bad input is
 * answered EINVAL). Judged by the session around every call into the allocator.
 *
 * Source: the 2005 design's BUG() on a free of an unknown address, turned into EINVAL by the
 * protocol; CVE-2016-4794 (a chunk destroyed under pending work: use after free).
 * Cost: nothing beyond the call.
 */
export const noOops: Invariant = {
  id: "no-oops",
  title: "no internal error (BUG, oops, exception) for any request",
  source: "the 2005 free_percpu BUG(); CVE-2016-4794",
  cost: "none",
  needs: [],
};
