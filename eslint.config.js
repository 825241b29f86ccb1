// ESLint (flat config): type-aware promise-safety and correctness rules, no stylistic rules
// (formatting is Prettier's job: `npm run format`). See docs/contributing.md.
//
// Every TypeScript file is linted with type information (typescript-eslint's project service: each
// file is checked against its nearest tsconfig.json — the root one for src/, bench/, test/,
// examples/; ui/tsconfig.json for ui/src/). Run by `npm test` (`npm run lint:eslint`).
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

/** A subset of eslint:recommended that catches bugs TypeScript's checker does not. */
const correctness = {
  "for-direction": "error",
  "no-async-promise-executor": "error",
  "no-case-declarations": "error",
  "no-compare-neg-zero": "error",
  "no-cond-assign": "error",
  "no-constant-binary-expression": "error",
  "no-constant-condition": ["error", { checkLoops: false }],
  "no-debugger": "error",
  "no-dupe-else-if": "error",
  "no-duplicate-case": "error",
  "no-empty-character-class": "error",
  "no-empty-pattern": "error",
  "no-ex-assign": "error",
  "no-fallthrough": "error",
  "no-invalid-regexp": "error",
  "no-irregular-whitespace": "error",
  "no-loss-of-precision": "error",
  "no-misleading-character-class": "error",
  "no-prototype-builtins": "error",
  "no-self-assign": "error",
  "no-self-compare": "error",
  "no-sparse-arrays": "error",
  "no-unsafe-finally": "error",
  "no-unsafe-optional-chaining": "error",
  "no-unused-labels": "error",
  "no-useless-backreference": "error",
  "no-useless-catch": "error",
  "no-var": "error",
  "prefer-const": ["error", { destructuring: "all", ignoreReadBeforeAssign: true }],
  "require-yield": "error",
  "use-isnan": "error",
  "valid-typeof": "error",
};

/** Tests never commit a focused `.only` (it silently skips the rest of the suite). */
const noFocusedTests = {
  "no-restricted-properties": [
    "error",
    ...["describe", "it", "test", "suite", "bench"].map((object) => ({
      object,
      property: "only",
      message: "Focused tests (.only) skip the rest of the suite; remove it before committing.",
    })),
  ],
};

/** Promise safety and exhaustiveness: the rules that need the type checker. */
const typeAware = {
  "@typescript-eslint/no-floating-promises": ["error", { ignoreVoid: true }],
  "@typescript-eslint/no-misused-promises": [
    "error",
    { checksVoidReturn: { attributes: false, arguments: true, properties: true, returns: true, variables: true } },
  ],
  // Promise.all([maybePromise, undefined]) is fine: only an iterable with no promise at all is a mistake.
  "@typescript-eslint/await-thenable": ["error", { allowMixedPromiseArrays: true }],
  "@typescript-eslint/switch-exhaustiveness-check": ["error", { considerDefaultExhaustiveForUnions: true, allowDefaultCaseForExhaustiveSwitch: true }],
  "@typescript-eslint/require-array-sort-compare": ["error", { ignoreStringArrays: true }],
  "@typescript-eslint/no-for-in-array": "error",
  "@typescript-eslint/no-implied-eval": "error",
  // Rethrowing a caught `unknown` (or an AbortSignal's `any` reason) is fine; throwing a string is not.
  "@typescript-eslint/only-throw-error": ["error", { allowRethrowing: true, allowThrowingAny: true, allowThrowingUnknown: true }],
  "@typescript-eslint/prefer-promise-reject-errors": ["error", { allowThrowingAny: true, allowThrowingUnknown: true }],
};

export default defineConfig(
  {
    ignores: ["**/node_modules/**", "dist/**", "**/dist/**", "coverage/**", "ui/src/api/schema.d.ts", "templates/**", "**/*.d.ts"],
  },
  {
    linterOptions: { reportUnusedDisableDirectives: "error" },
  },
  {
    files: ["**/*.{js,mjs,cjs}"],
    languageOptions: { ecmaVersion: "latest", sourceType: "module" },
    rules: { ...correctness, ...noFocusedTests },
  },
  {
    files: ["**/*.cjs"],
    languageOptions: { sourceType: "commonjs" },
  },
  {
    files: ["**/*.{ts,tsx,mts,cts}"],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: {
        projectService: {
          // Config files outside every tsconfig's "include" get a default project.
          allowDefaultProject: ["ui/vite.config.ts"],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { "@typescript-eslint": tseslint.plugin },
    rules: { ...correctness, ...noFocusedTests, ...typeAware },
  },
  {
    // Tests sort small arrays of tuples and strings to compare them; the default order is fine there.
    files: ["**/*.test.ts", "test/**"],
    rules: { "@typescript-eslint/require-array-sort-compare": "off" },
  },
);
