/**
 * Standalone entry: runs the corepy debug adapter as a process speaking DAP on stdin/stdout
 * (used by tests with DebugClient, and by any client that wants a separate process).
 */
import { DebugSession } from '@vscode/debugadapter';
import { CorepyDebugSession } from './session.js';

class StandaloneSession extends CorepyDebugSession {
  constructor() {
    super(__dirname);
  }
}

DebugSession.run(StandaloneSession);
