// Getting a GPUDevice the same way in Node (npm `webgpu`, Dawn) and in a browser (`navigator.gpu`).
// Everything above this file only sees a GPUDevice.
import { throttleDawnPolling } from './dawn-polling.js';

export interface DeviceOptions {
  /** A `GPU` object to use instead of discovering one (tests, embedding). */
  gpu?: GPU;
  /** Dawn instance toggles for Node, e.g. 'disable-dawn-features=timestamp_quantization'. */
  dawnFlags?: string[];
  powerPreference?: GPUPowerPreference;
  /**
   * Node only: how Dawn's bindings poll for finished GPU work. 'throttled' (default) backs a long wait off
   * to 1 ms polls; 'busy' leaves Dawn's own setImmediate loop, which takes a CPU core (engine/dawn-polling.ts).
   */
  dawnPolling?: 'throttled' | 'busy';
}

export interface DeviceInfo {
  device: GPUDevice;
  adapterInfo: { vendor: string; architecture: string; device: string; description: string };
  features: Set<string>;
  isNode: boolean;
  /** Held so the Dawn instance is not garbage-collected while its device lives (that crashes Node). */
  gpu: GPU;
}

/** Optional features that help; requested only when the adapter has them. */
const WANTED_FEATURES = ['timestamp-query', 'shader-f16', 'subgroups', 'chromium-experimental-timestamp-query-inside-passes'];

export const NO_ADAPTER_HELP =
  'No WebGPU adapter was found. Install a GPU driver with Vulkan support, or on a machine without a GPU ' +
  'install Mesa lavapipe >= 23 (Debian bookworm: add the bookworm-backports suite and run ' +
  '`apt-get install -t bookworm-backports mesa-vulkan-drivers libvulkan1`; `npm run setup` does this). ' +
  'In Chrome, WebGPU needs a secure context (https or http://127.0.0.1) and may need --enable-unsafe-webgpu.';

const isNodeRuntime = (): boolean =>
  typeof process !== 'undefined' && !!(process as { versions?: { node?: string } }).versions?.node &&
  typeof (globalThis as { window?: unknown }).window === 'undefined';

async function findGpu(opts: DeviceOptions): Promise<GPU> {
  if (opts.gpu) return opts.gpu;
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (!isNodeRuntime()) {
    if (nav?.gpu) return nav.gpu;
    throw new Error('This browser does not expose navigator.gpu. ' + NO_ADAPTER_HELP);
  }
  // The module name is built at run time so browser bundlers never try to resolve the Node-only package.
  const moduleName = 'webgpu';
  const mod = (await import(/* @vite-ignore */ moduleName)) as { create: (f: string[]) => GPU; globals: object };
  // GPUBufferUsage, GPUMapMode, ... are browser globals; Dawn's node bindings hand them to us instead.
  Object.assign(globalThis, mod.globals);
  return mod.create(opts.dawnFlags ?? []);
}

export async function requestDevice(opts: DeviceOptions = {}): Promise<DeviceInfo> {
  const gpu = await findGpu(opts);
  if (isNodeRuntime() && (opts.dawnPolling ?? 'throttled') === 'throttled') throttleDawnPolling();
  const adapter = await gpu.requestAdapter({ powerPreference: opts.powerPreference ?? 'high-performance' });
  if (!adapter) throw new Error(NO_ADAPTER_HELP);

  // The default limits (128 MiB storage bindings, 16 KiB workgroup memory) are too small for real work:
  // ask for everything the adapter has.
  const requiredLimits: Record<string, number> = {};
  for (const key in adapter.limits) {
    const value = (adapter.limits as unknown as Record<string, number>)[key];
    if (typeof value === 'number') requiredLimits[key] = value;
  }
  const requiredFeatures = WANTED_FEATURES.filter((f) => adapter.features.has(f)) as GPUFeatureName[];
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures });
  const info = (adapter as { info?: GPUAdapterInfo }).info;
  return {
    device,
    adapterInfo: {
      vendor: info?.vendor ?? '',
      architecture: info?.architecture ?? '',
      device: info?.device ?? '',
      description: info?.description ?? '',
    },
    features: new Set([...device.features] as string[]),
    isNode: isNodeRuntime(),
    gpu,
  };
}
