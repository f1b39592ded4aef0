// MATLAB level-5 MAT-files (what MATLAB writes with -v6/-v7, and scipy.io.savemat), numeric arrays only.
//   128-byte header: 116 bytes of text ("MATLAB 5.0 MAT-file, ..."), 8 bytes subsystem offset, u16 version
//   (0x0100) and the endian indicator 'IM' (little-endian file) or 'MI' (big-endian).
//   Then data elements, each a tag <u32 type><u32 byte count> and its data padded to 8 bytes; a "small"
//   element (at most 4 bytes of data) packs <u16 byte count><u16 type> and its data into 8 bytes.
//   A top-level element is a variable (miMATRIX) or, from v7 on, miCOMPRESSED: a zlib stream holding one
//   miMATRIX element (not padded after it).
//   miMATRIX: array flags (class, complex/global/logical bits), dimensions (column-major, >= 2), name,
//   real part, imaginary part if complex. The parts may be stored in a smaller type than the class when
//   the values fit (MATLAB stores a double array of small integers as miUINT8, for example).
// Values come back in the class's own type (Float64Array for double, ...), still in MATLAB's column-major
// order. Cell, struct, object and sparse variables are listed but their contents are not decoded.
import { DataError, formatCount } from './errors.js';
import { inflateZlib, inflateZlibPrefix } from './zlib.js';

const MI_MATRIX = 14;
const MI_COMPRESSED = 15;

// Storage types: name, bytes per value, how to read one value.
interface StorageType {
  name: string;
  bytes: number;
  read: (view: DataView, at: number, le: boolean) => number | bigint;
}
const STORAGE: Record<number, StorageType> = {
  1: { name: 'miINT8', bytes: 1, read: (v, at) => v.getInt8(at) },
  2: { name: 'miUINT8', bytes: 1, read: (v, at) => v.getUint8(at) },
  3: { name: 'miINT16', bytes: 2, read: (v, at, le) => v.getInt16(at, le) },
  4: { name: 'miUINT16', bytes: 2, read: (v, at, le) => v.getUint16(at, le) },
  5: { name: 'miINT32', bytes: 4, read: (v, at, le) => v.getInt32(at, le) },
  6: { name: 'miUINT32', bytes: 4, read: (v, at, le) => v.getUint32(at, le) },
  7: { name: 'miSINGLE', bytes: 4, read: (v, at, le) => v.getFloat32(at, le) },
  9: { name: 'miDOUBLE', bytes: 8, read: (v, at, le) => v.getFloat64(at, le) },
  12: { name: 'miINT64', bytes: 8, read: (v, at, le) => v.getBigInt64(at, le) },
  13: { name: 'miUINT64', bytes: 8, read: (v, at, le) => v.getBigUint64(at, le) },
  16: { name: 'miUTF8', bytes: 1, read: (v, at) => v.getUint8(at) },
  17: { name: 'miUTF16', bytes: 2, read: (v, at, le) => v.getUint16(at, le) },
  18: { name: 'miUTF32', bytes: 4, read: (v, at, le) => v.getUint32(at, le) },
};

function typeName(type: number): string {
  return STORAGE[type]?.name ?? (type === MI_MATRIX ? 'miMATRIX' : type === MI_COMPRESSED ? 'miCOMPRESSED' : `type ${type}`);
}

export type MatClass =
  | 'cell' | 'struct' | 'object' | 'char' | 'sparse' | 'double' | 'single' | 'int8' | 'uint8'
  | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'function' | 'opaque';
const CLASSES: (MatClass | undefined)[] = [
  undefined, 'cell', 'struct', 'object', 'char', 'sparse', 'double', 'single', 'int8', 'uint8',
  'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'function', 'opaque',
];

export type MatArray =
  | Float64Array | Float32Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array
  | BigInt64Array | BigUint64Array;
type ArrayMaker = { new (n: number): MatArray; new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): MatArray };
// The array type of each class whose values we decode (char: UTF-16 code units), and the storage type
// whose bytes it can take over unchanged.
const DECODED: Partial<Record<MatClass, { array: ArrayMaker; same: number }>> = {
  double: { array: Float64Array, same: 9 },
  single: { array: Float32Array, same: 7 },
  int8: { array: Int8Array, same: 1 },
  uint8: { array: Uint8Array, same: 2 },
  int16: { array: Int16Array, same: 3 },
  uint16: { array: Uint16Array, same: 4 },
  int32: { array: Int32Array, same: 5 },
  uint32: { array: Uint32Array, same: 6 },
  int64: { array: BigInt64Array as unknown as ArrayMaker, same: 12 },
  uint64: { array: BigUint64Array as unknown as ArrayMaker, same: 13 },
  char: { array: Uint16Array, same: 17 },
};

export interface MatVariable {
  name: string;
  className: MatClass;
  /** MATLAB dimensions, e.g. [32, 32, 3, N]; values are column-major (the first index varies fastest). */
  dims: number[];
  complex: boolean;
  logical: boolean;
  global: boolean;
  /** The values, for numeric and char classes; undefined for cell, struct, object, sparse, ... */
  real?: MatArray;
  imag?: MatArray;
}

export interface MatFile {
  description: string;
  littleEndian: boolean;
  variables: Map<string, MatVariable>;
}

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

interface Element {
  type: number;
  /** Where the element's data starts, and its length in bytes. */
  start: number;
  size: number;
  /** Where the next element starts. */
  next: number;
}

/** A view of one buffer (the file, or a decompressed element) in the file's byte order. */
class Cursor {
  readonly view: DataView;

  constructor(
    readonly data: Uint8Array,
    readonly le: boolean,
    /** For messages: the file, and where this buffer came from. */
    readonly where: string,
    /** Whether `data` is ours (decompressed) so arrays may share its memory. */
    readonly owned: boolean,
  ) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  u32(at: number): number {
    return this.view.getUint32(at, this.le);
  }

  fail(problem: string): never {
    throw new DataError(`${this.where}: ${problem}`);
  }

  /** The element whose tag is at `at`, which must end by `limit`. */
  element(at: number, limit: number, padded = true): Element {
    if (at + 8 > limit) this.fail(`${limit - at} bytes at byte ${at} are too few for a data element's tag: truncated?`);
    const first = this.u32(at);
    if (first >>> 16 !== 0) {
      // Small element: <u16 size><u16 type> in the file's order, then up to 4 bytes of data.
      const size = first >>> 16;
      if (size > 4) this.fail(`the small data element at byte ${at} claims ${size} bytes (at most 4 fit)`);
      return { type: first & 0xffff, start: at + 4, size, next: at + 8 };
    }
    const size = this.u32(at + 4);
    const start = at + 8;
    if (size > limit - start) {
      this.fail(`the ${typeName(first)} element at byte ${at} declares ${formatCount(size)} bytes but only ${formatCount(limit - start)} remain: truncated?`);
    }
    return { type: first, start, size, next: Math.min(limit, start + (padded ? Math.ceil(size / 8) * 8 : size)) };
  }
}

/** The values of a real or imaginary part, converted from the storage type to the class's array type. */
function readValues(c: Cursor, el: Element, cls: MatClass, count: number, label: string): MatArray {
  const storage = STORAGE[el.type];
  if (!storage) c.fail(`${label} is stored as ${typeName(el.type)}, not a numeric type`);
  if (el.size !== count * storage.bytes) {
    c.fail(`${label} holds ${formatCount(el.size)} bytes of ${storage.name} (${storage.bytes} per value) but its dimensions need ${formatCount(count)} values`);
  }
  const { array, same } = DECODED[cls]!;
  const bytes = c.data.subarray(el.start, el.start + el.size);
  if (el.type === same && (storage.bytes === 1 || c.le === HOST_LITTLE_ENDIAN)) {
    // The bytes are already the array: share a decompressed buffer when aligned, else copy.
    if (c.owned && bytes.byteOffset % storage.bytes === 0) return new array(bytes.buffer, bytes.byteOffset, count);
    return new array(bytes.slice().buffer);
  }
  const out = new array(count);
  const bigint = out instanceof BigInt64Array || out instanceof BigUint64Array;
  for (let i = 0, at = el.start; i < count; i++, at += storage.bytes) {
    const v = storage.read(c.view, at, c.le);
    out[i] = (bigint ? BigInt(v) : Number(v)) as never;
  }
  return out;
}

/** A miMATRIX element's contents (between `start` and `end`). */
function readMatrix(c: Cursor, start: number, end: number): MatVariable {
  const flags = c.element(start, end);
  if (flags.type !== 6 || flags.size !== 8) c.fail(`an array starts with ${typeName(flags.type)} of ${flags.size} bytes where its array flags (miUINT32, 8 bytes) belong`);
  const word = c.u32(flags.start);
  const className = CLASSES[word & 0xff];
  if (!className) c.fail(`an array has unknown class number ${word & 0xff}`);
  const dimsEl = c.element(flags.next, end);
  if (dimsEl.type !== 5 || dimsEl.size < 8 || dimsEl.size % 4) c.fail(`an array's dimensions are ${typeName(dimsEl.type)} of ${dimsEl.size} bytes, not two or more miINT32`);
  const dims = Array.from({ length: dimsEl.size / 4 }, (_, i) => c.view.getInt32(dimsEl.start + 4 * i, c.le));
  if (dims.some((d) => d < 0)) c.fail(`an array has negative dimensions [${dims}]`);
  const nameEl = c.element(dimsEl.next, end);
  if (nameEl.type !== 1 && nameEl.type !== 2 && nameEl.type !== 16) c.fail(`an array's name is stored as ${typeName(nameEl.type)}, not miINT8`);
  const name = new TextDecoder().decode(c.data.subarray(nameEl.start, nameEl.start + nameEl.size));
  const variable: MatVariable = {
    name,
    className,
    dims,
    complex: (word & 0x800) !== 0,
    global: (word & 0x400) !== 0,
    logical: (word & 0x200) !== 0,
  };
  if (DECODED[className]) {
    const count = dims.reduce((n, d) => n * d, 1);
    const realEl = c.element(nameEl.next, end);
    variable.real = readValues(c, realEl, className, count, `variable '${name}' (${className} [${dims}]): the real part`);
    if (variable.complex) {
      variable.imag = readValues(c, c.element(realEl.next, end), className, count, `variable '${name}' (${className} [${dims}]): the imaginary part`);
    }
  }
  return variable;
}

function readHeader(bytes: Uint8Array, file: string): { description: string; littleEndian: boolean } {
  if (bytes.length < 128) throw new DataError(`${file}: ${bytes.length} bytes is too short for a MAT-file (its header alone is 128 bytes)`);
  const text = String.fromCharCode(...bytes.subarray(0, 116)).replace(/[\0 ]+$/, '');
  if (!text.startsWith('MATLAB')) {
    throw new DataError(`${file}: not a MATLAB level-5 MAT-file (the header should start with "MATLAB", it starts with ${JSON.stringify(text.slice(0, 20))})`);
  }
  const indicator = String.fromCharCode(bytes[126], bytes[127]);
  if (indicator !== 'IM' && indicator !== 'MI') throw new DataError(`${file}: bad endian indicator ${JSON.stringify(indicator)} at byte 126 (expected "IM" or "MI")`);
  const littleEndian = indicator === 'IM';
  const version = new DataView(bytes.buffer, bytes.byteOffset).getUint16(124, littleEndian);
  if (version === 0x0200) throw new DataError(`${file}: a MAT v7.3 (HDF5) file, which this reader does not support; save it with -v7`);
  if (version !== 0x0100) throw new DataError(`${file}: unknown MAT-file version 0x${version.toString(16)} (expected 0x0100)`);
  return { description: text, littleEndian };
}

/** Reads every variable of a level-5 MAT-file. `file` names it in messages. */
export function readMat5(bytes: Uint8Array, file: string): MatFile {
  const { description, littleEndian } = readHeader(bytes, file);
  const top: Cursor = new Cursor(bytes, littleEndian, file, false);
  const variables = new Map<string, MatVariable>();
  let at = 128;
  while (at < bytes.length) {
    // Some writers pad the file's end with zeros.
    if (bytes.length - at < 8 && bytes.subarray(at).every((b) => b === 0)) break;
    const tagAt = at;
    const el = top.element(at, bytes.length, false);
    at = el.next;
    let variable: MatVariable;
    if (el.type === MI_COMPRESSED) {
      const where = `${file}: the compressed element at byte ${tagAt}`;
      const compressed = bytes.subarray(el.start, el.start + el.size);
      const head: Cursor = new Cursor(inflateZlibPrefix(compressed, 8, where), littleEndian, where, true);
      if (head.data.length < 8) head.fail(`it decompresses to ${head.data.length} bytes, too few for a data element`);
      const inner = { type: head.u32(0), size: head.u32(4) };
      if (inner.type !== MI_MATRIX) head.fail(`it holds ${typeName(inner.type)}, expected miMATRIX`);
      // Deflate expands at most ~1032:1; a larger claim is a corrupt size, not a reason to allocate it.
      if (inner.size > compressed.length * 1032) head.fail(`it claims ${formatCount(inner.size)} bytes, more than ${formatCount(compressed.length)} compressed bytes can hold`);
      const data = inflateZlib(compressed, 8 + inner.size, where);
      variable = readMatrix(new Cursor(data, littleEndian, where, true), 8, data.length);
    } else if (el.type === MI_MATRIX) {
      if (el.size === 0) continue; // an empty array with no name (scipy reads it as []): nothing to keep
      variable = readMatrix(new Cursor(bytes, littleEndian, `${file}: the array at byte ${tagAt}`, false), el.start, el.start + el.size);
    } else {
      top.fail(`unexpected ${typeName(el.type)} element at byte ${tagAt} (expected miMATRIX or miCOMPRESSED)`);
    }
    variables.set(variable.name, variable);
  }
  return { description, littleEndian, variables };
}
