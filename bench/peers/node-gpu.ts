// One Dawn instance for both engines in this process: ours gets it directly, TF.js finds it as navigator.gpu
// (Node 20 has no navigator), so both request devices from the same adapter.
import { create, globals } from 'webgpu';
import type * as tfjs from '@tensorflow/tfjs';
import * as E from '../../engine/index.js';

export interface SharedGpu {
  ours: E.Runtime;
  tf: typeof tfjs;
  tfAdapter: unknown;
}

export async function sharedGpu(): Promise<SharedGpu> {
  Object.assign(globalThis, globals); // GPUBufferUsage, GPUMapMode, ... as in a browser
  const gpu = create([]);
  const g = globalThis as { navigator?: { gpu?: GPU } };
  if (!g.navigator) g.navigator = {};
  g.navigator.gpu = gpu;
  const ours = await E.initEngine({ gpu });
  // Imported only now: the backend registers 'webgpu' at import time, and only if navigator.gpu exists.
  const tf = await import('@tensorflow/tfjs');
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend('webgpu'))) throw new Error('TF.js could not initialise its webgpu backend');
  await tf.ready();
  const backend = tf.backend() as { adapterInfo?: unknown };
  return { ours, tf, tfAdapter: backend.adapterInfo };
}
