/** What the loader child knew when it ended while loading a file. */
export interface ChildEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** V8 reported that the heap limit was reached. */
  outOfMemory: boolean;
  /** The DAG code called `process.exit` (the child marks it on stderr before exiting). */
  exitCalled: boolean;
  /** The end of the child's stderr while loading the file, marker removed. */
  stderrTail: string;
}

/** Lines V8 prints when a process runs out of heap (`--max-old-space-size`) or other memory. */
export const OUT_OF_MEMORY = /JavaScript heap out of memory|Fatal process out of memory/;

/**
 * The import error for a file whose loader process ended: the real cause, most specific first.
 * Out of memory ends with SIGABRT and a `process.exit` call with its code, so those are named
 * before the signal or code they show up as.
 */
export function childExitCause(end: ChildEnd, memoryMb: number): string {
  if (end.outOfMemory) {
    const limit = memoryMb > 0 ? ` (limit ${memoryMb} MB)` : "";
    return (
      `ran out of memory${limit} and was stopped; a DAG file must import with little memory: ` +
      `move big reads and computations into tasks, or raise BATON_DAG_FILE_MEMORY_MB`
    );
  }
  const tail = end.stderrTail.trim() ? `; its stderr ended with:\n${end.stderrTail.trim()}` : "";
  if (end.signal) return `the process loading this file was killed by signal ${end.signal}${tail}`;
  if (end.exitCalled) return `the file called process.exit(${end.code}), which ends the process loading it; throw an error instead${tail}`;
  return `the process loading this file exited with code ${end.code}${tail}`;
}
