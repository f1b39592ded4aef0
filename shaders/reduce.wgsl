// Strided reduction. Long reductions: one workgroup per output element, its 256 threads striding over the
// reduced elements and combining in workgroup memory. Short ones (SERIAL): one invocation per output. Output coordinates map to an input base offset through `keepStride`,
// reduced coordinates through `redStride` (both up to rank 8, as vec4 pairs).
struct Params {
  nOut: u32, nRed: u32, keepRank: u32, redRank: u32,
  keepShape: array<vec4u, 2>,
  keepStride: array<vec4u, 2>,
  redShape: array<vec4u, 2>,
  redStride: array<vec4u, 2>,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

#if ${SERIAL}
#else
var<workgroup> partial: array<f32, 256>;
#endif

fn at(v: array<vec4u, 2>, i: u32) -> u32 { return v[i / 4u][i % 4u]; }

fn offsetOf(index: u32, rank: u32, shape: array<vec4u, 2>, stride: array<vec4u, 2>) -> u32 {
  var rem = index;
  var off = 0u;
  for (var d = i32(rank) - 1; d >= 0; d--) {
    let size = at(shape, u32(d));
    off += (rem % size) * at(stride, u32(d));
    rem = rem / size;
  }
  return off;
}

#if ${SERIAL}
// Short reductions: one invocation per output element loops over its few inputs.
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let o = gid.x + gid.y * nwg.x * 256u;
  if (o >= p.nOut) { return; }
  var acc = ${INIT};
#if ${CONTIGUOUS}
  // The reduced axes are the trailing block: output o owns src[o * nRed, (o + 1) * nRed).
  let base = o * p.nRed;
  for (var r = 0u; r < p.nRed; r++) {
    let v = src[base + r];
    acc = ${COMBINE};
  }
#else
  let base = offsetOf(o, p.keepRank, p.keepShape, p.keepStride);
  for (var r = 0u; r < p.nRed; r++) {
    let v = src[base + offsetOf(r, p.redRank, p.redShape, p.redStride)];
    acc = ${COMBINE};
  }
#endif
  out[o] = acc;
}
#else
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let o = wid.x + wid.y * nwg.x;
  if (o >= p.nOut) { return; }
  let base = offsetOf(o, p.keepRank, p.keepShape, p.keepStride);
  var acc = ${INIT};
  for (var r = lid; r < p.nRed; r += 256u) {
    let v = src[base + offsetOf(r, p.redRank, p.redShape, p.redStride)];
    acc = ${COMBINE};
  }
  partial[lid] = acc;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s >>= 1u) {
    if (lid < s) {
      let v = partial[lid + s];
      let acc2 = partial[lid];
      partial[lid] = ${COMBINE2};
    }
    workgroupBarrier();
  }
  if (lid == 0u) { out[o] = ${FINAL}; }
}
#endif
