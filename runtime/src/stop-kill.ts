/**
 * The kill that follows a stop request, shared by every launcher of a profiled script
 * (`corepy profile`, Run and Profile, Debug and Profile). A launcher asks a script to stop (a
 * signal and the stop file), then kills it if it has not ended after a grace period — unless the
 * script has acknowledged the stop ({@link stopAckFile}): it is writing its report, which takes
 * seconds for a full ring on a busy machine, and a kill then would lose the whole run. The wait
 * is bounded by {@link STOP_REPORT_MAX_MS} from the request.
 *
 * Pure like launch.ts (the file check is passed in), so it bundles into the extension.
 */
import { STOP_REPORT_MAX_MS, stopAckFile } from './contract/ipc.js';

/** How often a launcher looks again for the ack file once the grace has run out, ms. */
export const ACK_POLL_MS = 250;

/** Options of {@link killAfterGrace}. */
export interface KillAfterGraceOptions {
  /** How long the script has to end before it is killed, ms from now. */
  readonly graceMs: number;
  /** The stop file the launcher wrote; its ack file says the script is reporting. Undefined: nothing to wait for. */
  readonly stopFile?: string;
  /** Whether a file exists (`fs.existsSync`); passed in so this module stays free of the file system. */
  readonly exists: (path: string) => boolean;
  /** True once the script has ended: the timer stops without killing. */
  readonly ended?: () => boolean;
  /** Kills the script (SIGKILL). */
  readonly kill: () => void;
  /** Called once, the first time the grace has run out while the script was reporting. */
  readonly onWaiting?: () => void;
  /** The longest wait for a reporting script, ms from this call; {@link STOP_REPORT_MAX_MS} unless given. */
  readonly maxWaitMs?: number;
  /** Unref the timers, so that they never keep the launcher alive on their own. */
  readonly unref?: boolean;
}

/** A scheduled kill; cancel it when the script ends. */
export interface PendingKill {
  cancel(): void;
}

/**
 * Kills the script after `graceMs` unless it has ended, waiting on (in {@link ACK_POLL_MS} steps)
 * while it says it is writing its report, up to `maxWaitMs` ({@link STOP_REPORT_MAX_MS}) from this call.
 */
export function killAfterGrace(o: KillAfterGraceOptions): PendingKill {
  const askedAt = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let saidWaiting = false;
  const schedule = (ms: number): void => {
    timer = setTimeout(check, ms);
    if (o.unref) (timer as { unref?: () => void }).unref?.();
  };
  const check = (): void => {
    timer = undefined;
    if (o.ended?.()) return;
    if (o.stopFile !== undefined && o.exists(stopAckFile(o.stopFile)) && Date.now() - askedAt < (o.maxWaitMs ?? STOP_REPORT_MAX_MS)) {
      if (!saidWaiting) o.onWaiting?.();
      saidWaiting = true;
      schedule(ACK_POLL_MS);
      return;
    }
    o.kill();
  };
  schedule(o.graceMs);
  return { cancel: () => { clearTimeout(timer); timer = undefined; } };
}
