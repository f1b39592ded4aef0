// safetensors (the Hugging Face format; PyTorch reads our files with safetensors.torch.load_file):
//   8 bytes    little-endian u64 N, the header length
//   N bytes    JSON { "__metadata__": { str: str }, name: { dtype, shape, data_offsets: [begin, end] }, ... },
//              padded with spaces so that the data starts 8-byte aligned
//   the data   raw little-endian values, C order, tensors back to back with offsets relative to here
// The writer lays a file out exactly as the reference implementation does (tensors sorted by dtype, widest
// first, then by name; compact JSON; __metadata__ first), so both produce identical bytes for the same
// tensors. The reader checks everything the reference reader checks.
import { DataError } from './errors.js';

export type SafeDType = 'F32' | 'I32' | 'U8';
export type SafeArray = Float32Array | Int32Array | Uint8Array;

export interface SafeTensor {
  dtype: SafeDType;
  shape: number[];
  data: SafeArray;
}

export interface SafeFile {
  tensors: Record<string, SafeTensor>;
  metadata: Record<string, string>;
}

const ELEMENT_BYTES: Record<SafeDType, number> = { F32: 4, I32: 4, U8: 1 };
// The reference implementation's dtype order, descending (so 4-byte data stays aligned after 1-byte data).
const DTYPE_ORDER: SafeDType[] = ['F32', 'I32', 'U8'];
const ARRAY_TYPES = { F32: Float32Array, I32: Int32Array, U8: Uint8Array } as const;
const MAX_HEADER_BYTES = 100_000_000; // the reference reader's limit

/** Code-point order, which is the UTF-8 byte order the reference implementation sorts names by. */
function compareNames(a: string, b: string): number {
  const x = [...a].map((ch) => ch.codePointAt(0)!);
  const y = [...b].map((ch) => ch.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

function assertLittleEndianHost(): void {
  // Typed arrays use the host's byte order; the format is little-endian. Every current browser and Node
  // platform is little-endian, so say so loudly rather than silently byte-swap.
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('safetensors: big-endian hosts are not supported');
}

function elementCount(shape: number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

function isShape(shape: unknown): shape is number[] {
  return Array.isArray(shape) && shape.every((d) => Number.isSafeInteger(d) && d >= 0);
}

export function writeSafetensors(tensors: Record<string, SafeTensor>, metadata?: Record<string, string>): Uint8Array {
  assertLittleEndianHost();
  const names = Object.keys(tensors).sort(
    (a, b) => DTYPE_ORDER.indexOf(tensors[a].dtype) - DTYPE_ORDER.indexOf(tensors[b].dtype) || compareNames(a, b),
  );
  const header: Record<string, unknown> = {};
  if (metadata) {
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== 'string') throw new Error(`writeSafetensors: metadata '${key}' must be a string, got ${typeof value}`);
    }
    header.__metadata__ = metadata;
  }
  let offset = 0;
  for (const name of names) {
    const { dtype, shape, data } = tensors[name];
    if (name === '__metadata__' || name === '') throw new Error(`writeSafetensors: '${name}' cannot be a tensor name`);
    if (!(dtype in ELEMENT_BYTES)) throw new Error(`writeSafetensors: '${name}' has unsupported dtype ${dtype}`);
    if (!(data instanceof ARRAY_TYPES[dtype])) throw new Error(`writeSafetensors: '${name}' is ${dtype} but its data is a ${data.constructor.name}`);
    if (!isShape(shape)) throw new Error(`writeSafetensors: '${name}' has an invalid shape [${shape}]`);
    if (elementCount(shape) !== data.length) throw new Error(`writeSafetensors: '${name}' has ${data.length} values for shape [${shape}]`);
    header[name] = { dtype, shape, data_offsets: [offset, offset + data.byteLength] };
    offset += data.byteLength;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = Math.ceil(json.length / 8) * 8; // pad with spaces: the data starts 8-byte aligned
  const out = new Uint8Array(8 + headerLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let at = 8 + headerLength;
  for (const name of names) {
    const d = tensors[name].data;
    out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), at);
    at += d.byteLength;
  }
  return out;
}

interface HeaderEntry {
  name: string;
  dtype: SafeDType;
  shape: number[];
  begin: number;
  end: number;
}

/** Parses the JSON header into checked entries, sorted by data offset. */
function parseHeader(text: string, file: string): { entries: HeaderEntry[]; metadata: Record<string, string> } {
  const bad = (problem: string): never => {
    throw new DataError(`${file}: ${problem}`);
  };
  if (!text.startsWith('{')) bad(`the header does not start with '{': not a safetensors file`);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    bad(`the header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) return bad('the header is not a JSON object');
  const metadata: Record<string, string> = {};
  const entries: HeaderEntry[] = [];
  for (const [name, value] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) bad('__metadata__ is not an object of strings');
      for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
        if (typeof v !== 'string') bad(`__metadata__ '${key}' is not a string`);
        metadata[key] = v as string;
      }
      continue;
    }
    const info = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof info !== 'object' || info === null) bad(`tensor '${name}' is not described by an object`);
    const { dtype, shape, data_offsets: offsets } = info;
    if (typeof dtype !== 'string') return bad(`tensor '${name}' has no dtype`);
    if (!(dtype in ELEMENT_BYTES)) bad(`tensor '${name}' has dtype ${dtype}; this reader supports ${DTYPE_ORDER.join(', ')}`);
    if (!isShape(shape)) return bad(`tensor '${name}' has an invalid shape ${JSON.stringify(shape)}`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) || offsets[0] > offsets[1]) {
      return bad(`tensor '${name}' has invalid data_offsets ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    const bytes = elementCount(shape) * ELEMENT_BYTES[dtype as SafeDType];
    if (end - begin !== bytes) {
      bad(`tensor '${name}' is ${dtype} [${shape}] (${bytes} bytes) but its data_offsets [${begin}, ${end}] span ${end - begin} bytes`);
    }
    entries.push({ name, dtype: dtype as SafeDType, shape, begin, end });
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  return { entries, metadata };
}

/** Checks that the tensors tile the data section exactly: in range, no overlap, no gap, nothing after. */
function checkLayout(entries: HeaderEntry[], dataBytes: number, file: string): void {
  for (const e of entries) {
    if (e.end > dataBytes) {
      throw new DataError(`${file}: tensor '${e.name}' data_offsets [${e.begin}, ${e.end}] run past the end of the data (${dataBytes} bytes): truncated?`);
    }
  }
  let at = 0;
  let previous: HeaderEntry | undefined;
  for (const e of entries) {
    if (e.begin < at && previous) {
      throw new DataError(`${file}: tensors '${previous.name}' [${previous.begin}, ${previous.end}] and '${e.name}' [${e.begin}, ${e.end}] overlap`);
    }
    if (e.begin > at) throw new DataError(`${file}: data bytes ${at}..${e.begin} belong to no tensor`);
    at = e.end;
    previous = e;
  }
  if (at !== dataBytes) throw new DataError(`${file}: ${dataBytes - at} bytes after the last tensor's data (the data section has ${dataBytes} bytes, the tensors end at ${at})`);
}

export function readSafetensors(bytes: Uint8Array, file = 'safetensors file'): SafeFile {
  assertLittleEndianHost();
  if (bytes.length < 8) throw new DataError(`${file}: ${bytes.length} bytes is too short for the 8-byte header length`);
  const declared = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (declared > BigInt(MAX_HEADER_BYTES)) throw new DataError(`${file}: declares a ${declared}-byte header (the limit is 100 MB): not a safetensors file?`);
  const headerLength = Number(declared);
  if (8 + headerLength > bytes.length) {
    throw new DataError(`${file}: declares a ${headerLength}-byte header but the file has only ${bytes.length} bytes: truncated or not a safetensors file`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength));
  } catch {
    throw new DataError(`${file}: the header is not valid UTF-8: not a safetensors file?`);
  }
  const { entries, metadata } = parseHeader(text, file);
  const dataStart = 8 + headerLength;
  checkLayout(entries, bytes.length - dataStart, file);
  const tensors: Record<string, SafeTensor> = {};
  for (const { name, dtype, shape, begin, end } of entries) {
    // A copy, so the values are aligned for their typed array and independent of the file's buffer.
    const raw = bytes.slice(dataStart + begin, dataStart + end);
    tensors[name] = { dtype, shape, data: new ARRAY_TYPES[dtype](raw.buffer) };
  }
  return { tensors, metadata };
}
