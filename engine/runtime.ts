// The engine's one live device: pool + dispatcher. Ops reach it through runtime().
import { requestDevice, type DeviceInfo, type DeviceOptions } from './device.js';
import { BufferPool } from './pool.js';
import { Dispatcher } from './dispatch.js';
import { loadShaderSourcesFromDisk } from './shaders.js';

export interface Runtime {
  device: GPUDevice;
  info: DeviceInfo;
  pool: BufferPool;
  dispatcher: Dispatcher;
}

let current: Runtime | null = null;

export interface InitOptions extends DeviceOptions {
  /** Dispatches recorded before a submit (default 64). */
  batchSize?: number;
}

/** Create (or replace) the engine's device. In a browser call registerShaderSources() first. */
export async function initEngine(opts: InitOptions = {}): Promise<Runtime> {
  const info = await requestDevice(opts);
  if (info.isNode) await loadShaderSourcesFromDisk();
  const pool = new BufferPool(info.device, info.device.limits.maxStorageBufferBindingSize);
  const dispatcher = new Dispatcher(info.device, pool);
  if (opts.batchSize) dispatcher.batchSize = opts.batchSize;
  current = { device: info.device, info, pool, dispatcher };
  return current;
}

export function runtime(): Runtime {
  if (!current) throw new Error('the engine has no device yet: call `await initEngine()` first');
  return current;
}

export function hasRuntime(): boolean {
  return current !== null;
}

/** Wait for all submitted GPU work; throws pending GPU errors. */
export function sync(): Promise<void> {
  return runtime().dispatcher.sync();
}

export function memory() {
  return runtime().pool.snapshot();
}
