/**
 * GPU buffers recycled by size class, so a loop of same-shaped ops allocates nothing after its
 * first iteration. Classes are powers of two from 256 bytes up to 16 MiB, then multiples of
 * 16 MiB (a power of two would waste up to half of a large buffer).
 *
 * Idle (released) buffers are capped per pool at {@link DEFAULT_MAX_IDLE_BYTES}: a release that
 * takes the pool's idle bytes over the cap destroys idle buffers, largest class first and the
 * oldest of that class first, until it fits again. Working sets below the cap still allocate
 * nothing after their first iteration; a burst of big temporaries (calibration, one large batch)
 * no longer stays reserved for the life of the process. {@link BufferPool.trim} drops them all.
 */

const MIN_CLASS = 256;
const LARGE_STEP = 16 << 20;
/** Default cap on the idle bytes one pool keeps for reuse: 64 MiB. */
export const DEFAULT_MAX_IDLE_BYTES = 64 << 20;

/** Capacity in bytes of the size class serving a request of `bytes`. */
export function sizeClass(bytes: number): number {
  if (bytes <= MIN_CLASS) return MIN_CLASS;
  if (bytes >= LARGE_STEP) return Math.ceil(bytes / LARGE_STEP) * LARGE_STEP;
  return 2 ** Math.ceil(Math.log2(bytes));
}

/** A pool of buffers with one usage, created on `device`. */
export class BufferPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  /** Bytes of buffers handed out and not yet released (by capacity). */
  bytesInUse = 0;
  /** Bytes of every buffer this pool created and has not destroyed. */
  bytesReserved = 0;
  /** Bytes of the idle buffers kept for reuse (≤ maxIdleBytes after every release). */
  idleBytes = 0;

  /**
   * @param device the device buffers are created on
   * @param usage GPUBufferUsage flags of every buffer in this pool
   * @param maxBytes largest buffer the device can bind, in bytes
   * @param label what the buffers hold, for error messages
   * @param maxIdleBytes most bytes of idle buffers kept for reuse (default 64 MiB)
   */
  constructor(
    private readonly device: GPUDevice,
    private readonly usage: GPUBufferUsageFlags,
    private readonly maxBytes: number,
    private readonly label: string,
    readonly maxIdleBytes = DEFAULT_MAX_IDLE_BYTES,
  ) {}

  /** A buffer of at least `bytes`; throws a clear error when it exceeds the device limit. */
  acquire(bytes: number): GPUBuffer {
    if (bytes > this.maxBytes) {
      throw new RangeError(
        `webgpu: cannot allocate ${bytes} bytes for ${this.label}: the device binds at most ` +
        `${this.maxBytes} bytes per buffer (maxStorageBufferBindingSize/maxBufferSize)`,
      );
    }
    const cls = Math.min(sizeClass(bytes), Math.max(this.maxBytes - (this.maxBytes % 4), bytes));
    const list = this.free.get(cls);
    const reused = list?.pop();
    if (reused) this.idleBytes -= reused.size;
    const buf = reused ?? this.create(cls);
    this.bytesInUse += buf.size;
    return buf;
  }

  /** Returns a buffer for reuse. The caller guarantees no pending GPU work still uses it. */
  release(buf: GPUBuffer): void {
    this.bytesInUse -= buf.size;
    let list = this.free.get(buf.size);
    if (!list) this.free.set(buf.size, (list = []));
    list.push(buf);
    this.idleBytes += buf.size;
    if (this.idleBytes > this.maxIdleBytes) this.evict();
  }

  /** Destroys idle buffers, largest class first, oldest first within it, until under the cap. */
  private evict(): void {
    const classes = [...this.free.keys()].sort((a, b) => b - a);
    for (const cls of classes) {
      const list = this.free.get(cls)!;
      while (list.length > 0 && this.idleBytes > this.maxIdleBytes) this.destroy(list.shift()!);
      if (list.length === 0) this.free.delete(cls);
      if (this.idleBytes <= this.maxIdleBytes) return;
    }
  }

  private destroy(b: GPUBuffer): void {
    this.idleBytes -= b.size;
    this.bytesReserved -= b.size;
    b.destroy();
  }

  /** Destroys every idle buffer (memory pressure, calibration cleanup). */
  trim(): void {
    for (const list of this.free.values()) for (const b of list) this.destroy(b);
    this.free.clear();
  }

  private create(size: number): GPUBuffer {
    const buf = this.device.createBuffer({ size, usage: this.usage, label: this.label });
    this.bytesReserved += size;
    return buf;
  }
}
