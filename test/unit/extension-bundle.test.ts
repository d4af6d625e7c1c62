/**
 * The extension bundles (extension/dist, built by scripts/build.d/40-extension.sh): no tensor
 * engine code inside (checked on esbuild's metafile), and rebuild triggers derived from that
 * metafile — editing any file the bundles read changes the build stamp, other files do not.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'mocha';

const ROOT = join(import.meta.dirname, '..', '..');
const HASHER = join(ROOT, 'extension', 'bundle-inputs.mjs');

const hashOf = (root: string): string => {
  const r = spawnSync(process.execPath, [HASHER, root], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
};

/** Every file under `dir` (relative to the repository root), build outputs and dependencies left out. */
function filesUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(ROOT.length + 1))
    .filter((f) => !/(^|\/)(dist|node_modules)\//.test(f));
}

describe('extension bundle', () => {
  it('nothing in extension/ or webview/ reaches into runtime/src: they use corepy/contract and the package entries', () => {
    const offenders = [...filesUnder('extension'), ...filesUnder('webview')].filter((f) => !f.endsWith('.png'))
      .filter((f) => readFileSync(join(ROOT, f), 'utf8').includes('runtime/src'));
    assert.deepEqual(offenders, []);
  });

  it('reads only the contract and bundle-clean runtime modules: no engine, tensor, backend or op code', () => {
    const inputs = Object.keys(JSON.parse(readFileSync(join(ROOT, 'extension/dist/meta.json'), 'utf8')).inputs as object);
    assert.ok(inputs.some((f) => f.startsWith('runtime/dist/contract/')), 'the contract is bundled');
    const engine = inputs.filter((f) => /^runtime\/(src|dist)\/(engine|tensor|tensor-methods|memory|backends\/|ops\/|io\/|profiler\/(recorder|session|api|aggregate|rules\/))/.test(f));
    assert.deepEqual(engine, []);
    assert.deepEqual(inputs.filter((f) => f.startsWith('runtime/src/')), [], 'the runtime is consumed through its package entries (dist), not its sources');
  });

  it('bundles cleanly: no emptied import.meta lookups, no new Function, the exporter stamp from runtime/package.json', () => {
    const version = JSON.parse(readFileSync(join(ROOT, 'runtime/package.json'), 'utf8')).version as string;
    for (const f of ['extension.js', 'adapter.js']) {
      const js = readFileSync(join(ROOT, 'extension/dist', f), 'utf8');
      assert.doesNotMatch(js, /import_meta|import\.meta/, `${f}: import.meta is empty in a CommonJS bundle`);
      assert.doesNotMatch(js, /new Function\(/, f);
    }
    assert.ok(readFileSync(join(ROOT, 'extension/dist/extension.js'), 'utf8').includes(JSON.stringify(version)), 'COREPY_VERSION is defined at build time');
  });

  it('the rebuild stamp covers exactly the files in the metafile', () => {
    const root = mkdtempSync(join(tmpdir(), 'corepy-bundle-'));
    try {
      const write = (f: string, text: string) => { mkdirSync(dirname(join(root, f)), { recursive: true }); writeFileSync(join(root, f), text); };
      assert.equal(hashOf(root), 'none', 'no metafile yet: always build');
      const inputs = ['extension/src/extension.ts', 'runtime/dist/contract/index.js', 'runtime/dist/launch.js'];
      write('extension/dist/meta.json', JSON.stringify({ inputs: Object.fromEntries(inputs.map((f) => [f, { bytes: 1 }])), outputs: {} }));
      for (const f of [...inputs, 'extension/esbuild.mjs', 'runtime/src/engine.ts']) write(f, `// ${f}\n`);
      const h0 = hashOf(root);
      write('runtime/src/engine.ts', '// edited, but not bundled\n');
      assert.equal(hashOf(root), h0, 'a file the bundle does not read does not trigger a rebuild');
      for (const f of inputs) {
        write(f, `// ${f} edited\n`);
        assert.notEqual(hashOf(root), h0, `editing ${f} triggers a rebuild`);
        write(f, `// ${f}\n`);
        assert.equal(hashOf(root), h0);
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('the build step uses that stamp: a second run with nothing changed does no work', () => {
    const build = () => spawnSync('bash', [join(ROOT, 'scripts/build.d/40-extension.sh')], { encoding: 'utf8' });
    assert.equal(build().status, 0, 'brings the bundles up to date (a no-op after npm run build)');
    const r = build();
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /building extension/);
    assert.equal(readFileSync(join(ROOT, 'extension/dist/.build-stamp'), 'utf8').trim(), hashOf(ROOT));
  });
});
