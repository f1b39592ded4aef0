// Tensors: a shape, a dtype and a reference-counted GPU buffer from the pool. Lifetime is explicit:
// dispose(), or tidy() scopes that free everything created inside except what the function returns.
import { runtime } from './runtime.js';
import { grid1d } from './dispatch.js';
import type { GradNode } from './autodiff.js';

export type DType = 'f32' | 'i32';
export type Shape = readonly number[];

/** A GPU buffer shared by a tensor and its views (reshape); returned to the pool when the last one goes. */
class Storage {
  refs = 1;
  constructor(readonly buffer: GPUBuffer) {}
  release(): void {
    if (--this.refs === 0) runtime().pool.release(this.buffer);
  }
}

let nextId = 1;

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function checkShape(shape: Shape, what = 'shape'): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`${what} [${shape.join(', ')}] has a dimension that is not a non-negative integer`);
  }
}

export class Tensor {
  readonly id = nextId++;
  readonly size: number;
  requiresGrad = false;
  /** How this tensor was computed, when recorded for autodiff. */
  node: GradNode | null = null;
  /** Accumulated gradient of a leaf (filled by backward()). */
  grad: Tensor | null = null;
  /** The scope that will dispose this tensor, if any. */
  scope: Set<Tensor> | null = null;
  /** Graph tensors a top-level tidy() kept alive for this result's backward; disposed with it. */
  retained: Tensor[] = [];
  private storage: Storage | null;

  constructor(readonly shape: Shape, readonly dtype: DType = 'f32', storage?: Storage, readonly label = '') {
    checkShape(shape);
    this.size = sizeOf(shape);
    this.storage = storage ?? new Storage(runtime().pool.acquire(Math.max(4, this.size * 4)));
    trackInScope(this);
  }

  get rank(): number {
    return this.shape.length;
  }

  get isDisposed(): boolean {
    return this.storage === null;
  }

  get buffer(): GPUBuffer {
    if (!this.storage) throw new Error(`tensor #${this.id}${this.label ? ` (${this.label})` : ''} [${this.shape.join(', ')}] was used after dispose()`);
    return this.storage.buffer;
  }

  /** A tensor of another shape over the same buffer (no copy). */
  view(shape: Shape): Tensor {
    checkShape(shape);
    if (sizeOf(shape) !== this.size) throw new Error(`cannot view [${this.shape.join(', ')}] as [${shape.join(', ')}]: sizes differ`);
    void this.buffer;
    this.storage!.refs++;
    return new Tensor(shape, this.dtype, this.storage!, this.label);
  }

  dispose(): void {
    if (!this.storage) return;
    this.storage.release();
    this.storage = null;
    this.scope?.delete(this);
    this.scope = null;
    this.node = null;
    for (const t of this.retained) t.dispose();
    this.retained = [];
    if (this.grad) {
      this.grad.dispose();
      this.grad = null;
    }
  }

  async data(): Promise<Float32Array | Int32Array> {
    const bytes = await runtime().dispatcher.read(this.buffer, this.size * 4);
    return this.dtype === 'i32' ? new Int32Array(bytes) : new Float32Array(bytes);
  }

  /** Values as a Float32Array (f32 tensors). */
  async floats(): Promise<Float32Array> {
    if (this.dtype !== 'f32') throw new Error(`floats() on an ${this.dtype} tensor`);
    return (await this.data()) as Float32Array;
  }

  async item(): Promise<number> {
    if (this.size !== 1) throw new Error(`item() needs a tensor with one element, got [${this.shape.join(', ')}]`);
    return (await this.data())[0];
  }

  toString(): string {
    return `Tensor#${this.id}[${this.shape.join(', ')}] ${this.dtype}${this.requiresGrad ? ' requiresGrad' : ''}`;
  }
}

// ---------------------------------------------------------------- scopes

const scopes: Set<Tensor>[] = [];

function trackInScope(t: Tensor): void {
  const s = scopes[scopes.length - 1];
  if (s) {
    s.add(t);
    t.scope = s;
  }
}

function collectTensors(value: unknown, out: Set<Tensor>, seen = new Set<unknown>()): void {
  if (value instanceof Tensor) {
    out.add(value);
  } else if (value && typeof value === 'object' && !seen.has(value) && !ArrayBuffer.isView(value)) {
    seen.add(value);
    for (const v of Array.isArray(value) ? value : value instanceof Map ? value.values() : Object.values(value)) collectTensors(v, out, seen);
  }
}

/**
 * Run `fn`; every tensor created inside that is not part of its result (a tensor, or arrays/objects of them)
 * and was not kept is disposed when it returns. Results move to the enclosing scope. `fn` must not be async.
 */
export function tidy<T>(fn: () => T): T {
  const scope = new Set<Tensor>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
    if (result instanceof Promise) throw new Error('tidy() takes a synchronous function; await outside it');
  } finally {
    scopes.pop();
  }
  const results = new Set<Tensor>();
  collectTensors(result, results);
  // The recorded graph behind a result must outlive this scope, or a later grad() would read freed buffers.
  const graph = new Set<Tensor>();
  const stack = [...results];
  while (stack.length) {
    const node = stack.pop()!.node;
    for (const t of node ? [...node.inputs, ...node.saved] : []) {
      if (!results.has(t) && !graph.has(t)) {
        graph.add(t);
        stack.push(t);
      }
    }
  }
  const parent = scopes[scopes.length - 1];
  const owner = [...results].find((t) => t.requiresGrad);
  for (const t of [...scope]) {
    if (results.has(t)) {
      t.scope = null;
      trackInScope(t);
    } else if (graph.has(t)) {
      t.scope = null;
      if (parent) trackInScope(t);
      else owner?.retained.push(t); // freed when the result is
    } else {
      t.dispose();
    }
  }
  return result;
}

/** Take a tensor out of every scope: it lives until dispose(). */
export function keep<T extends Tensor>(t: T): T {
  t.scope?.delete(t);
  t.scope = null;
  return t;
}

// ---------------------------------------------------------------- creation

function upload(t: Tensor, data: ArrayBufferView): Tensor {
  runtime().dispatcher.write(t.buffer, data);
  return t;
}

export function tensor(data: ArrayLike<number> | Float32Array | Int32Array, shape?: Shape, dtype?: DType): Tensor {
  const dt: DType = dtype ?? (data instanceof Int32Array ? 'i32' : 'f32');
  const shp = shape ?? [data.length];
  if (sizeOf(shp) !== data.length) throw new Error(`tensor(): ${data.length} values do not fill shape [${shp.join(', ')}]`);
  const typed = dt === 'i32' ? Int32Array.from(data as ArrayLike<number>) : Float32Array.from(data as ArrayLike<number>);
  return upload(new Tensor(shp, dt), typed);
}

export function scalar(value: number): Tensor {
  return tensor([value], []);
}

/** Uninitialised tensor: kernels that write every element use this for outputs. */
export function empty(shape: Shape, dtype: DType = 'f32'): Tensor {
  return new Tensor(shape, dtype);
}

export function full(shape: Shape, value: number, dtype: DType = 'f32'): Tensor {
  const t = new Tensor(shape, dtype);
  if (t.size === 0) return t;
  runtime().dispatcher.run({
    shader: 'fill',
    defines: { T: dtype, INT: dtype === 'i32' },
    buffers: [t.buffer],
    ints: [t.size, dtype === 'i32' ? value : 0],
    floats: [dtype === 'f32' ? value : 0],
    workgroups: grid(t.size),
  });
  return t;
}

export const zeros = (shape: Shape): Tensor => full(shape, 0);
export const ones = (shape: Shape): Tensor => full(shape, 1);

/** 1-D dispatch grid for 256-thread elementwise kernels (see grid1d). */
export const grid = (n: number): [number, number, number] => grid1d(n, 256);
