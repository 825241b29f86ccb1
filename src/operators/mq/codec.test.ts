import { describe, expect, it } from "vitest";
import { collectMessages, decodePayload, encodeMessage, renderMessage } from "./codec.js";

describe("message encoding", () => {
  it("sends strings as UTF-8, bytes as is and other values as JSON", () => {
    expect(encodeMessage("héllo").toString("utf8")).toBe("héllo");
    expect(encodeMessage(Buffer.from([0, 255, 1]))).toEqual(Buffer.from([0, 255, 1]));
    expect(encodeMessage(new Uint8Array([7, 8]).subarray(1))).toEqual(Buffer.from([8]));
    expect(encodeMessage({ id: 1, tags: ["a"] }).toString()).toBe('{"id":1,"tags":["a"]}');
    expect(encodeMessage(42).toString()).toBe("42");
    expect(encodeMessage(null).toString()).toBe("null");
    expect(() => encodeMessage(undefined)).toThrow(/string, a Buffer or a JSON value/);
    expect(() => encodeMessage(10n)).toThrow(/got bigint/);
  });

  it("decodes JSON when valid, else text, and base64 for bytes that are not UTF-8", () => {
    expect(decodePayload(Buffer.from('{"id":1}'))).toEqual({ id: 1 });
    expect(decodePayload(Buffer.from("plain words"))).toBe("plain words");
    expect(decodePayload(Buffer.from("7"))).toBe(7);
    expect(decodePayload(Buffer.from([0xff, 0xfe]))).toBe(Buffer.from([0xff, 0xfe]).toString("base64"));
    expect(decodePayload(encodeMessage({ a: [1, "x"] }))).toEqual({ a: [1, "x"] });
  });

  it("takes exactly one of messages or message, and renders strings but not bytes", () => {
    expect(collectMessages("p", undefined, { a: 1 })).toEqual([{ a: 1 }]);
    expect(collectMessages("p", ["x", 2], undefined)).toEqual(["x", 2]);
    expect(() => collectMessages("p", ["x"], "y")).toThrow(/exactly one of messages or message/);
    expect(() => collectMessages("p", undefined, undefined)).toThrow(/exactly one/);
    expect(() => collectMessages("p", "x", undefined)).toThrow(/messages must be an array/);
    expect(() => collectMessages("p", ["ok", undefined], undefined)).toThrow(/messages\[1\]/);
    const render = (t: string) => t.replace("{{ ds }}", "2026-01-02");
    const bytes = Buffer.from("{{ ds }}");
    expect(renderMessage({ day: "{{ ds }}", n: [1, "{{ ds }}"] }, render)).toEqual({ day: "2026-01-02", n: [1, "2026-01-02"] });
    expect(renderMessage(bytes, render)).toBe(bytes);
  });
});
