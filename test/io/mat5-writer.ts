// A MATLAB level-5 MAT-file writer for tests, written from the format description (MathWorks, "MAT-File
// Format"): it makes files like MATLAB's own, including the parts a reader must get right: small data
// elements (names of up to 4 characters, data of up to 4 bytes), values stored in a narrower type than
// their class (a double array of small integers as miUINT8), miCOMPRESSED elements, either byte order.
import { zlibSync } from 'fflate';

export const MI = { INT8: 1, UINT8: 2, INT16: 3, UINT16: 4, INT32: 5, UINT32: 6, SINGLE: 7, DOUBLE: 9, MATRIX: 14, COMPRESSED: 15, UTF16: 17 } as const;
const MI_BYTES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 4, 7: 4, 9: 8, 17: 2 };
const CLASS = { char: 4, double: 6, single: 7, int8: 8, uint8: 9, int16: 10, uint16: 11, int32: 12, uint32: 13 } as const;
const NATIVE_STORAGE: Record<keyof typeof CLASS, number> = {
  char: MI.UTF16, double: MI.DOUBLE, single: MI.SINGLE, int8: MI.INT8, uint8: MI.UINT8, int16: MI.INT16, uint16: MI.UINT16, int32: MI.INT32, uint32: MI.UINT32,
};

export interface TestVariable {
  name: string;
  className: keyof typeof CLASS;
  dims: number[];
  real: ArrayLike<number>;
  imag?: ArrayLike<number>;
  /** The mi type the values are stored as (default: the class's own). */
  storage?: number;
  logical?: boolean;
}

export interface WriteOptions {
  compress?: boolean;
  bigEndian?: boolean;
}

class Bytes {
  private parts: Uint8Array[] = [];
  constructor(private le: boolean) {}

  u32(v: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v, this.le);
    return this.raw(b);
  }

  raw(b: Uint8Array): this {
    this.parts.push(b);
    return this;
  }

  /** A data element: the small format when the data fits in 4 bytes (and `small`), else tag + data + padding. */
  element(type: number, data: Uint8Array, small = true): this {
    if (small && data.length <= 4) {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setUint32(0, (data.length << 16) | type, this.le);
      b.set(data, 4);
      return this.raw(b);
    }
    this.u32(type).u32(data.length).raw(data);
    return this.raw(new Uint8Array((8 - (data.length % 8)) % 8));
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

function encodeValues(values: ArrayLike<number>, type: number, le: boolean): Uint8Array {
  const size = MI_BYTES[type];
  const out = new Uint8Array(values.length * size);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const at = i * size;
    if (type === MI.INT8) view.setInt8(at, v);
    else if (type === MI.UINT8) view.setUint8(at, v);
    else if (type === MI.INT16) view.setInt16(at, v, le);
    else if (type === MI.UINT16 || type === MI.UTF16) view.setUint16(at, v, le);
    else if (type === MI.INT32) view.setInt32(at, v, le);
    else if (type === MI.UINT32) view.setUint32(at, v, le);
    else if (type === MI.SINGLE) view.setFloat32(at, v, le);
    else view.setFloat64(at, v, le);
  }
  return out;
}

/** One variable's miMATRIX element, tag included. */
export function matrixElement(v: TestVariable, le: boolean): Uint8Array {
  const storage = v.storage ?? NATIVE_STORAGE[v.className];
  const flags = CLASS[v.className] | (v.imag ? 0x800 : 0) | (v.logical ? 0x200 : 0);
  const body = new Bytes(le)
    .element(MI.UINT32, encodeValues([flags, 0], MI.UINT32, le), false)
    .element(MI.INT32, encodeValues(v.dims, MI.INT32, le))
    .element(MI.INT8, new TextEncoder().encode(v.name))
    .element(storage, encodeValues(v.real, storage, le));
  if (v.imag) body.element(storage, encodeValues(v.imag, storage, le));
  const content = body.bytes();
  return new Bytes(le).u32(MI.MATRIX).u32(content.length).raw(content).bytes();
}

export function headerBytes(le: boolean, text = 'MATLAB 5.0 MAT-file, Platform: GLNXA64, Created on: Mon Jan  1 00:00:00 2024'): Uint8Array {
  const header = new Uint8Array(128).fill(0x20);
  header.set(new TextEncoder().encode(text));
  header.fill(0, 116, 124); // subsystem data offset: none
  new DataView(header.buffer).setUint16(124, 0x0100, le);
  header.set(le ? [0x49, 0x4d] : [0x4d, 0x49], 126); // 'IM' read in the file's order is 0x4d49
  return header;
}

export function writeMat5(variables: TestVariable[], options: WriteOptions = {}): Uint8Array {
  const le = !options.bigEndian;
  const file = new Bytes(le).raw(headerBytes(le));
  for (const v of variables) {
    const element = matrixElement(v, le);
    if (options.compress) {
      const z = zlibSync(element);
      file.u32(MI.COMPRESSED).u32(z.length).raw(z); // compressed elements are not padded
    } else {
      file.raw(element);
    }
  }
  return file.bytes();
}
