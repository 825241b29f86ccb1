/** A tiny TypeScript highlighter (keywords, strings, comments, numbers) for the Code tab. */
import type { ReactNode } from "react";

const TOKEN = /(\/\/.*$|\/\*.*?\*\/)|("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`(?:[^`\\]|\\.)*`)|\b(import|from|export|default|const|let|var|function|return|async|await|if|else|for|of|in|new|type|interface|extends|true|false|null|undefined|as|throw|try|catch)\b|\b(\d+(?:\.\d+)?)\b/g;

/** Returns one array of nodes per source line. Block comments and template strings spanning lines are left plain. */
export function highlight(source: string): ReactNode[][] {
  return source.split("\n").map((line) => {
    const out: ReactNode[] = [];
    let last = 0;
    for (const m of line.matchAll(TOKEN)) {
      const i = m.index ?? 0;
      if (i > last) out.push(line.slice(last, i));
      const cls = m[1] ? "com" : m[2] ? "str" : m[3] ? "kw" : "num";
      out.push(<span key={i} className={cls}>{m[0]}</span>);
      last = i + m[0].length;
    }
    if (last < line.length) out.push(line.slice(last));
    return out;
  });
}
