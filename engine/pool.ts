// The one place GPU buffers come from. Sizes are rounded up to buckets (four per power of two, so at most
// ~19% waste) and released buffers are reused. Live and peak bytes are exact counts of what tensors hold.

export interface PoolStats {
  /** Bytes in buffers currently handed out. */
  liveBytes: number;
  /** Highest liveBytes seen since creation or the last resetPeak(). */
  peakBytes: number;
  /** Bytes held by the pool in total: live plus free buffers kept for reuse. */
  reservedBytes: number;
  liveBuffers: number;
  /** Buffers ever created with device.createBuffer. */
  created: number;
}

export type BufferKind = 'storage' | 'readback' | 'uniform' | 'query';

const USAGE = (): Record<BufferKind, number> => ({
  storage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
  readback: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  uniform: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
  query: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
});

const MIN_BYTES = 256;

/** Round up to one of 4 steps per power of two: 256, 320, 384, 448, 512, 640, ... */
export function bucketSize(bytes: number): number {
  if (bytes <= MIN_BYTES) return MIN_BYTES;
  const pow = 2 ** Math.floor(Math.log2(bytes));
  const step = pow / 4;
  return Math.ceil(bytes / step) * step;
}

export class BufferPool {
  private free = new Map<string, GPUBuffer[]>();
  private sizes = new WeakMap<GPUBuffer, number>();
  private usage = USAGE();
  private stats: PoolStats = { liveBytes: 0, peakBytes: 0, reservedBytes: 0, liveBuffers: 0, created: 0 };

  constructor(private device: GPUDevice, private maxBufferSize: number) {}

  acquire(bytes: number, kind: BufferKind = 'storage'): GPUBuffer {
    const size = bucketSize(bytes);
    if (size > this.maxBufferSize) {
      throw new Error(`GPU buffer of ${bytes} bytes exceeds this adapter's maxBufferSize (${this.maxBufferSize})`);
    }
    const key = `${kind}:${size}`;
    let buffer = this.free.get(key)?.pop();
    if (!buffer) {
      buffer = this.device.createBuffer({ size, usage: this.usage[kind], label: `pool-${kind}-${size}` });
      this.sizes.set(buffer, size);
      this.stats.created++;
      this.stats.reservedBytes += size;
    }
    this.stats.liveBytes += size;
    this.stats.liveBuffers++;
    if (this.stats.liveBytes > this.stats.peakBytes) this.stats.peakBytes = this.stats.liveBytes;
    return buffer;
  }

  release(buffer: GPUBuffer, kind: BufferKind = 'storage'): void {
    const size = this.sizes.get(buffer);
    if (size === undefined) throw new Error('BufferPool.release: buffer was not acquired from this pool');
    this.stats.liveBytes -= size;
    this.stats.liveBuffers--;
    const key = `${kind}:${size}`;
    let list = this.free.get(key);
    if (!list) this.free.set(key, (list = []));
    list.push(buffer);
  }

  /** Destroys all free buffers (live ones are untouched). */
  trim(): void {
    for (const list of this.free.values()) {
      for (const b of list) {
        this.stats.reservedBytes -= this.sizes.get(b) ?? 0;
        b.destroy();
      }
    }
    this.free.clear();
  }

  resetPeak(): void {
    this.stats.peakBytes = this.stats.liveBytes;
  }

  snapshot(): PoolStats {
    return { ...this.stats };
  }
}
