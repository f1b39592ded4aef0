// Reduction of a contiguous tensor viewed as [outer, n, inner] over its middle axis (the engine turns any
// set of reduced axes into a sequence of these).
//
// SPLIT (default; no workgroup memory, no barriers): invocation t = (o, c, i) of [outer, chunks, inner]
//   combines x[o, r, i] for r = c, c + chunks, c + 2 * chunks, ... and writes out[t]. With chunks = 1 that
//   is the whole reduction; with more, the engine reduces the [outer, chunks, inner] partials again.
//   Neighbouring invocations read neighbouring addresses both for rows (inner = 1: they differ in c) and
//   for columns (they differ in i), which suits GPUs (coalescing) and CPU adapters (vector loads) alike.
// TREE (rows, inner = 1, on GPUs): one 256-invocation workgroup per row, combined in workgroup memory.
//
// ROWS: the SPLIT kernel specialised to inner = 1, chunks = 1 (no index divisions at all).
// SUM scales the result by p.scale (1, or 1/count for a mean, on the last pass). MAX starts from a real
// element, so -inf inputs give -inf. ARGMAX (SPLIT with chunks = 1) writes the first index of the maximum.
struct Params { outer: u32, n: u32, inner: u32, chunks: u32, scale: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<${OUT}>;

#if ${TREE}
var<workgroup> partial: array<f32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let o = wid.x + wid.y * nwg.x;
  if (o >= p.outer) { return; } // the same for the whole workgroup
  let row = o * p.n;
#if ${MAX}
  var acc = src[row + min(lid, p.n - 1u)]; // max is idempotent: re-reading element n-1 is harmless
  for (var r = lid + 256u; r < p.n; r += 256u) { acc = max(acc, src[row + r]); }
#else
  var acc = 0.0;
  for (var r = lid; r < p.n; r += 256u) { acc += src[row + r]; }
#endif
  partial[lid] = acc;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s >>= 1u) {
    if (lid < s) {
#if ${MAX}
      partial[lid] = max(partial[lid], partial[lid + s]);
#else
      partial[lid] += partial[lid + s];
#endif
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
#if ${MAX}
    out[o] = partial[0];
#else
    out[o] = partial[0] * p.scale;
#endif
  }
}
#else
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let t = gid.x + gid.y * nwg.x * 256u;
  if (t >= p.outer * p.chunks * p.inner) { return; }
#if ${ROWS}
  // inner = 1 and chunks = 1 (compiled separately: CPU adapters pay for masked divisions even when a
  // uniform branch would skip them).
  let o = t;
  let c = 0u;
  let i = 0u;
#else
  // t = (o * chunks + c) * inner + i
  let i = t % p.inner;
  let c = (t / p.inner) % p.chunks;
  let o = t / (p.inner * p.chunks);
#endif
  let step = p.chunks * p.inner; // from x[o, r, i] to x[o, r + chunks, i]
  var at = (o * p.n + c) * p.inner + i;
#if ${ARGMAX}
  var best = src[at];
  var bestR = 0u;
  for (var r = 1u; r < p.n; r++) {
    at += p.inner;
    let v = src[at];
    if (v > best) { best = v; bestR = r; }
  }
  out[t] = i32(bestR);
#else
  // Every chunk has `full` elements (a trip count the same for all invocations, so CPU adapters run
  // the loop without per-lane masks), and the first n % chunks chunks one more.
#if ${ROWS}
  let full = p.n;
#else
  let full = p.n / p.chunks;
#endif
  let hasTail = c < p.n - full * p.chunks;
#if ${MAX}
  var acc = src[at]; // full >= 1 because chunks <= n
  for (var q = 1u; q < full; q++) {
    at += step;
    acc = max(acc, src[at]);
  }
  if (hasTail) { acc = max(acc, src[at + step]); }
  out[t] = acc;
#else
  var acc = 0.0;
  for (var q = 0u; q < full; q++) {
    acc += src[at];
    at += step;
  }
  if (hasTail) { acc += src[at]; }
  out[t] = acc * p.scale;
#endif
#endif
}
#endif
