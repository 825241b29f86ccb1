#!/usr/bin/env bash
# Runs a representative part of the suite under Node 24 LTS (the README's supported versions: 20, 22, 24).
# The Node 24 binary comes from the npm registry (the `node-<platform>-<arch>` package, which also
# carries the headers), in a scratch copy of the repository whose better-sqlite3 is rebuilt for
# Node 24's ABI; this checkout's node_modules stay as they are. Needs the build (dist/) done.
set -euo pipefail
cd "$(dirname "$0")/.."
major="${BATON_NODE_MAJOR:-24}"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

platform="$(node -p 'process.platform + "-" + process.arch')"
(cd "$scratch" && npm pack "node-${platform}@${major}" --loglevel=error >/dev/null && tar xzf node-*.tgz && mv package node)
node_bin="$scratch/node/bin/node"
echo "test-node24: $("$node_bin" --version) ($platform)"

# A copy of the checkout with hard-linked node_modules: the rebuild replaces better-sqlite3's build/ in the copy only.
mkdir "$scratch/repo"
git ls-files -z | tar -cf - --null -T - | tar -xf - -C "$scratch/repo"
cp -al node_modules "$scratch/repo/node_modules"
cp -a dist "$scratch/repo/dist"
(cd "$scratch/repo" && npm rebuild better-sqlite3 --nodedir="$scratch/node" --loglevel=error >/dev/null)

# Core, SDK, scheduler (on the manual clock), SQLite store, executor (real worker processes), DAG
# processor, baton/testing, and the CLI end to end: child processes inherit Node 24 (process.execPath).
cd "$scratch/repo"
"$node_bin" node_modules/vitest/vitest.mjs run --reporter=dot \
  src/core src/sdk src/scheduler src/store/sqlite src/executor src/dag-processor src/testing \
  test/scheduler test/e2e/cli.test.ts test/e2e/dags-test-json.test.ts
