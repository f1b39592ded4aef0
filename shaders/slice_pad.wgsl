// Padding (slice's adjoint, pad2d): out, contiguous of `shape`, holds x (contiguous, of `size`) at `start`
// and `value` everywhere else. Every element of out is written, so out needs no clearing pass.
// f32 or i32 (T); the pad value travels as f32 (exact for the small integers used as i32 fills).
struct Params {
  n: u32, rank: u32, _a: u32, _b: u32,
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
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n) { return; }
  var rem = i;
  var j = 0u;          // index into x
  var xStride = 1u;
  var inside = true;
  for (var d = i32(p.rank) - 1; d >= 0; d--) {
    let dim = u32(d);
    let c = rem % at(p.shape, dim) - at(p.start, dim); // wraps to a huge value before the start
    rem = rem / at(p.shape, dim);
    inside = inside && c < at(p.size, dim);
    j += c * xStride;
    xStride *= at(p.size, dim);
  }
  if (inside) {
    out[i] = src[j];
  } else {
    out[i] = ${T}(p.value);
  }
}
