// Float64 CPU references for layout ops: plain coordinate arithmetic, independent of the kernels' axis
// merging and uniform packing.

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export function stridesOf(shape: readonly number[]): number[] {
  return shape.map((_, i) => sizeOf(shape.slice(i + 1)));
}

/** Coordinates of flat index i in a row-major shape. */
export function coordsOf(i: number, shape: readonly number[]): number[] {
  const c = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    c[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return c;
}

const flat = (c: readonly number[], shape: readonly number[]): number => c.reduce((o, v, d) => o * shape[d] + v, 0);

type Ref = (xs: Float64Array[]) => Float64Array;

/** out[c] = x[c permuted back]: out axis d is x axis perm[d]. */
export function permuteRef(shape: readonly number[], perm: readonly number[]): Ref {
  const outShape = perm.map((p) => shape[p]);
  return ([x]) =>
    Float64Array.from({ length: sizeOf(shape) }, (_, i) => {
      const c = coordsOf(i, outShape);
      const src = new Array<number>(shape.length);
      perm.forEach((p, d) => (src[p] = c[d]));
      return x[flat(src, shape)];
    });
}

export function sliceRef(shape: readonly number[], starts: readonly number[], sizes: readonly number[]): Ref {
  return ([x]) => Float64Array.from({ length: sizeOf(sizes) }, (_, i) => x[flat(coordsOf(i, sizes).map((c, d) => c + starts[d]), shape)]);
}

/** x (shape `shape`) placed at `starts` in a `to`-shaped field of `value`. */
export function padRef(shape: readonly number[], to: readonly number[], starts: readonly number[], value = 0): Ref {
  return ([x]) =>
    Float64Array.from({ length: sizeOf(to) }, (_, i) => {
      const c = coordsOf(i, to).map((v, d) => v - starts[d]);
      return c.every((v, d) => v >= 0 && v < shape[d]) ? x[flat(c, shape)] : value;
    });
}

/** Inputs of `shapes` joined along `axis`. */
export function concatRef(shapes: readonly number[][], axis: number): Ref {
  const outShape = [...shapes[0]];
  outShape[axis] = shapes.reduce((s, t) => s + t[axis], 0);
  return (xs) =>
    Float64Array.from({ length: sizeOf(outShape) }, (_, i) => {
      const c = coordsOf(i, outShape);
      let k = 0;
      while (c[axis] >= shapes[k][axis]) c[axis] -= shapes[k++][axis];
      return xs[k][flat(c, shapes[k])];
    });
}

/** index_select along `axis`. */
export function gatherRef(shape: readonly number[], ids: readonly number[], axis: number): Ref {
  const outShape = [...shape];
  outShape[axis] = ids.length;
  return ([x]) =>
    Float64Array.from({ length: sizeOf(outShape) }, (_, i) => {
      const c = coordsOf(i, outShape);
      c[axis] = ids[c[axis]];
      return x[flat(c, shape)];
    });
}

/** Slices of g (shape `shape`) along `axis` added into `rows` slices at ids. */
export function scatterAddRef(shape: readonly number[], ids: readonly number[], axis: number, rows: number): Ref {
  const outShape = [...shape];
  outShape[axis] = rows;
  return ([g]) => {
    const out = new Float64Array(sizeOf(outShape));
    for (let i = 0; i < g.length; i++) {
      const c = coordsOf(i, shape);
      c[axis] = ids[c[axis]];
      out[flat(c, outShape)] += g[i];
    }
    return out;
  };
}
