// The files a condensation run keeps, as bytes (the Node CLI writes them atomically; the browser app
// offers them as downloads):
//   hmn.safetensors         the HMN alone: every stored tensor, its config and class names in the metadata.
//                           This is the condensed dataset; nothing else is needed to decode its images.
//   checkpoint.safetensors  the same tensors under "hmn/", Adam's moments under "adam/", and in the
//                           metadata the run description, the iteration reached and the loss curve, so
//                           that a resumed run continues exactly where this one stopped.
import type { HmnConfig } from '../hmn/config.js';
import { Hmn } from '../hmn/model.js';
import { crc32 } from '../io/checksums.js';
import { DataError } from '../io/errors.js';
import { readSafetensors, writeSafetensors, type SafeTensor } from '../io/safetensors.js';
import type { CondenserProgress } from './condenser.js';

export const HMN_FORMAT = 'hmn-webgpu/1';
export const CHECKPOINT_FORMAT = 'hmn-webgpu-checkpoint/1';
const INSTANCE_CLASS = 'memory.instance_class';

/** What a run was asked to do: a resumed run must be asked the same (except for more iterations). */
export interface RunDescription {
  dataset: string;
  /** Identifies the training images (name, split, count and a checksum), so a resume cannot switch data. */
  data: { name: string; split: string; count: number; checksum: string };
  ipc: number;
  overBudget: number;
  seed: number;
  hyper: Record<string, unknown>;
  config: HmnConfig;
}

/** The HMN's stored tensors (floats) and the class of each instance memory, by safetensors name. */
export async function hmnTensors(hmn: Hmn, prefix = ''): Promise<Record<string, SafeTensor>> {
  const out: Record<string, SafeTensor> = { [prefix + INSTANCE_CLASS]: { dtype: 'I32', shape: [hmn.rows], data: Int32Array.from(hmn.instanceClass) } };
  for (const [name, t] of Object.entries(await hmn.stateDict())) out[prefix + name] = { dtype: 'F32', shape: t.shape, data: t.data };
  return out;
}

export async function encodeHmn(hmn: Hmn, classNames: string[]): Promise<Uint8Array> {
  return writeSafetensors(await hmnTensors(hmn), { format: HMN_FORMAT, config: JSON.stringify(hmn.config), classNames: JSON.stringify(classNames) });
}

function jsonField<T>(metadata: Record<string, string>, key: string, file: string): T {
  const text = metadata[key];
  if (text === undefined) throw new DataError(`${file}: the metadata has no '${key}'`);
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new DataError(`${file}: the metadata's '${key}' is not valid JSON`);
  }
}

function hmnFrom(tensors: Record<string, SafeTensor>, config: HmnConfig, prefix: string, file: string): Hmn {
  const classes = tensors[prefix + INSTANCE_CLASS];
  if (!classes || classes.dtype !== 'I32') throw new DataError(`${file}: no I32 tensor '${prefix + INSTANCE_CLASS}'`);
  const state: Record<string, { shape: number[]; data: Float32Array }> = {};
  for (const [name, t] of Object.entries(tensors)) {
    if (!name.startsWith(prefix) || name === prefix + INSTANCE_CLASS) continue;
    if (t.dtype !== 'F32') throw new DataError(`${file}: tensor '${name}' is ${t.dtype}, expected F32`);
    state[name.slice(prefix.length)] = { shape: t.shape, data: t.data as Float32Array };
  }
  const bad = (classes.data as Int32Array).findIndex((c) => !(c >= 0 && c < config.classes));
  if (bad >= 0) throw new DataError(`${file}: instance memory ${bad} has class ${classes.data[bad]}, outside 0..${config.classes - 1}`);
  try {
    return Hmn.fromState(config, state, classes.data as Int32Array);
  } catch (e) {
    throw new DataError(`${file}: ${(e as Error).message}`);
  }
}

/** An hmn.safetensors file back as an HMN on the GPU, with its class names. */
export function decodeHmn(bytes: Uint8Array, file = 'hmn.safetensors'): { hmn: Hmn; classNames: string[] } {
  const { tensors, metadata } = readSafetensors(bytes, file);
  if (metadata.format !== HMN_FORMAT) throw new DataError(`${file}: not an HMN file (format '${metadata.format ?? 'none'}', expected '${HMN_FORMAT}')`);
  const config = jsonField<HmnConfig>(metadata, 'config', file);
  const classNames = metadata.classNames ? jsonField<string[]>(metadata, 'classNames', file) : Array.from({ length: config.classes }, (_, c) => String(c));
  return { hmn: hmnFrom(tensors, config, '', file), classNames };
}

export interface Checkpoint {
  run: RunDescription;
  classNames: string[];
  progress: CondenserProgress;
}

export async function encodeCheckpoint(hmn: Hmn, progress: CondenserProgress, run: RunDescription, classNames: string[]): Promise<Uint8Array> {
  const tensors = await hmnTensors(hmn, 'hmn/');
  for (const [name, data] of Object.entries(progress.adam.buffers)) tensors[`adam/${name}`] = { dtype: 'F32', shape: [data.length], data };
  return writeSafetensors(tensors, {
    format: CHECKPOINT_FORMAT,
    run: JSON.stringify(run),
    classNames: JSON.stringify(classNames),
    iteration: String(progress.iteration),
    // JSON numbers round-trip doubles exactly, so the resumed loss curve equals the uninterrupted one.
    lossCurve: JSON.stringify(progress.lossCurve),
    adam: JSON.stringify({ lr: progress.adam.lr, steps: progress.adam.steps }),
  });
}

/** A checkpoint's HMN (on the GPU) and everything else needed to continue the run. */
export function decodeCheckpoint(bytes: Uint8Array, file = 'checkpoint.safetensors'): Checkpoint & { hmn: Hmn } {
  const { tensors, metadata } = readSafetensors(bytes, file);
  if (metadata.format !== CHECKPOINT_FORMAT) throw new DataError(`${file}: not a condensation checkpoint (format '${metadata.format ?? 'none'}')`);
  const run = jsonField<RunDescription>(metadata, 'run', file);
  const classNames = jsonField<string[]>(metadata, 'classNames', file);
  const lossCurve = jsonField<number[]>(metadata, 'lossCurve', file);
  const { lr, steps } = jsonField<{ lr: number; steps: number[] }>(metadata, 'adam', file);
  const iteration = Number(metadata.iteration);
  if (!Number.isInteger(iteration) || iteration < 0 || lossCurve.length !== iteration) {
    throw new DataError(`${file}: iteration '${metadata.iteration}' and a loss curve of ${lossCurve.length} values disagree`);
  }
  const buffers: Record<string, Float32Array> = {};
  for (const [name, t] of Object.entries(tensors)) if (name.startsWith('adam/')) buffers[name.slice(5)] = t.data as Float32Array;
  const hmn = hmnFrom(tensors, run.config, 'hmn/', file);
  return { run, classNames, hmn, progress: { iteration, lossCurve, adam: { lr, steps, buffers } } };
}

/** The differences between what a checkpoint's run was asked and what the resumed run is asked, if any. */
export function describeMismatch(saved: RunDescription, now: RunDescription): string[] {
  const out: string[] = [];
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  for (const key of ['dataset', 'ipc', 'overBudget', 'seed'] as const) if (!same(saved[key], now[key])) out.push(`${key}: ${saved[key]} then, ${now[key]} now`);
  if (!same(saved.data, now.data)) out.push(`training images: ${JSON.stringify(saved.data)} then, ${JSON.stringify(now.data)} now`);
  for (const key of new Set([...Object.keys(saved.hyper), ...Object.keys(now.hyper)])) {
    if (key === 'iterations') continue; // a run may be extended
    if (!same(saved.hyper[key], now.hyper[key])) out.push(`${key}: ${JSON.stringify(saved.hyper[key])} then, ${JSON.stringify(now.hyper[key])} now`);
  }
  if (!same(saved.config, now.config)) out.push('the HMN shapes differ');
  return out;
}

/** A short checksum of the training images and labels (CRC-32 of each, sampled for large sets). */
export function dataChecksum(images: Uint8Array, labels: Int32Array): string {
  return `${crcSampled(images).toString(16)}-${crcSampled(new Uint8Array(labels.buffer, labels.byteOffset, labels.byteLength)).toString(16)}`;
}

function crcSampled(bytes: Uint8Array): number {
  // Every 4 KiB block's first 256 bytes: changes to any image of a real dataset show up, at 1/16 the cost.
  let c = 0;
  for (let at = 0; at < bytes.length; at += 4096) c = crc32(bytes.subarray(at, Math.min(bytes.length, at + 256)), c);
  return c;
}
