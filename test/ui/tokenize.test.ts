import { describe, expect, it } from "vitest";
import { tokenize, type Token } from "../../ui/src/pages/dag/tokenize.js";

/** `kind:text` of each non-blank token, per line. */
const show = (src: string) => tokenize(src).map((line) => line.filter((t) => t.text.trim() !== "").map((t: Token) => `${t.kind}:${t.text.trim()}`));
const kinds = (src: string, kind: Token["kind"]) =>
  tokenize(src)
    .flat()
    .filter((t) => t.kind === kind)
    .map((t) => t.text);

// Issue 12: the Code tab highlighted keywords inside comments (the old highlighter went line by line).
describe("Code tab tokenizer", () => {
  it("keeps a block comment over several lines one comment: no keyword inside it", () => {
    const src = "/**\n * Imports the data, then returns if new rows\n * for the export.\n */\nexport const x = 1;";
    expect(show(src)).toEqual([
      ["com:/**"],
      ["com:* Imports the data, then returns if new rows"],
      ["com:* for the export."],
      ["com:*/"],
      ["kw:export", "kw:const", "plain:x =", "num:1", "plain:;"],
    ]);
  });

  it("keeps line comments, strings and template strings whole, wherever quotes and keywords fall", () => {
    expect(kinds("const a = 'it is // not a comment'; // don't return\nreturn a;", "kw")).toEqual(["const", "return"]);
    expect(kinds("const a = 'it is // not a comment'; // don't return", "com")).toEqual(["// don't return"]);
    expect(kinds('fetch("http://example.com/if/else")', "str")).toEqual(['"http://example.com/if/else"']);
    const tpl = "const q = `select *\nfrom t where ${new Date()} in ${f({ a: 1 })}`;";
    expect(kinds(tpl, "kw")).toEqual(["const", "new"]);
    expect(
      tokenize(tpl)[1]!
        .map((t) => t.text)
        .join(""),
    ).toBe("from t where ${new Date()} in ${f({ a: 1 })}`;");
    expect(kinds(tpl, "num")).toEqual(["1"]);
  });

  it("tells regular expressions from division, and property names from keywords", () => {
    expect(kinds("const re = /'[a-z/]+/g; const h = w / 2 / 3;", "str")).toEqual(["/'[a-z/]+/g"]);
    expect(kinds("task.default + x.new", "kw")).toEqual([]);
    expect(kinds("const n = 0x1f + 1_000 + 2.5e3;", "num")).toEqual(["0x1f", "1_000", "2.5e3"]);
  });

  it("rebuilds the source exactly", () => {
    const src = "import { dag } from \"baton\";\n/* a\n b */\nconst s = `x${1 + `y${2}`}z`; // end\n\nexport default dag({ id: 'etl' });";
    expect(
      tokenize(src)
        .map((l) => l.map((t) => t.text).join(""))
        .join("\n"),
    ).toBe(src);
  });
});
