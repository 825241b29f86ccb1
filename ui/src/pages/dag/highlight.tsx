/** Highlighted TypeScript for the Code tab (tokens from ./tokenize: comments and strings first). */
import type { ReactNode } from "react";
import { tokenize } from "./tokenize";

/** Returns one array of nodes per source line. */
export function highlight(source: string): ReactNode[][] {
  return tokenize(source).map((line) =>
    line.map((t, i) =>
      t.kind === "plain" ? (
        t.text
      ) : (
        <span key={i} className={t.kind}>
          {t.text}
        </span>
      ),
    ),
  );
}
