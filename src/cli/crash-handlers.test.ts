import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { installCrashHandlers } from "./crash-handlers.js";

/** A stand-in for `process`: the events Node emits, and an exit that records its code. */
function fakeProcess() {
  const proc = new EventEmitter() as EventEmitter & { exitCode?: number; exit: (code: number) => void };
  proc.exit = (code: number) => {
    proc.exitCode = code;
  };
  return proc;
}

describe("installCrashHandlers", () => {
  it("logs an unhandled rejection as one JSON line with its stack and exits 70", () => {
    const proc = fakeProcess();
    const lines: string[] = [];
    installCrashHandlers(proc as unknown as NodeJS.Process, (l) => lines.push(l));
    proc.emit("unhandledRejection", new Error("store went away"), Promise.resolve());
    expect(proc.exitCode).toBe(70);
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]!) as { msg: string; err: { message: string; stack: string } };
    expect(entry.msg).toMatch(/unhandled promise rejection/);
    expect(entry.err.message).toBe("store went away");
    expect(entry.err.stack).toContain("crash-handlers.test.ts");
  });

  it("names a thrown non-Error value too", () => {
    const proc = fakeProcess();
    const lines: string[] = [];
    installCrashHandlers(proc as unknown as NodeJS.Process, (l) => lines.push(l));
    proc.emit("uncaughtException", "plain string");
    expect(proc.exitCode).toBe(70);
    expect(JSON.parse(lines[0]!).err.message).toBe("plain string");
  });
});
