// Starting the engine on navigator.gpu: the WGSL sources come in through Vite (Node reads them from disk),
// and a browser without WebGPU gets a plain explanation instead of a stack trace.
/// <reference types="vite/client" />
import * as E from '../../engine/index.js';

// A relative glob, so it resolves the same under `npm run web` (root src/web), the tests (root = the repo)
// and the static build (the sources are inlined as strings).
const shaderFiles = import.meta.glob('../../shaders/*.wgsl', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

/** Shown when the page cannot get a WebGPU adapter. */
export const NO_WEBGPU_HELP =
  'This browser does not offer WebGPU, which the condensation runs on. Use Chrome or Edge 113 or newer on a ' +
  'supported GPU; on Linux start Chrome with --enable-unsafe-webgpu (or turn on chrome://flags/#enable-unsafe-webgpu). ' +
  'The page must come from https or http://127.0.0.1 (a secure context). Nothing was uploaded: your files stay in this browser.';

export class NoWebGpuError extends Error {
  constructor(detail: string) {
    super(`${NO_WEBGPU_HELP} (${detail})`);
    this.name = 'NoWebGpuError';
  }
}

/**
 * The engine on this page's GPU. `onLost` hears about a lost device as soon as the browser reports it
 * (the engine also throws DeviceLostError from the next GPU call).
 */
export async function startEngine(onLost: (reason: string) => void): Promise<E.Runtime> {
  if (!('gpu' in navigator) || !navigator.gpu) throw new NoWebGpuError('navigator.gpu is missing');
  if (Object.keys(shaderFiles).length === 0) throw new Error('the WGSL shaders were not bundled (shaders/*.wgsl not found by the build)');
  E.registerShaderSources(shaderFiles);
  let rt: E.Runtime;
  try {
    rt = await E.initEngine();
  } catch (e) {
    // requestAdapter() returned null, or requestDevice() failed: say so in the page's words.
    throw new NoWebGpuError((e as Error).message.split('.')[0]);
  }
  rt.device.lost.then((info) => {
    // 'destroyed' comes from our own device.destroy() too (the test's lost-device check uses it).
    onLost(`${info.reason}${info.message ? `: ${info.message}` : ''}`);
  });
  return rt;
}

/** "12.3 MiB" */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  return `${u === 0 ? n : n.toFixed(1)} ${units[u]}`;
}
