// Winograd F(M x M, 3 x 3) output transform (engine/ops/winograd.ts generates LOADS, TRANSFORM and STORES):
// invocation (q, o) handles tiles 4q .. 4q + 3 of row o at once, one tile per vec4 component: it loads the
// stacked GEMM's products P[z][o][4q .. 4q + 3] for every position z (one vec4 load each), computes
// Y = At P A, and writes each tile's M x M output pixels (+ bias) into [N][rows][h][w]: a row of a tile
// as one vecM store where every tile lies wholly inside the image (VECTOR_STORES), else pixel by pixel.
struct Params {
  rows: i32, h: i32, w: i32, tilesW: i32,
  tilesPerImage: i32, tiles: i32, quads: i32, _p0: i32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> P: array<vec4f>;
#if ${BIAS}
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> OUT: array<${OUT_TYPE}>;
#else
@group(0) @binding(2) var<storage, read_write> OUT: array<${OUT_TYPE}>;
#endif

// Offset of the top-left output pixel of tile t in row o.
fn origin(t: i32, o: i32) -> vec3i {
  let n = t / p.tilesPerImage;
  let r = t % p.tilesPerImage;
  let y0 = (r / p.tilesW) * ${M};
  let x0 = (r % p.tilesW) * ${M};
  return vec3i((n * p.rows + o) * p.h * p.w, y0, x0);
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let q = i32(gid.x);
  if (q >= p.quads) { return; }
  let o = i32(gid.y);
#if ${BIAS}
  let b = bias[o];
#else
  let b = 0.0;
#endif
${LOADS}
${TRANSFORM}
${STORES}
}
