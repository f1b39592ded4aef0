// Deterministic scatter-add (gather's adjoint) without float atomics, in two kernels over ids[count]:
//   LINKS (one invocation per id j): next[j] = the next position with the same id (or -1), and
//         head[id] = j when j is the first position of its id (one writer per row; head starts at -1).
//         Ids outside [0, rows) are clamped into it, as gather does, so the two stay exact adjoints.
//         Cost: each id scans the ids
//         before and after it until it meets its own again (at worst count^2 / 2 for all-distinct ids).
//   SUM   (one invocation per output element [outer, rows, inner]): walks its row's list in ascending j,
//         so every sum adds the same values in the same order on every run.
struct Params { outer: u32, rows: u32, inner: u32, count: u32 }
@group(0) @binding(0) var<uniform> p: Params;
#if ${LINKS}
@group(0) @binding(1) var<storage, read> ids: array<i32>;
@group(0) @binding(2) var<storage, read_write> head: array<i32>;
@group(0) @binding(3) var<storage, read_write> next: array<i32>;

fn row(k: u32) -> i32 { return clamp(ids[k], 0, i32(p.rows) - 1); }

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let j = gid.x + gid.y * nwg.x * 256u;
  if (j >= p.count) { return; }
  let id = row(j);
  var first = true;
  for (var k = 0u; k < j; k++) {
    if (row(k) == id) { first = false; break; }
  }
  if (first) { head[id] = i32(j); }
  var after = -1;
  for (var k = j + 1u; k < p.count; k++) {
    if (row(k) == id) { after = i32(k); break; }
  }
  next[j] = after;
}
#else
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read> head: array<i32>;
@group(0) @binding(3) var<storage, read> next: array<i32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.outer * p.rows * p.inner) { return; }
  let k = i % p.inner;
  let r = (i / p.inner) % p.rows;
  let o = i / (p.inner * p.rows);
  let base = o * p.count * p.inner + k;
  var acc = 0.0;
  var j = head[r];
  while (j >= 0) {
    acc += g[base + u32(j) * p.inner];
    j = next[j];
  }
  out[i] = acc;
}
#endif
