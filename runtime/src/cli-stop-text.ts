/**
 * What `corepy profile` prints when it forwards a stop (Ctrl-C, SIGTERM) to the script, said as it happens:
 * the script is killed at the grace only if it has not begun its report by then; once it has (its ack file,
 * contract stopAckFile), the CLI waits for the report up to STOP_REPORT_MAX_MS. It used to print "killed in
 * 5 s" and then, past those 5 s, "waiting" (user audit 32).
 */

/** The line printed when the CLI forwards `sig`; `graceMs` and `maxWaitMs` as killAfterGrace gets them, ms. */
export function stopAskedText(sig: string, graceMs: number, maxWaitMs: number): string {
  return `corepy: ${sig}: asking the script to stop and write its report (killed if it has not begun the report within ` +
    `${graceMs / 1000} s, or once ${maxWaitMs / 1000} s have passed; again to kill it now)`;
}

/** The line printed once the grace has run out while the script writes its report; `maxWaitMs` from the stop, ms. */
export function stopWaitingText(graceMs: number, maxWaitMs: number): string {
  return `corepy: the script is still writing its report ${graceMs / 1000} s after the stop; waiting for it ` +
    `(up to ${maxWaitMs / 1000} s from the stop; again to kill it now)`;
}
