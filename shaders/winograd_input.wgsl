// Winograd F(M x M, 3 x 3) input transform (engine/ops/winograd.ts generates LOADS, TRANSFORM and STORES from
// the matrices). Invocation t * blocks + cb takes the (M + 2)^2 window of output tile t, starting p.pad pixels up
// and left of it, for channels 4 cb .. 4 cb + 3 of the NCHW source, and writes V = Bt d B to V[z][t][cb] for
// each of the window's positions z: the packed B operand of the stacked GEMM. Tiles from p.tiles up to
// p.padded (a multiple of 4, for the output transform's vec4 loads) are zeros. Neighbouring lanes take
// neighbouring channel blocks of one tile, so their stores are contiguous (lanes over tiles wrote 36 vec4s
// each, 512 bytes apart: 2-3x slower on lavapipe). The source is read in place rather than packed to
// [N][H][W][C/4] first: lavapipe gathers a vec4 load component by component anyway, and measured there the
// transform got slower by about what the packing pass cost, so the gain is the pass and its temporary.
struct Params {
  h: i32, w: i32, pad: i32, tilesW: i32,
  tilesPerImage: i32, tiles: i32, padded: i32, blocks: i32,
  chans: i32, _p0: i32, _p1: i32, _p2: i32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> V: array<vec4f>;

// Channels 4 cb .. 4 cb + 3 of pixel (y, x) of image n; zero outside the image, past the last channel, or
// for a padding tile.
fn load(real: bool, n: i32, y: i32, x: i32, cb: i32) -> vec4f {
  let inside = real && u32(y) < u32(p.h) && u32(x) < u32(p.w);
  let plane = p.h * p.w;
  let at = select(0, ((n * p.chans + 4 * cb) * p.h + y) * p.w + x, inside);
#if ${WHOLE_BLOCKS}
  return select(vec4f(0.0), vec4f(X[at], X[at + plane], X[at + 2 * plane], X[at + 3 * plane]), inside);
#else
  var v = vec4f(0.0);
  for (var k = 0; k < 4; k++) {
    let ok = inside && 4 * cb + k < p.chans;
    v[k] = select(0.0, X[select(0, at + k * plane, ok)], ok);
  }
  return v;
#endif
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
