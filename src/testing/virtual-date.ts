/**
 * While a test DAG runs, `Date` (`Date.now()`, `new Date()`) reads the test's virtual clock, so
 * task code, sensors and log lines see the same time as the scheduler. Timers (`setTimeout`) are
 * left real. Runs that overlap: `Date` follows the one started last that is still open.
 */
const RealDate = globalThis.Date;
const clocks: (() => number)[] = [];

function install(): void {
  const now = () => clocks.at(-1)!();
  class VirtualDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(clocks.length > 0 ? now() : RealDate.now());
      else super(...(args as [string | number | Date]));
    }
    static override now(): number {
      return clocks.length > 0 ? now() : RealDate.now();
    }
  }
  globalThis.Date = VirtualDate as DateConstructor;
}

/** Makes `Date` read `now` until the returned function is called. */
export function useVirtualDate(now: () => number): () => void {
  if (clocks.length === 0) install();
  clocks.push(now);
  return () => {
    const i = clocks.lastIndexOf(now);
    if (i >= 0) clocks.splice(i, 1);
    if (clocks.length === 0) globalThis.Date = RealDate;
  };
}
