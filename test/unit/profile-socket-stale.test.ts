/**
 * Socket files that dead extension hosts left behind (a host killed or crashed cannot remove its
 * own): the next host removes them when it starts listening, and nothing else — not a live
 * host's socket, not a regular file that happens to have our name.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'mocha';
import { removeStaleSockets } from '../../extension/src/debug/profile-socket.js';

/** A socket file left by a process that was SIGKILLed while listening on it; resolves to its path. */
async function leftBySigkill(dir: string): Promise<string> {
  const script = `const p=require('path').join(${JSON.stringify(dir)}, 'corepy-'+process.pid+'-0123abcd.sock');` +
    `require('net').createServer().listen(p, () => console.log(p));`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const file = await new Promise<string>((resolve) => child.stdout.once('data', (b: Buffer) => resolve(b.toString().trim())));
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  return file;
}

describe('stale profile sockets', function () {
  this.timeout(20_000);

  it('removes a dead host\'s socket, keeps a live host\'s and files that are not sockets', async function () {
    if (process.platform === 'win32') this.skip();
    const dir = mkdtempSync(join(tmpdir(), 'corepy-sockets-'));
    try {
      const dead = await leftBySigkill(dir);
      assert.ok(existsSync(dead), 'SIGKILL leaves the socket file');
      const live = join(dir, `corepy-${process.pid}-89abcdef.sock`);
      writeFileSync(live, '');
      const deadPid = /corepy-(\d+)-/.exec(dead)![1]!;
      const notSocket = join(dir, `corepy-${deadPid}-00000000.sock`);
      writeFileSync(notSocket, 'not a socket');
      const other = join(dir, 'someone-else.sock');
      writeFileSync(other, '');
      removeStaleSockets(dir);
      assert.equal(existsSync(dead), false, 'the dead host\'s socket is gone');
      assert.ok(existsSync(live) && existsSync(notSocket) && existsSync(other), 'nothing else is touched');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
