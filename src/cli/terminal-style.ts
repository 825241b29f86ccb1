import { styleText } from "node:util";

type Format = Parameters<typeof styleText>[0];

/** Colours for one output stream: `paint(format, text)` styles text when they are on. */
export interface TerminalStyle {
  readonly colors: boolean;
  /** `format` null: the text as it is. */
  paint(format: Format | null, text: string): string;
}

/**
 * Whether to colour `stream`: `FORCE_COLOR` (anything but `0`/`false`) turns colours on even
 * when piped; otherwise `NO_COLOR` (any non-empty value, https://no-color.org) turns them off;
 * otherwise they are on for a terminal that supports them (`TERM=dumb` does not).
 */
export function colorsWanted(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== "0" && force.toLowerCase() !== "false";
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  return stream.isTTY === true && (typeof stream.hasColors !== "function" || stream.hasColors());
}

export function terminalStyle(colors: boolean): TerminalStyle {
  return {
    colors,
    // The decision is ours (Node 20's styleText always styles; later ones check the stream).
    paint: (format, text) => (colors && format !== null ? styleText(format, text, { validateStream: false }) : text),
  };
}
