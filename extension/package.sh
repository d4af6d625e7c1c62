#!/usr/bin/env bash
# Packages the extension as corepy-profiler-<version>.vsix with @vscode/vsce 3.9.2 (from
# .cache/tools, installed by scripts/setup.d/50-code-server.sh). Expects `npm run build` first.
# Stages a clean folder: the manifest, extension/dist (esbuild bundles), the runtime (dist +
# kernels + assets, so scripts without their own corepy still profile), out/webview, syntaxes,
# and tsx with its dependencies (so .ts programs run even when the workspace has no tsx).
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"
stage="$(mktemp -d)/corepy-profiler"
mkdir -p "$stage"
node -e '
const pkg = require("./package.json");
for (const k of ["workspaces", "devDependencies", "scripts", "private", "allowScripts"]) delete pkg[k];
require("fs").writeFileSync(process.argv[1] + "/package.json", JSON.stringify(pkg, null, 2));
' "$stage"
cp -r extension/README.md "$stage/README.md"
[ -f LICENSE ] && cp LICENSE "$stage/"
mkdir -p "$stage/extension" "$stage/runtime" "$stage/out" "$stage/node_modules"
cp -r extension/dist extension/media "$stage/extension/"
rm -f "$stage"/extension/dist/*.map "$stage/extension/dist/.build-stamp"
cp runtime/package.json "$stage/runtime/"
for d in dist kernels assets node_modules; do [ -e "runtime/$d" ] && cp -rL "runtime/$d" "$stage/runtime/"; done
[ -d out/webview ] && cp -r out/webview "$stage/out/"
cp -r syntaxes "$stage/" && rm -rf "$stage/syntaxes/test"
# tsx and what it needs at run time (esbuild's JS API + its linux-x64 binary).
for m in tsx esbuild @esbuild/linux-x64 get-tsconfig resolve-pkg-maps; do
  [ -d "node_modules/$m" ] && mkdir -p "$stage/node_modules/$(dirname "$m")" && cp -rL "node_modules/$m" "$stage/node_modules/$m"
done
# The runtime's dependencies (runtime/package.json "dependencies", with ajv's own; typescript for AST quick fixes); @opentelemetry/api has none of its own.
for m in commander csv-parse typescript webgpu ajv fast-deep-equal fast-uri json-schema-traverse require-from-string @opentelemetry/api; do
  [ -d "node_modules/$m" ] && [ ! -d "$stage/runtime/node_modules/$m" ] && mkdir -p "$stage/runtime/node_modules/$(dirname "$m")" && cp -rL "node_modules/$m" "$stage/runtime/node_modules/$m"
done
version="$(node -p 'require("./package.json").version')"
out="$ROOT/corepy-profiler-$version.vsix"
(cd "$stage" && "$ROOT/.cache/tools/node_modules/.bin/vsce" package --no-dependencies --allow-missing-repository --skip-license -o "$out" >/dev/null)
rm -rf "$(dirname "$stage")"
log "packaged $(basename "$out") ($(du -h "$out" | cut -f1))"
