/**
 * A TypeScript/JavaScript tokenizer for the Code tab: one pass over the whole source, so comments
 * and strings are recognised first and keep what they contain (a block comment or template string
 * over several lines, a keyword inside a comment or a string, a quote inside a regular expression).
 * Neither Shiki nor Prism is a dependency of the UI; this covers what a DAG file needs.
 */
export type TokenKind = "kw" | "str" | "com" | "num" | "plain";
export interface Token {
  kind: TokenKind;
  text: string;
}

const KEYWORDS = new Set(
  (
    "abstract as async await break case catch class const continue declare default delete do else enum export extends false " +
    "finally for from function if implements import in instanceof interface keyof let namespace new null of private protected " +
    "public readonly return satisfies static super switch this throw true try type typeof undefined var void while yield"
  ).split(" "),
);
const IDENT = /[A-Za-z_$][\w$]*/y;
const NUMBER = /(?:0[xX][\da-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(?:\d[\d_]*)?\.?\d[\d_]*(?:[eE][+-]?\d+)?)n?/y;

/** Tokens of `source`, split into lines (a token that spans lines is cut at each newline). */
export function tokenize(source: string): Token[][] {
  const lines: Token[][] = [[]];
  const push = (kind: TokenKind, text: string) => {
    const parts = text.split("\n");
    parts.forEach((part, i) => {
      if (i > 0) lines.push([]);
      if (part === "") return;
      const line = lines[lines.length - 1]!;
      const prev = line[line.length - 1];
      if (prev && prev.kind === kind) prev.text += part;
      else line.push({ kind, text: part });
    });
  };
  /** Whether a `/` here starts a regular expression (not a division): after an operator or keyword. */
  let regexAllowed = true;
  let i = 0;
  const n = source.length;
  while (i < n) {
    const c = source[i]!;
    const next = source[i + 1];
    if (c === "/" && next === "/") {
      const end = source.indexOf("\n", i);
      const stop = end < 0 ? n : end;
      push("com", source.slice(i, stop));
      i = stop;
    } else if (c === "/" && next === "*") {
      const end = source.indexOf("*/", i + 2);
      const stop = end < 0 ? n : end + 2;
      push("com", source.slice(i, stop));
      i = stop;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < n && source[j] !== c && source[j] !== "\n") j += source[j] === "\\" ? 2 : 1;
      const stop = Math.min(n, j + 1);
      push("str", source.slice(i, stop));
      i = stop;
      regexAllowed = false;
    } else if (c === "`") {
      i = template(source, i, push);
      regexAllowed = false;
    } else if (c === "/" && regexAllowed) {
      let j = i + 1;
      let inClass = false;
      while (j < n && source[j] !== "\n" && (inClass || source[j] !== "/")) {
        if (source[j] === "\\") j++;
        else if (source[j] === "[") inClass = true;
        else if (source[j] === "]") inClass = false;
        j++;
      }
      if (source[j] === "/") {
        j++;
        while (j < n && /[a-z]/.test(source[j]!)) j++;
        push("str", source.slice(i, j));
        i = j;
      } else {
        push("plain", c);
        i++;
      }
      regexAllowed = false;
    } else if (/[A-Za-z_$]/.test(c)) {
      IDENT.lastIndex = i;
      const word = IDENT.exec(source)![0];
      const kw = KEYWORDS.has(word) && source[i - 1] !== ".";
      push(kw ? "kw" : "plain", word);
      i += word.length;
      regexAllowed = kw && !["this", "super", "true", "false", "null", "undefined"].includes(word);
    } else if (/\d/.test(c) || (c === "." && next !== undefined && /\d/.test(next))) {
      NUMBER.lastIndex = i;
      const num = NUMBER.exec(source)?.[0] || c;
      push("num", num);
      i += num.length;
      regexAllowed = false;
    } else {
      push("plain", c);
      i++;
      if (!/\s/.test(c)) regexAllowed = !/[)\]}]/.test(c);
    }
  }
  return lines;
}

/** A template literal from its opening backtick; `${…}` parts are tokenized as code. */
function template(source: string, start: number, push: (kind: TokenKind, text: string) => void): number {
  let i = start + 1;
  let from = start;
  const n = source.length;
  while (i < n && source[i] !== "`") {
    if (source[i] === "\\") i += 2;
    else if (source[i] === "$" && source[i + 1] === "{") {
      push("str", source.slice(from, i + 2));
      let depth = 1;
      let j = i + 2;
      while (j < n && depth > 0) {
        if (source[j] === "{") depth++;
        else if (source[j] === "}") depth--;
        if (depth > 0) j++;
      }
      for (const line of tokenize(source.slice(i + 2, j)).map((l, k) => (k > 0 ? [{ kind: "plain" as const, text: "\n" }, ...l] : l))) {
        for (const t of line) push(t.kind, t.text);
      }
      from = j;
      i = j + 1;
    } else i++;
  }
  const stop = Math.min(n, i + 1);
  push("str", source.slice(from, stop));
  return stop;
}
