import { InvalidInputError } from "../../core/errors.js";

/**
 * A matcher of "/"-separated relative paths for a glob: `*` and `?` within one name, `**`
 * across folders (`**\/` also matches no folder), `{a,b}` alternatives. Names starting with "."
 * (hidden and temporary files) match only a pattern segment that starts with ".".
 *
 * @example globMatcher("**\/*.{csv,tsv}")("2026/01/sales.csv") // true
 */
export function globMatcher(pattern: string): (path: string) => boolean {
  const re = new RegExp(`^${globToRegex(pattern)}$`);
  const dotSegments = pattern.split("/").some((s) => s.startsWith("."));
  return (path) => re.test(path) && (dotSegments || !path.split("/").some((s) => s.startsWith(".")));
}

/** Whether matching `pattern` needs to look into sub-folders. */
export function globIsRecursive(pattern: string): boolean {
  return pattern.includes("/");
}

function globToRegex(pattern: string): string {
  let out = "";
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*" && pattern[i + 1] === "*") {
      const slash = pattern[i + 2] === "/";
      out += slash ? "(?:.*/)?" : ".*";
      i += slash ? 2 : 1;
    } else if (c === "*") out += "[^/]*";
    else if (c === "?") out += "[^/]";
    else if (c === "{") {
      depth++;
      out += "(?:";
    } else if (c === "}" && depth > 0) {
      depth--;
      out += ")";
    } else if (c === "," && depth > 0) out += "|";
    else out += c.replace(/[.+^$()|[\]\\]/g, "\\$&");
  }
  if (depth !== 0) throw new InvalidInputError(`pattern "${pattern}" has an unclosed "{"`);
  return out;
}
