// Padding (slice's adjoint, pad2d): out, contiguous of shape [rows..., len], holds x (contiguous) at
// `start` and `value` everywhere else; every element of out is written, so out needs no clearing pass.
// Row axes (at most 7) are packed as vec4 pairs; the last axis is startLast / sizeLast. f32 or i32 (T);
// the pad value travels as f32 (exact for the small integers used as i32 fills).
// Invocation t = (row, c) writes k = c, c + chunks, ... of its row, decoding the row once.
struct Params {
  rows: u32, len: u32, chunks: u32, rowRank: u32,
  startLast: u32, sizeLast: u32, _a: u32, _b: u32,
  shape: array<vec4u, 2>,
  start: array<vec4u, 2>,
  size: array<vec4u, 2>,
  value: f32,
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
  // Row of x that this row of out shows, if any.
  var rem = row;
  var xRow = 0u;
  var xRowStride = 1u;
  var inside = true;
  for (var d = i32(p.rowRank) - 1; d >= 0; d--) {
    let dim = u32(d);
    let r = rem % at(p.shape, dim) - at(p.start, dim); // wraps to a huge value before the start
    rem = rem / at(p.shape, dim);
    inside = inside && r < at(p.size, dim);
    xRow += r * xRowStride;
    xRowStride *= at(p.size, dim);
  }
  for (var k = c; k < p.len; k += p.chunks) {
    let kx = k - p.startLast; // wraps before the start too
    if (inside && kx < p.sizeLast) {
      out[row * p.len + k] = src[xRow * p.sizeLast + kx];
    } else {
      out[row * p.len + k] = ${T}(p.value);
    }
  }
}
