/**
 * "Corepy: Add corepy to this workspace" inside a real VS Code: the quick fix offered on an
 * unresolved `corepy` import, and the command installing the shipped tarball into an empty folder
 * outside the workspace (npm install) from its copy in vendor/, after which TypeScript completes
 * `cp.`; with a stand-in package (no dependencies, so npm needs no registry): a newer tarball
 * replaces the older one, the project installs elsewhere with `npm ci` and an empty cache, and a
 * tarball git ignores is named in the message. "Corepy: Open Tutorials" copies the package's
 * tutorials into the folder and opens their README.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TutorialsResult } from '../../../extension/src/tutorials.js';
import type { AddResult } from '../../../extension/src/workspace-install.js';
import { findRuntimeTarball } from '../../../extension/src/workspace-install.js';

interface Lock { packages: Record<string, { resolved?: string; version?: string }> }
const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;
const depOf = (folder: string): string | undefined =>
  readJson<{ dependencies?: Record<string, string> }>(path.join(folder, 'package.json')).dependencies?.corepy;
const resolvedOf = (folder: string): string | undefined =>
  readJson<Lock>(path.join(folder, 'package-lock.json')).packages['node_modules/corepy']?.resolved;

/** `npm pack` of a package named corepy at `version`, with no dependencies; returns the tarball's path. */
function standIn(dir: string, version: string): string {
  const src = mkdtempSync(path.join(dir, 'src-'));
  writeFileSync(path.join(src, 'package.json'), JSON.stringify({ name: 'corepy', version, main: 'index.js' }));
  writeFileSync(path.join(src, 'index.js'), `module.exports = ${JSON.stringify(version)};\n`);
  const r = spawnSync('npm', ['pack', '--pack-destination', dir, '--loglevel=error'], { cwd: src, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return path.join(dir, `corepy-${version}.tgz`);
}

describe('Add corepy to this workspace', function () {
  // npm install from the cache and the TypeScript server's first project load are slow on loaded machines.
  this.timeout(400000);
  const ws = (): string => vscode.workspace.workspaceFolders![0]!.uri.fsPath;
  /** The folder the real tarball was installed into (by the test that does it). */
  let installed: string | undefined;

  before(async () => {
    const ext = vscode.extensions.getExtension('corepy.corepy-profiler')!;
    await ext.activate();
    // A development checkout has the tarball only after `npm run package`: pack it the same way.
    if (findRuntimeTarball(ext.extensionPath) === null) {
      const r = spawnSync('npm', ['pack', '--pack-destination', ext.extensionPath, '--loglevel=error'], { cwd: path.join(ext.extensionPath, 'runtime'), encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
    }
  });

  it('offers the quick fix on an unresolved corepy import (TS2307)', async () => {
    const uri = vscode.Uri.file(path.join(ws(), 'basic.ts'));
    const doc = await vscode.workspace.openTextDocument(uri);
    const line = doc.lineAt(1).range; // `import * as cp from 'corepy';`
    const diags = vscode.languages.createDiagnosticCollection('test-ts');
    try {
      const d = new vscode.Diagnostic(line, "Cannot find module 'corepy' or its corresponding type declarations.", vscode.DiagnosticSeverity.Error);
      d.code = 2307;
      d.source = 'ts';
      diags.set(uri, [d]);
      // The diagnostic reaches the workbench's markers asynchronously, and the code-action context is
      // built from those markers: ask until it has arrived (a busy machine takes a few hundred ms).
      let actions: vscode.CodeAction[] = [];
      let fix: vscode.CodeAction | undefined;
      for (let i = 0; i < 50 && !fix; i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, 200));
        actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, line);
        fix = actions.find((a) => a.command?.command === 'corepy.addToWorkspace');
      }
      assert.ok(fix, `the quick fix, got ${actions.map((a) => a.title).join(' | ')}`);
      assert.equal(fix.kind?.value, vscode.CodeActionKind.QuickFix.value);
    } finally {
      diags.dispose();
    }
  });

  it('installs the bundled package into an empty folder; cp. then completes', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'corepy-add-'));
    const res = await vscode.commands.executeCommand<AddResult>('corepy.addToWorkspace', vscode.Uri.file(folder));
    assert.equal(res.installed, true, res.reason);
    assert.ok(existsSync(path.join(folder, 'node_modules', 'corepy', 'dist', 'index.d.ts')));
    // Installed from the folder's own copy, by a path relative to package.json (not into the extensions folder).
    const name = path.basename(findRuntimeTarball(vscode.extensions.getExtension('corepy.corepy-profiler')!.extensionPath)!);
    assert.equal(res.tarball, `vendor/${name}`);
    assert.deepEqual(readdirSync(path.join(folder, 'vendor')), [name]);
    assert.equal(depOf(folder), `file:vendor/${name}`);
    assert.equal(resolvedOf(folder), `file:vendor/${name}`);
    assert.match(res.message ?? '', new RegExp(`from vendor/${name.replace(/\./g, '\\.')}\\. Commit vendor/`));
    installed = folder;
    const file = path.join(folder, 'pipeline.ts');
    writeFileSync(file, "import * as cp from 'corepy';\ncp.\n");
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc);
    // The TypeScript server loads the new project on its own time: ask until it answers.
    let labels: string[] = [];
    for (let i = 0; i < 60 && !labels.includes('ones'); i++) {
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(1, 3));
      labels = list.items.map((it) => (typeof it.label === 'string' ? it.label : it.label.label));
      if (!labels.includes('ones')) await new Promise((r) => setTimeout(r, 1000));
    }
    assert.ok(labels.includes('ones') && labels.includes('matmul'), `completions for cp., got ${labels.slice(0, 20).join(', ')}`);
  });

  it('a newer tarball replaces the older one in vendor/; the project installs elsewhere with npm ci and an empty cache', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'corepy-vendor-'));
    const folder = path.join(dir, 'proj');
    mkdirSync(folder);
    writeFileSync(path.join(folder, 'package.json'), JSON.stringify({ name: 'proj', version: '1.0.0', private: true }));
    const add = (tgz: string): Thenable<AddResult> => vscode.commands.executeCommand<AddResult>('corepy.addToWorkspace', vscode.Uri.file(folder), tgz);

    const first = await add(standIn(dir, '0.0.1'));
    assert.equal(first.installed, true, first.reason);
    assert.equal(first.tarball, 'vendor/corepy-0.0.1.tgz');
    assert.deepEqual(first.replaced, []);
    assert.equal(depOf(folder), 'file:vendor/corepy-0.0.1.tgz');

    // A git repository that ignores *.tgz (as GitHub's Node .gitignore does): the message says how to keep the tarball.
    assert.equal(spawnSync('git', ['init', '-q'], { cwd: folder }).status, 0);
    writeFileSync(path.join(folder, '.gitignore'), 'node_modules/\n*.tgz\n');
    const second = await add(standIn(dir, '0.0.2'));
    assert.equal(second.installed, true, second.reason);
    assert.deepEqual(second.replaced, ['vendor/corepy-0.0.1.tgz']);
    assert.deepEqual(readdirSync(path.join(folder, 'vendor')), ['corepy-0.0.2.tgz']);
    assert.equal(depOf(folder), 'file:vendor/corepy-0.0.2.tgz');
    assert.equal(resolvedOf(folder), 'file:vendor/corepy-0.0.2.tgz');
    assert.equal(second.gitIgnored, true);
    assert.match(second.message ?? '', /replacing vendor\/corepy-0\.0\.1\.tgz.*!vendor\/corepy-\*\.tgz/);

    // Again with the same tarball: one copy, nothing replaced.
    const again = await add(path.join(dir, 'corepy-0.0.2.tgz'));
    assert.equal(again.installed, true, again.reason);
    assert.deepEqual(again.replaced, []);
    assert.deepEqual(readdirSync(path.join(folder, 'vendor')), ['corepy-0.0.2.tgz']);

    // What a clone holds, somewhere else at another depth, installed with nothing cached.
    const clone = path.join(dir, 'elsewhere', 'a', 'b');
    mkdirSync(clone, { recursive: true });
    for (const f of ['package.json', 'package-lock.json', 'vendor']) cpSync(path.join(folder, f), path.join(clone, f), { recursive: true });
    const ci = spawnSync('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--cache', path.join(dir, 'empty-cache')], { cwd: clone, encoding: 'utf8' });
    assert.equal(ci.status, 0, `npm ci: ${ci.stderr}`);
    assert.equal(readJson<{ version: string }>(path.join(clone, 'node_modules', 'corepy', 'package.json')).version, '0.0.2');
  });

  it('Open Tutorials copies node_modules/corepy/tutorials into the folder and opens their README', async () => {
    // A stand-in for the package's tutorials (a development checkout's tarball has none: they are packed from the repository root).
    const folder = mkdtempSync(path.join(tmpdir(), 'corepy-tut-'));
    const src = path.join(folder, 'node_modules', 'corepy', 'tutorials');
    mkdirSync(path.join(src, '01_profiling_basics'), { recursive: true });
    writeFileSync(path.join(src, 'README.md'), '# Tutorials\n');
    writeFileSync(path.join(src, '01_profiling_basics', '01_enable_profiling.ts'), "import * as cp from 'corepy';\n");
    const open = (copy?: boolean): Thenable<TutorialsResult> => vscode.commands.executeCommand<TutorialsResult>('corepy.openTutorials', vscode.Uri.file(folder), copy);

    assert.equal((await open(false)).opened, undefined, 'nothing to open before the copy');
    assert.ok(!existsSync(path.join(folder, 'tutorials')));
    const first = await open(true);
    assert.deepEqual(first, { opened: path.join(folder, 'tutorials', 'README.md'), copied: true });
    assert.ok(existsSync(path.join(folder, 'tutorials', '01_profiling_basics', '01_enable_profiling.ts')));
    // Run again: the copy is there (and may hold the user's edits), so it is only opened.
    writeFileSync(path.join(folder, 'tutorials', 'README.md'), '# Tutorials, edited\n');
    assert.deepEqual(await open(true), { opened: path.join(folder, 'tutorials', 'README.md'), copied: false });
    assert.equal(readFileSync(path.join(folder, 'tutorials', 'README.md'), 'utf8'), '# Tutorials, edited\n');

    // A tutorials/ folder of the user's own is left alone: the copy goes to corepy-tutorials/.
    const other = mkdtempSync(path.join(tmpdir(), 'corepy-tut-'));
    cpSync(path.join(folder, 'node_modules'), path.join(other, 'node_modules'), { recursive: true });
    mkdirSync(path.join(other, 'tutorials'));
    const res = await vscode.commands.executeCommand<TutorialsResult>('corepy.openTutorials', vscode.Uri.file(other), true);
    assert.equal(res.opened, path.join(other, 'corepy-tutorials', 'README.md'));
    assert.deepEqual(readdirSync(path.join(other, 'tutorials')), []);
    // Nor is one that holds a chapter of an old copy but no README (it was taken for a copy, and the README preview failed).
    const partial = mkdtempSync(path.join(tmpdir(), 'corepy-tut-'));
    cpSync(path.join(folder, 'node_modules'), path.join(partial, 'node_modules'), { recursive: true });
    mkdirSync(path.join(partial, 'tutorials', '01_profiling_basics'), { recursive: true });
    const kept = await vscode.commands.executeCommand<TutorialsResult>('corepy.openTutorials', vscode.Uri.file(partial), true);
    assert.deepEqual(kept, { opened: path.join(partial, 'corepy-tutorials', 'README.md'), copied: true });
    assert.deepEqual(readdirSync(path.join(partial, 'tutorials')), ['01_profiling_basics']);

    // The real package's tutorials, where the installed tarball carries them (`npm run package` builds one that does).
    if (installed && existsSync(path.join(installed, 'node_modules', 'corepy', 'tutorials'))) {
      const real = await vscode.commands.executeCommand<TutorialsResult>('corepy.openTutorials', vscode.Uri.file(installed), true);
      assert.equal(real.copied, true, real.reason);
      assert.ok(existsSync(path.join(installed, 'tutorials', '01_profiling_basics', '01_enable_profiling.ts')));
    }
  });

  after(async () => {
    // Leave no editor on a file outside the workspace (pipeline.ts above) for the suites and UI tests
    // that share this window: restored, it could become the file "Run and Profile Current File" runs.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.window.showTextDocument(vscode.Uri.file(path.join(ws(), 'basic.ts')));
  });
});
