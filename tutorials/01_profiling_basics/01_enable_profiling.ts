/**
 * Tutorial 1.1 — turning the profiler on and off.
 *
 * Run: npx tsx tutorials/01_profiling_basics/01_enable_profiling.ts
 *
 * What to look for:
 *  - profiling is OFF by default: ops cost one extra `if` and nothing is recorded. Run the script
 *    plainly (`npx tsx`, `node`) to see it off. `corepy profile` and VS Code's Run and Profile turn
 *    profiling on before the script starts (that is how they profile a script with no
 *    `enableProfiling()` in it), so there the first line prints true and says why;
 *  - `cp.enableProfiling()` is the only line you add; every op after it is recorded;
 *  - `cp.disableProfiling()` stops recording but keeps what was recorded, so you can still
 *    print the report; `cp.clearProfile()` starts a new, empty recording (the report's main table
 *    and `opCount` count from there; what came before stays in the report's `segments`).
 */
import * as cp from 'corepy';

const onAtStart = cp.isProfiling();
console.log(`profiling before enableProfiling(): ${onAtStart}`);
if (onAtStart) {
  console.log('  (on already: a launcher — `corepy profile`, VS Code\'s Run and Profile — enabled it before this script ran;');
  console.log('   in a plain run, `npx tsx` or `node`, profiling is off until enableProfiling())');
}

// One line turns it on. Options (call-site capture, sampling) are covered in 03_advanced.
cp.enableProfiling();
console.log(`profiling after enableProfiling():  ${cp.isProfiling()}`);

// The seed's first example: normalise 10 000 numbers and add them up.
const data = cp.arange(10_000).cast('float32');
const normalized = data.sub(data.mean()).div(data.std());
const result = normalized.sum();
console.log(`sum of the normalised values: ${result.item().toFixed(3)} (≈ 0, as it should be)`);

// The JSON form of the report is typed: read the number of recorded ops from it.
const recorded = cp.profileReport({ format: 'json' }).opCount;
console.log(`ops recorded while enabled: ${recorded}`);

// Stop recording: the ops below run at full speed and are not counted…
cp.disableProfiling();
data.mul(2).sum().dispose();
const after = cp.profileReport({ format: 'json' }).opCount;
console.log(`ops recorded after disableProfiling(): ${after} (unchanged: ${after === recorded})`);

// …and clearProfile() starts the next measurement from zero (the ops above become an ended segment).
cp.clearProfile();
console.log(`ops recorded after clearProfile(): ${cp.profileReport({ format: 'json' }).opCount}`);
if (onAtStart) console.log('(the report the launcher prints when the script ends has an empty table: clearProfile() above started a new recording;\n' +
  ' the ops above are its Segment 1, listed under SEGMENTS there and shown on their lines in VS Code)');
