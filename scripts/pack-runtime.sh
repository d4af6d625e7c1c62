#!/usr/bin/env bash
# Packs the corepy package as corepy-<version>.tgz into the folder given (default: the repository
# root) and prints the tarball's file name. Called by extension/package.sh (`npm run package`).
# The package ships the tutorials, PROFILING_GUIDE.md and the benchmarks it cites, which live at the repository root, outside
# runtime/: `npm pack` takes files from the package's own folder only, so this packs a staged copy of
# runtime/ with tutorials/ and the guide beside its files, and runtime/PACKAGE-README.md as its
# README.md. runtime/package.json "files" still decides what goes in (tutorials/assets/ stays out:
# generated images and pages, and a generator that needs the repository). Nothing is copied into
# runtime/ itself, so nothing is committed twice.
source "$(dirname "$0")/lib.sh"
dest="$(cd "${1:-$ROOT}" && pwd)"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
cd "$ROOT"
# dist/corepy.cjs is what `require('corepy')` loads, and the package has no tsbuildinfo to tell it is stale:
# after a bare `tsc -b runtime` (no scripts/build.sh) it would ship old code, so bundle dist/ again when any
# of its modules is newer than the bundle (`npm run package` has just built it: no second 2–3 s bundle).
if [ ! -f runtime/dist/corepy.cjs ] || [ -n "$(find runtime/dist -name '*.js' -newer runtime/dist/corepy.cjs -print -quit)" ]; then
  node runtime/build-cjs.mjs
fi
# What runtime/package.json "files" names (first path segment of each entry), and the manifest.
cp runtime/package.json "$stage/"
for top in $(node -p 'const f = require("./runtime/package.json").files; [...new Set(f.filter((e) => !e.startsWith("!")).map((e) => e.split("/")[0]))].join("\n")'); do
  if [ -e "runtime/$top" ]; then cp -rL "runtime/$top" "$stage/"; fi
done
cp -r tutorials "$stage/tutorials"
# The guide cites runtime/BENCHMARKS.md for its figures, which "files" ships at the package's root,
# beside the guide: its links are rewritten to match.
sed 's#](runtime/BENCHMARKS\.md)#](BENCHMARKS.md)#g' PROFILING_GUIDE.md > "$stage/PROFILING_GUIDE.md"
# The package's README.md (what npm shows, what a user finds in node_modules/corepy/) is the users'
# one; runtime/README.md stays the contributors' map of the folder.
cp runtime/PACKAGE-README.md "$stage/README.md"
# tutorials/tsconfig.json extends the repository's tsconfig.base.json, which a user's folder lacks:
# ship it with the base options merged in, so editors and `tsc -p tutorials` read the same settings.
node -e '
const fs = require("fs");
const base = JSON.parse(fs.readFileSync("tsconfig.base.json", "utf8"));
const own = JSON.parse(fs.readFileSync("tutorials/tsconfig.json", "utf8"));
if (own.extends !== "../tsconfig.base.json") throw new Error("tutorials/tsconfig.json: expected to extend ../tsconfig.base.json");
delete own.extends;
own.compilerOptions = { ...base.compilerOptions, ...own.compilerOptions };
fs.writeFileSync(process.argv[1], JSON.stringify(own, null, 2) + "\n");
' "$stage/tutorials/tsconfig.json"
(cd "$stage" && npm pack --pack-destination "$dest" --loglevel=error | tail -1)
