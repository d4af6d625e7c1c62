/**
 * How a TypeScript program is started: Node's own type stripping where the Node version has it
 * (with the flag it needs), tsx otherwise. The version table is Node's release notes: stripping
 * arrived behind --experimental-strip-types in 22.6.0 and became the default in 23.6.0 and 22.18.0.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { nodeTypeScriptArgs, nodeTypeStripping, profiledNodeArgs } from '../../runtime/src/launch.js';

describe('TypeScript launch (Node type stripping or tsx)', () => {
  it('maps Node versions to the stripping mode', () => {
    const cases: [string, ReturnType<typeof nodeTypeStripping>][] = [
      ['v18.20.4', 'none'], ['v20.19.0', 'none'], ['20.20.2', 'none'], ['v22.5.1', 'none'],
      ['v22.6.0', 'flag'], ['v22.17.1', 'flag'], ['v22.18.0', 'default'], ['v23.0.0', 'flag'],
      ['v23.5.0', 'flag'], ['v23.6.0', 'default'], ['v24.1.0', 'default'], ['v25.0.0', 'default'],
      ['not a version', 'none'], ['', 'none'],
    ];
    for (const [v, want] of cases) assert.equal(nodeTypeStripping(v), want, v);
  });

  it('gives the flags per file: .tsx always needs a loader (Node never strips JSX)', () => {
    assert.deepEqual(nodeTypeScriptArgs('v22.6.0', '/w/a.ts'), ['--experimental-strip-types']);
    assert.deepEqual(nodeTypeScriptArgs('v24.0.0', '/w/a.mts'), []);
    assert.equal(nodeTypeScriptArgs('v24.0.0', '/w/a.tsx'), null);
    assert.equal(nodeTypeScriptArgs('v20.19.0', '/w/a.cts'), null);
  });

  it('puts Node flags before the preloads', () => {
    const { execArgs } = profiledNodeArgs({ autostart: 'file:///rt/autostart.js', nodeFlags: ['--experimental-strip-types'], baseEnv: {} });
    assert.deepEqual(execArgs, ['--experimental-strip-types', '--import', 'file:///rt/autostart.js']);
    const withTsx = profiledNodeArgs({ autostart: 'file:///rt/autostart.js', tsx: 'file:///t/loader.mjs', baseEnv: {} });
    assert.deepEqual(withTsx.execArgs, ['--import', 'file:///t/loader.mjs', '--import', 'file:///rt/autostart.js']);
  });

  it('this machine\'s Node runs a .ts file the chosen way, with the source\'s line numbers', async () => {
    const { spawnSync } = await import('node:child_process');
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'corepy-strip-'));
    const file = join(dir, 'typed.ts');
    writeFileSync(file, 'const n: number = 2;\ninterface P { x: number }\nconst p: P = { x: n };\nthrow new Error(`line 4 ${p.x}`);\n');
    const strip = nodeTypeScriptArgs(process.versions.node, file);
    const args = strip ?? ['--import', 'tsx'];
    const r = spawnSync(process.execPath, [...args, file], { encoding: 'utf8', cwd: join(__dirname, '..', '..'), timeout: 60000 });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /line 4 2/);
    assert.match(r.stderr, new RegExp(`typed\\.ts:4:`), r.stderr);
  });
});
