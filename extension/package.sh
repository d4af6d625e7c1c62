#!/usr/bin/env bash
# Packages the extension as corepy-profiler-<version>.vsix with @vscode/vsce 3.9.2 (from
# .cache/tools, installed by scripts/setup.d/50-code-server.sh), and the runtime as
# corepy-<version>.tgz (scripts/pack-runtime.sh: runtime/ with the tutorials and the guide) next to
# it. Expects `npm run build` first.
# Stages a clean folder: the manifest, extension/dist (esbuild bundles), the runtime (dist +
# kernels + assets, so scripts without their own corepy still profile), the runtime tarball (for
# "Corepy: Add corepy to this workspace"), out/webview, syntaxes, and tsx with esbuild (so .ts
# programs run on a Node without type stripping when the workspace has no tsx).
# The .vsix is platform-specific (vsce --target, default: this machine's, e.g. linux-x64;
# COREPY_VSIX_TARGET overrides): it carries only that platform's Dawn (webgpu) and esbuild
# binaries, which are most of its size.
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"
target="${COREPY_VSIX_TARGET:-$(node -p 'process.platform + "-" + process.arch')}"
# webgpu names its macOS folder darwin-universal.
case "$target" in darwin-*) dawn=darwin-universal ;; *) dawn="$target" ;; esac
stage="$(mktemp -d)/corepy-profiler"
mkdir -p "$stage"
node -e '
const pkg = require("./package.json");
for (const k of ["workspaces", "devDependencies", "scripts", "private", "allowScripts"]) delete pkg[k];
require("fs").writeFileSync(process.argv[1] + "/package.json", JSON.stringify(pkg, null, 2));
' "$stage"
# The extension page is for users (USER-README.md); extension/README.md is the folder map for developers.
# The page's screenshot is embedded as a data: URI: VS Code draws an installed extension's page in a
# webview that resolves relative images against its own origin (so they break), and vsce rewrites
# relative links to a repository URL, of which there is none yet; --no-rewrite-relative-links below
# keeps the README as written (vsce then skips its https-only image check).
node -e '
const fs = require("fs");
const png = fs.readFileSync("docs/extension-codelens.png").toString("base64");
const md = fs.readFileSync("extension/USER-README.md", "utf8").replace("](../docs/extension-codelens.png)", "](data:image/png;base64," + png + ")");
if (!md.includes("](data:image/png;base64,")) throw new Error("USER-README.md: the screenshot link ../docs/extension-codelens.png is gone");
fs.writeFileSync(process.argv[1] + "/README.md", md);
' "$stage"
[ -f LICENSE ] && cp LICENSE "$stage/"
# The stage holds exactly what ships, so nothing is to be ignored; the file says so to vsce, which
# otherwise warns that nothing limits what it packs.
printf '%s\n' '# The packaging stage (extension/package.sh) holds only what ships: nothing to ignore.' > "$stage/.vscodeignore"
mkdir -p "$stage/extension" "$stage/runtime" "$stage/out" "$stage/runtime-package"
cp -r extension/dist extension/media "$stage/extension/"
rm -f "$stage"/extension/dist/*.map "$stage/extension/dist/.build-stamp"
cp runtime/package.json "$stage/runtime/"
for d in dist kernels assets schemas node_modules; do [ -e "runtime/$d" ] && cp -rL "runtime/$d" "$stage/runtime/"; done
[ -d out/webview ] && cp -r out/webview "$stage/out/"
cp -r syntaxes "$stage/" && rm -rf "$stage/syntaxes/test"
# tsx and what it needs at run time (esbuild's JS API + this platform's binary), inside the bundled
# runtime's node_modules: vsce --no-dependencies leaves out the top-level node_modules only.
for m in tsx esbuild "@esbuild/$target"; do
  [ -d "node_modules/$m" ] && mkdir -p "$stage/runtime/node_modules/$(dirname "$m")" && cp -rL "node_modules/$m" "$stage/runtime/node_modules/$m"
done
# esbuild's JS API runs the binary of its platform package; the copy npm's install put in esbuild/bin is
# only for its command line, which nothing here runs (11 MB).
rm -f "$stage/runtime/node_modules/esbuild/bin/esbuild"
# Every package the runtime needs at run time: runtime/package.json "dependencies" and theirs,
# transitively (scripts/runtime-dependencies.cjs; derived, not listed here, so a new dependency cannot be missed).
deps="$(node scripts/runtime-dependencies.cjs "$ROOT")"
for m in $deps; do
  [ -d "node_modules/$m" ] && [ ! -d "$stage/runtime/node_modules/$m" ] && mkdir -p "$stage/runtime/node_modules/$(dirname "$m")" && cp -rL "node_modules/$m" "$stage/runtime/node_modules/$m"
done
# Dawn for the target platform only (the others are ~110 MB of the package).
if [ -d "$stage/runtime/node_modules/webgpu/dist" ]; then
  find "$stage/runtime/node_modules/webgpu/dist" -mindepth 1 -maxdepth 1 -type d ! -name "$dawn" -exec rm -rf {} +
fi
# Files of the runtime's dependencies that nothing in the profiled script's process loads (measured:
# 65.5 MB unpacked, 20.2 MB packed before these cuts; unzip -v sizes in the commit that added them).
# - typescript: the rules parse the user's code with its compiler API only (createSourceFile and
#   createScanner, the runtime's profiler/rules/ast.ts: require('typescript') = lib/typescript.js); tsc,
#   tsserver, the lib.*.d.ts files a type-check reads and the translated messages are 15 MB of its 24.
# - @opentelemetry/api and csv-parse: their builds for bundlers and browsers (Node's require and import
#   resolve through "exports" to build/src and to lib/ + dist/cjs).
ts="$stage/runtime/node_modules/typescript"
if [ -d "$ts" ]; then
  find "$ts/lib" -mindepth 1 -maxdepth 1 ! -name typescript.js -exec rm -rf {} +
  rm -rf "$ts/bin"
  node -e 'require(process.argv[1]).createSourceFile("a.ts", "let a = 1;", 99)' "$ts"
fi
rm -rf "$stage/runtime/node_modules/@opentelemetry/api/build/esm" "$stage/runtime/node_modules/@opentelemetry/api/build/esnext"
rm -rf "$stage/runtime/node_modules/csv-parse/dist/esm" "$stage/runtime/node_modules/csv-parse/dist/iife" "$stage/runtime/node_modules/csv-parse/dist/umd"
# Source maps of the runtime point at sources that are not shipped.
find "$stage/runtime/dist" "$stage/out" -name "*.map" -delete
rm -rf "$stage/runtime/dist/bench" "$stage/runtime/dist/demo".*
version="$(node -p 'require("./package.json").version')"
# The runtime as an npm package users install (`npm i ./corepy-<version>.tgz`), beside the .vsix
# and inside it.
# With the tutorials and PROFILING_GUIDE.md (scripts/pack-runtime.sh).
tgz="$(bash scripts/pack-runtime.sh "$ROOT")"
cp "$ROOT/$tgz" "$stage/runtime-package/$tgz"
out="$ROOT/corepy-profiler-$version.vsix"
# vsce warns "This extension consists of N files, out of which M are JavaScript files. For performance
# reasons, you should bundle your extension" whenever M > 100, and has no flag or manifest field to turn
# that off (vsce 3.9.2, out/package.js printAndValidatePackagedFiles). The extension host code is bundled
# (extension/esbuild.mjs: extension/dist/extension.js and adapter.js, the only files the host loads); the
# other JavaScript files are the corepy runtime and its dependencies, which run in the profiled script's
# own Node process, where bundling would buy nothing. So that warning is left out of the output; any
# other vsce message is shown, and its whole output when it fails.
vsce_err="$(dirname "$stage")/vsce.stderr"
if ! (cd "$stage" && "$ROOT/.cache/tools/node_modules/.bin/vsce" package --no-dependencies --no-rewrite-relative-links --allow-missing-repository --skip-license --target "$target" -o "$out" >/dev/null 2>"$vsce_err"); then
  cat "$vsce_err" >&2
  exit 1
fi
grep -v -e 'For performance reasons, you should bundle your extension' -e '^[[:space:]]*$' "$vsce_err" >&2 || true
rm -rf "$(dirname "$stage")"
log "packaged $(basename "$out") for $target ($(du -h "$out" | cut -f1)) and $tgz ($(du -h "$ROOT/$tgz" | cut -f1))"
