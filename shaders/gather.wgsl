// Index select along an axis, viewing x as [outer, rows, inner]: out[o, j, k] = x[o, ids[j], k] for
// j < count, f32 or i32 (T). Ids from the GPU are not checked: they are clamped to [0, rows - 1].
// (The adjoint, scatter-add, is shaders/scatter_add.wgsl.)
struct Params { outer: u32, rows: u32, inner: u32, count: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<${T}>;
@group(0) @binding(2) var<storage, read> ids: array<i32>;
@group(0) @binding(3) var<storage, read_write> out: array<${T}>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 256u;
  let k = i % p.inner;
  if (i >= p.outer * p.count * p.inner) { return; }
  let j = (i / p.inner) % p.count;
  let o = i / (p.inner * p.count);
  let r = u32(clamp(ids[j], 0, i32(p.rows) - 1));
  out[i] = src[(o * p.rows + r) * p.inner + k];
}
