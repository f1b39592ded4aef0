// Index select along an axis, viewing x as [outer, rows, inner]:
//   GATHER:      out[o, j, k] = x[o, ids[j], k]                    (ids.length = count)
//   SCATTER_ADD: out[o, r, k] = sum over j with ids[j] == r of g[o, j, k]   (gather's adjoint)
// The scatter is written as a gather over all ids (no float atomics in WGSL): each output element loops
// over all `count` ids in order, so sums are deterministic; the cost, count reads per output element, is
// fine for the id counts of a batch. Ids from the GPU are not checked: GATHER clamps them to [0, rows - 1],
// SCATTER_ADD drops out-of-range ones. GATHER copies f32 or i32 (T); SCATTER_ADD is f32.
struct Params { outer: u32, rows: u32, inner: u32, count: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<${T}>;
@group(0) @binding(2) var<storage, read> ids: array<i32>;
@group(0) @binding(3) var<storage, read_write> out: array<${T}>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 256u;
  let k = i % p.inner;
#if ${SCATTER_ADD}
  if (i >= p.outer * p.rows * p.inner) { return; }
  let r = (i / p.inner) % p.rows;
  let o = i / (p.inner * p.rows);
  var acc = 0.0;
  for (var j = 0u; j < p.count; j++) {
    if (u32(ids[j]) == r) { acc += src[(o * p.count + j) * p.inner + k]; }
  }
  out[i] = acc;
#else
  if (i >= p.outer * p.count * p.inner) { return; }
  let j = (i / p.inner) % p.count;
  let o = i / (p.inner * p.count);
  let r = min(u32(ids[j]), p.rows - 1u);
  out[i] = src[(o * p.rows + r) * p.inner + k];
#endif
}
