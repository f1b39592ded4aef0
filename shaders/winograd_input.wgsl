// Winograd F(M x M, 3 x 3) input transform (engine/ops/winograd.ts generates LOADS, TRANSFORM and STORES from
// the matrices). Invocation t * blocks + cb takes the (M + 2)^2 window of output tile t, starting p.pad pixels up
// and left of it, for channel block cb of the packed source [N][H][W][blocks] (vec4: one load per pixel),
// and writes V = Bt d B to V[z][t][cb] for each of the window's positions z: the packed B operand of the
// stacked GEMM. Tiles from p.tiles up to p.padded (a multiple of 4, for the output transform's vec4 loads)
// are zeros. Neighbouring lanes take neighbouring channel blocks of one tile, so both their loads and their
// stores are contiguous (lanes over tiles wrote 36 vec4s each, 512 bytes apart: 2-3x slower on lavapipe).
struct Params {
  h: i32, w: i32, pad: i32, tilesW: i32,
  tilesPerImage: i32, tiles: i32, padded: i32, blocks: i32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> X: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> V: array<vec4f>;

// Channel block cb of pixel (y, x) of image n; zero outside the image (or for a padding tile).
fn load(real: bool, n: i32, y: i32, x: i32, cb: i32) -> vec4f {
  let inside = real && u32(y) < u32(p.h) && u32(x) < u32(p.w);
  return select(vec4f(0.0), X[select(0, ((n * p.h + y) * p.w + x) * p.blocks + cb, inside)], inside);
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let at = i32(gid.x);
  if (at >= p.padded * p.blocks) { return; }
  let t = at / p.blocks;
  let cb = at % p.blocks;
  let real = t < p.tiles;
  let n = t / p.tilesPerImage;
  let r = t % p.tilesPerImage;
  let y0 = (r / p.tilesW) * ${M} - p.pad;
  let x0 = (r % p.tilesW) * ${M} - p.pad;
${LOADS}
${TRANSFORM}
${STORES}
}
