/**
 * Stryker's vitest setup file (vitest.stryker.config.ts): every fast-check property without a
 * seed of its own draws from this one, so a mutant is killed or survives the same way on every
 * run. The suite's properties pass their seeds already; this keeps any new one deterministic.
 */
import fc from "fast-check";

export const MUTATION_SEED = 20051;

fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: MUTATION_SEED });
