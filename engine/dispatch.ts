// Recording kernels: pipelines cached by a written-down specialisation key, shapes packed into one uniform
// arena per submission, many dispatches recorded into one compute pass and submitted in batches.
import { BufferPool } from './pool.js';
import { expandShader, type Defines } from './shaders.js';
import { KernelProfiler, type KernelTime } from './profiler.js';

export interface KernelCall {
  /** shaders/<shader>.wgsl */
  shader: string;
  /** Values that change the compiled code (op, vector width, tile sizes). Part of the pipeline key. */
  defines?: Defines;
  /** Storage buffers in binding order 1, 2, ...; binding 0 is the uniform block when `ints`/`floats` are given. */
  buffers: GPUBuffer[];
  /** Uniform words written as i32 (u32 fields read the same bits for values >= 0), then `floats` as f32. */
  ints?: number[];
  floats?: number[];
  workgroups: [number, number?, number?];
}

export class DeviceLostError extends Error {
  constructor(reason: string) {
    super(`the GPU device was lost (${reason}); create a new engine with initEngine() to continue`);
    this.name = 'DeviceLostError';
  }
}

const ARENA_BYTES = 1 << 20;

export class Dispatcher {
  /** Submit after this many recorded dispatches (queue depth knob). */
  batchSize = 64;
  dispatchCount = 0;
  submitCount = 0;

  private pipelines = new Map<string, GPUComputePipeline>();
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private pending = 0;
  private arena: GPUBuffer;
  private arenaData = new ArrayBuffer(ARENA_BYTES);
  private arenaUsed = 0;
  private readonly align: number;
  private errors: Error[] = [];
  private lostReason: string | null = null;
  private profiler: KernelProfiler | null = null;
  /** Kernel being recorded, to name it in asynchronous error reports. */
  private lastKernel = '(none)';

  constructor(readonly device: GPUDevice, readonly pool: BufferPool) {
    this.align = Math.max(256, device.limits.minUniformBufferOffsetAlignment);
    this.arena = device.createBuffer({ size: ARENA_BYTES, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, label: 'uniform-arena' });
    device.addEventListener('uncapturederror', (ev) => {
      const e = (ev as GPUUncapturedErrorEvent).error;
      this.errors.push(new Error(`WebGPU error (recording kernel '${this.lastKernel}'): ${e.message}`));
    });
    void device.lost.then((info) => {
      this.lostReason = `${info.reason}: ${info.message}`;
    });
  }

  /** Throws if the device is lost or an earlier asynchronous GPU error is waiting to be reported. */
  check(): void {
    if (this.lostReason !== null) throw new DeviceLostError(this.lostReason);
    const err = this.errors.shift();
    if (err) {
      this.errors.length = 0;
      throw err;
    }
  }

  /** Pipeline keys per defines object: kernels that generate code pass the same (memoised) object. */
  private keys = new WeakMap<Defines, string>();

  pipeline(shader: string, defines: Defines = {}): GPUComputePipeline {
    let definesKey = this.keys.get(defines);
    if (definesKey === undefined) this.keys.set(defines, (definesKey = JSON.stringify(defines)));
    const key = shader + definesKey;
    let p = this.pipelines.get(key);
    if (!p) {
      const code = expandShader(shader, defines);
      const label = `${shader}${Object.keys(defines).length ? ' ' + definesKey.slice(0, 120) : ''}`;
      this.device.pushErrorScope('validation');
      const module = this.device.createShaderModule({ code, label });
      p = this.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' }, label });
      void this.device.popErrorScope().then((e) => {
        if (e) this.errors.push(new Error(`kernel '${label}' failed to compile: ${e.message}`));
      });
      this.pipelines.set(key, p);
    }
    return p;
  }

  get pipelineCount(): number {
    return this.pipelines.size;
  }

  run(call: KernelCall): void {
    if (this.lostReason !== null) throw new DeviceLostError(this.lostReason);
    const [x, y = 1, z = 1] = call.workgroups;
    if (x === 0 || y === 0 || z === 0) return;
    const maxDim = this.device.limits.maxComputeWorkgroupsPerDimension;
    if (x > maxDim || y > maxDim || z > maxDim) {
      throw new Error(`kernel '${call.shader}': dispatch ${x}x${y}x${z} exceeds ${maxDim} workgroups per dimension`);
    }
    this.lastKernel = call.shader;
    const pipeline = this.pipeline(call.shader, call.defines);
    const entries: GPUBindGroupEntry[] = [];
    const nUniform = (call.ints?.length ?? 0) + (call.floats?.length ?? 0);
    if (nUniform > 0) {
      const bytes = Math.max(16, Math.ceil((nUniform * 4) / 16) * 16);
      if (this.arenaUsed + bytes > ARENA_BYTES) this.flush();
      const offset = this.arenaUsed;
      const ints = new Int32Array(this.arenaData, offset, call.ints?.length ?? 0);
      call.ints?.forEach((v, i) => (ints[i] = v));
      const floats = new Float32Array(this.arenaData, offset + ints.byteLength, call.floats?.length ?? 0);
      call.floats?.forEach((v, i) => (floats[i] = v));
      this.arenaUsed = offset + Math.ceil(bytes / this.align) * this.align;
      entries.push({ binding: 0, resource: { buffer: this.arena, offset, size: bytes } });
    }
    call.buffers.forEach((buffer, i) => entries.push({ binding: i + 1, resource: { buffer } }));
    const bindGroup = this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries, label: call.shader });
    const pass = this.profiler ? this.openProfiledPass(call.shader, call.defines) : this.openPass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(x, y, z);
    this.dispatchCount++;
    if (this.profiler) this.closePass();
    if (++this.pending >= this.batchSize || this.profiler?.full) this.flush();
  }

  /** Start timing every kernel (needs the 'timestamp-query' feature). */
  startProfiling(): void {
    if (!this.device.features.has('timestamp-query')) throw new Error('kernel profiling needs the timestamp-query feature, which this adapter lacks');
    this.flush();
    this.profiler ??= new KernelProfiler(this.device, this.pool);
    this.profiler.reset();
  }

  /** Stop timing; returns GPU time per kernel name since startProfiling(). */
  async stopProfiling(): Promise<KernelTime[]> {
    if (!this.profiler) return [];
    this.flush();
    const times = await this.profiler.collect();
    this.profiler = null;
    return times;
  }

  private openProfiledPass(shader: string, defines?: Defines): GPUComputePassEncoder {
    this.closePass();
    if (!this.encoder) this.encoder = this.device.createCommandEncoder();
    const variant = defines && Object.keys(defines).length ? ` ${Object.values(defines).map(String).join('/').slice(0, 40)}` : '';
    this.pass = this.encoder.beginComputePass({ timestampWrites: this.profiler!.nextPass(shader + variant) });
    return this.pass;
  }

  /** Copy between buffers (ends the current pass; copies cannot sit inside a compute pass). */
  copy(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, bytes: number): void {
    this.closePass();
    if (!this.encoder) this.encoder = this.device.createCommandEncoder();
    this.encoder.copyBufferToBuffer(src, srcOffset, dst, dstOffset, bytes);
    this.pending++;
  }

  private openPass(): GPUComputePassEncoder {
    if (!this.pass) {
      if (!this.encoder) this.encoder = this.device.createCommandEncoder();
      this.pass = this.encoder.beginComputePass();
    }
    return this.pass;
  }

  private closePass(): void {
    if (this.pass) {
      this.pass.end();
      this.pass = null;
    }
  }

  get hasPending(): boolean {
    return this.encoder !== null;
  }

  /** Submit everything recorded so far. Never waits. */
  flush(): void {
    if (!this.encoder) return;
    this.closePass();
    this.profiler?.resolve(this.encoder);
    if (this.arenaUsed > 0) this.device.queue.writeBuffer(this.arena, 0, this.arenaData, 0, this.arenaUsed);
    this.device.queue.submit([this.encoder.finish()]);
    this.profiler?.afterSubmit();
    this.encoder = null;
    this.pending = 0;
    this.arenaUsed = 0;
    this.submitCount++;
  }

  /** Write data into a buffer. Pending work is submitted first so it cannot see the new contents. */
  write(buffer: GPUBuffer, data: ArrayBufferView, offset = 0): void {
    if (this.lostReason !== null) throw new DeviceLostError(this.lostReason);
    if (this.hasPending) this.flush();
    this.device.queue.writeBuffer(buffer, offset, data.buffer, data.byteOffset, data.byteLength);
  }

  /** Read `bytes` from a buffer after all recorded work. */
  async read(buffer: GPUBuffer, bytes: number, offset = 0): Promise<ArrayBuffer> {
    this.check();
    const staging = this.pool.acquire(bytes, 'readback');
    this.copy(buffer, offset, staging, 0, Math.ceil(bytes / 4) * 4);
    this.flush();
    try {
      await staging.mapAsync(GPUMapMode.READ, 0, Math.ceil(bytes / 4) * 4);
    } catch (e) {
      this.check();
      throw new Error(`reading a GPU buffer failed: ${(e as Error).message}`);
    }
    const out = staging.getMappedRange(0, Math.ceil(bytes / 4) * 4).slice(0, bytes);
    staging.unmap();
    this.pool.release(staging, 'readback');
    this.check();
    return out;
  }

  /** Wait until the GPU has finished everything submitted; reports asynchronous GPU errors. */
  async sync(): Promise<void> {
    this.flush();
    await this.device.queue.onSubmittedWorkDone();
    this.check();
  }
}

/** Workgroup grid for `n` invocations of a 1-D kernel with `wg` threads; shaders index with gid.x + gid.y * nwg.x * wg. */
export function grid1d(n: number, wg = 256): [number, number, number] {
  const groups = Math.ceil(n / wg);
  if (groups <= 65535) return [Math.max(groups, 1), 1, 1];
  const y = Math.ceil(groups / 65535);
  return [Math.ceil(groups / y), y, 1];
}
