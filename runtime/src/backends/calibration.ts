/**
 * Measured crossover points between the CPU and GPU backends on this machine, written by
 * `cp.calibrate()` (webgpu backend) and read by the profiler's GPU recommendation rule. The rule
 * says nothing about the GPU unless a calibration for the current adapter exists: no guessing.
 */

/** Op families timed by calibration. */
export type OpFamily = 'elementwise' | 'reduce' | 'matmul';

/** One calibration result. */
export interface GpuCalibration {
  /** Adapter description (vendor, architecture, device, driver) the figures belong to. */
  readonly adapter: string;
  /** ISO time of measurement. */
  readonly measuredAt: string;
  /**
   * Per family: the smallest element count (matmul: M·N·K) at which webgpu (op + readback)
   * beat wasm in the measurement, or null when the GPU never won in the measured range.
   */
  readonly crossover: Readonly<Record<OpFamily, number | null>>;
  /** Per family: measured wasm/webgpu time ratio at the largest size measured (>1: GPU faster). */
  readonly speedupAtLargest: Readonly<Record<OpFamily, number>>;
}

let current: GpuCalibration | null = null;

/** The calibration in force, or null when none was measured/loaded for this adapter. */
export function getCalibration(): GpuCalibration | null {
  return current;
}

/** Installs a calibration (called by calibrate() and when loading a stored one). */
export function setCalibration(c: GpuCalibration | null): void {
  current = c;
}
