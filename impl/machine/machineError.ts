/**
 * An allocator broke a rule of the simulated machine: it mapped a page twice, released an area
 * it did not reserve, freed a page it did not hold. In the kernel this is a BUG() or silent
 * corruption; here it is an exception that the property runner reports as a failure of the
 * allocator under test. Bad input from a user never raises it: that is an EINVAL result.
 */
export class MachineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MachineError";
  }
}
