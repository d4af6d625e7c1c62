/**
 * The receiving end of COREPY_PROFILE_SOCKET: a local socket server (a Unix socket, or a named
 * pipe on Windows) that a profiled script connects to when VS Code's JavaScript debugger, not
 * our adapter, owns the process (Debug and Profile), so there is no IPC channel. The script
 * writes the same messages as over IPC, one JSON object per line. One connection is one run.
 * No 'vscode' import.
 */
import { randomBytes } from 'node:crypto';
import { lstatSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { ProfileBatchMessage, ProfileHelloMessage, ProfileReportMessage } from './protocol.js';

/** What one connected script sends. */
export interface ProfileStreamHandlers {
  /** First: the script's process id (a runtime from before it sends none). */
  hello?(msg: ProfileHelloMessage): void;
  batch(msg: ProfileBatchMessage): void;
  report(msg: ProfileReportMessage): void;
  /** The script closed the connection (ended, crashed or was killed). */
  closed(): void;
}

/** A fresh socket path: under the temp folder on Unix (kept short: the limit is ~104 bytes), a named pipe on Windows. */
export function newSocketPath(): string {
  const id = `corepy-${process.pid}-${randomBytes(4).toString('hex')}`;
  return process.platform === 'win32' ? `\\\\.\\pipe\\${id}` : path.join(tmpdir(), `${id}.sock`);
}

/** Socket files of ours: `corepy-<pid of the extension host>-<hex>.sock`. */
const OUR_SOCKET = /^corepy-(\d+)-[0-9a-f]{8}\.sock$/;

/** Whether process `pid` exists (EPERM: it does, as another user's). */
function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

/**
 * Removes the socket files that extension hosts which no longer run left in `dir` (a host killed
 * or crashed cannot remove its own; each window's host leaves one). Best effort: never throws.
 */
export function removeStaleSockets(dir = tmpdir()): void {
  if (process.platform === 'win32') return;
  let names: string[];
  try { names = readdirSync(dir); } catch { return; }
  for (const name of names) {
    const pid = Number(OUR_SOCKET.exec(name)?.[1]);
    if (!Number.isInteger(pid) || pid === process.pid || alive(pid)) continue;
    try { if (lstatSync(path.join(dir, name)).isSocket()) rmSync(path.join(dir, name), { force: true }); } catch { /* gone already, or not ours to remove */ }
  }
}

/** Listens on `path` until disposed; `onConnection` gives handlers for each script that connects. */
export class ProfileSocketServer {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  private constructor(readonly path: string, onConnection: () => ProfileStreamHandlers, onError: (e: Error) => void) {
    this.server = createServer((socket) => {
      this.sockets.add(socket);
      const h = onConnection();
      let buf = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        buf += chunk;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          let msg: { type?: string };
          try { msg = JSON.parse(line) as { type?: string }; } catch { onError(new Error(`unreadable profile message (${line.length} chars)`)); continue; }
          if (msg.type === 'corepyHello') h.hello?.(msg as ProfileHelloMessage);
          else if (msg.type === 'corepyProfile') h.batch(msg as ProfileBatchMessage);
          else if (msg.type === 'corepyReport') h.report(msg as ProfileReportMessage);
        }
      });
      socket.on('error', onError);
      socket.on('close', () => { this.sockets.delete(socket); h.closed(); });
    });
    this.server.on('error', onError);
  }

  /** Starts listening on a new path (first removing sockets that dead extension hosts left). */
  static listen(onConnection: () => ProfileStreamHandlers, onError: (e: Error) => void): Promise<ProfileSocketServer> {
    removeStaleSockets();
    const s = new ProfileSocketServer(newSocketPath(), onConnection, onError);
    return new Promise((resolve, reject) => {
      s.server.once('error', reject);
      s.server.listen(s.path, () => { s.server.off('error', reject); resolve(s); });
    });
  }

  dispose(): void {
    for (const s of this.sockets) s.destroy();
    this.server.close();
    if (process.platform !== 'win32') rmSync(this.path, { force: true });
  }
}
