/**
 * GPU buffers recycled by size class, so a loop of same-shaped ops allocates nothing after its
 * first iteration. Classes are powers of two from 256 bytes up to 16 MiB, then multiples of
 * 16 MiB (a power of two would waste up to half of a large buffer).
 */

const MIN_CLASS = 256;
const LARGE_STEP = 16 << 20;

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

  /**
   * @param device the device buffers are created on
   * @param usage GPUBufferUsage flags of every buffer in this pool
   * @param maxBytes largest buffer the device can bind, in bytes
   * @param label what the buffers hold, for error messages
   */
  constructor(
    private readonly device: GPUDevice,
    private readonly usage: GPUBufferUsageFlags,
    private readonly maxBytes: number,
    private readonly label: string,
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
    const buf = list?.pop() ?? this.create(cls);
    this.bytesInUse += buf.size;
    return buf;
  }

  /** Returns a buffer for reuse. The caller guarantees no pending GPU work still uses it. */
  release(buf: GPUBuffer): void {
    this.bytesInUse -= buf.size;
    let list = this.free.get(buf.size);
    if (!list) this.free.set(buf.size, (list = []));
    list.push(buf);
  }

  /** Destroys every idle buffer (memory pressure, calibration cleanup). */
  trim(): void {
    for (const list of this.free.values()) {
      for (const b of list) {
        this.bytesReserved -= b.size;
        b.destroy();
      }
    }
    this.free.clear();
  }

  private create(size: number): GPUBuffer {
    const buf = this.device.createBuffer({ size, usage: this.usage, label: this.label });
    this.bytesReserved += size;
    return buf;
  }
}
