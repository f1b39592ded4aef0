// Per-kernel GPU times from timestamp queries. While profiling, every dispatch gets its own compute pass
// with timestampWrites (WebGPU only timestamps pass boundaries unless Dawn's inside-passes feature exists),
// so profiling adds pass overhead: use it to attribute time to kernels, and wall-clock for end-to-end figures.
// Dawn quantises timestamps unless the instance was created with 'disable-dawn-features=timestamp_quantization'.
import type { BufferPool } from './pool.js';

export interface KernelTime {
  kernel: string;
  count: number;
  totalMs: number;
}

const CAPACITY = 2048; // queries per submission (two per dispatch)

export class KernelProfiler {
  private querySet: GPUQuerySet;
  private labels: string[] = [];
  private reads: Promise<void>[] = [];
  private totals = new Map<string, { count: number; ns: number }>();

  constructor(device: GPUDevice, private pool: BufferPool) {
    this.querySet = device.createQuerySet({ type: 'timestamp', count: CAPACITY, label: 'kernel-profiler' });
  }

  get full(): boolean {
    return this.labels.length * 2 >= CAPACITY;
  }

  /** Timestamp writes for the next dispatch's own pass. */
  nextPass(label: string): GPUComputePassTimestampWrites {
    const i = this.labels.length;
    this.labels.push(label);
    return { querySet: this.querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 };
  }

  /** Called with the submission's encoder (outside any pass) just before it is finished. */
  resolve(encoder: GPUCommandEncoder): void {
    const n = this.labels.length * 2;
    if (n === 0) return;
    const resolved = this.pool.acquire(n * 8, 'query');
    const staging = this.pool.acquire(n * 8, 'readback');
    encoder.resolveQuerySet(this.querySet, 0, n, resolved, 0);
    encoder.copyBufferToBuffer(resolved, 0, staging, 0, n * 8);
    const labels = this.labels;
    this.labels = [];
    // Mapping waits for the submission; it is started after submit() by afterSubmit().
    this.pendingMap = async () => {
      await staging.mapAsync(GPUMapMode.READ, 0, n * 8);
      const ticks = new BigInt64Array(staging.getMappedRange(0, n * 8).slice(0));
      staging.unmap();
      this.pool.release(staging, 'readback');
      this.pool.release(resolved, 'query');
      labels.forEach((label, k) => {
        const ns = Number(ticks[2 * k + 1] - ticks[2 * k]);
        const t = this.totals.get(label) ?? { count: 0, ns: 0 };
        t.count++;
        t.ns += Math.max(0, ns);
        this.totals.set(label, t);
      });
    };
  }

  private pendingMap: (() => Promise<void>) | null = null;

  afterSubmit(): void {
    if (this.pendingMap) {
      this.reads.push(this.pendingMap());
      this.pendingMap = null;
    }
  }

  /** Wait for all timestamp readbacks and return totals per kernel, slowest first. */
  async collect(): Promise<KernelTime[]> {
    await Promise.all(this.reads);
    this.reads = [];
    return [...this.totals.entries()]
      .map(([kernel, t]) => ({ kernel, count: t.count, totalMs: t.ns / 1e6 }))
      .sort((a, b) => b.totalMs - a.totalMs);
  }

  reset(): void {
    this.totals.clear();
  }

  destroy(): void {
    this.querySet.destroy();
  }
}
