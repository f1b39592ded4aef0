// Strided copies for layout ops, f32 or i32 (T). The contiguous side has shape [rows..., len] (at most
// 7 row axes, packed as vec4 pairs); the strided side is offset + row coords . stride + k * lastStride.
//   GATHER:  out (contiguous) <- src (strided)   (permute, slice)
//   SCATTER: out (strided)    <- src (contiguous) (a piece of concat)
// Invocation t = (row, c) copies k = c, c + chunks, c + 2 * chunks, ... of its row: the divisions that
// decode a row happen once per invocation rather than once per element, and neighbouring invocations
// touch neighbouring elements of the contiguous side.
struct Params {
  rows: u32, len: u32, chunks: u32, offset: u32,
  lastStride: u32, rowRank: u32, _a: u32, _b: u32,
  shape: array<vec4u, 2>,
  stride: array<vec4u, 2>,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<${T}>;
@group(0) @binding(2) var<storage, read_write> out: array<${T}>;

fn at(v: array<vec4u, 2>, i: u32) -> u32 { return v[i / 4u][i % 4u]; }

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let t = gid.x + gid.y * nwg.x * 256u;
  if (t >= p.rows * p.chunks) { return; }
  let row = t / p.chunks;
  let c = t % p.chunks;
  var rem = row;
  var strided = p.offset;
  for (var d = i32(p.rowRank) - 1; d >= 0; d--) {
    let size = at(p.shape, u32(d));
    strided += (rem % size) * at(p.stride, u32(d));
    rem = rem / size;
  }
  var contiguous = row * p.len + c;
  strided += c * p.lastStride;
  let step = p.chunks * p.lastStride;
  for (var k = c; k < p.len; k += p.chunks) {
#if ${SCATTER}
    out[strided] = src[contiguous];
#else
    out[contiguous] = src[strided];
#endif
    contiguous += p.chunks;
    strided += step;
  }
}
