// Group normalisation (instance norm = one group per channel). The group's channels x H x W values are
// contiguous in NCHW. Two layouts: one 256-invocation workgroup per (image, group) with tree reductions,
// or SERIAL, one invocation per group with plain loops; on CPU adapters (lavapipe) barriers cost more
// than the parallelism they buy, so SERIAL is several times faster there.
//   FORWARD:  y = (x - mean) * rstd * weight[c] + bias[c]; also writes (mean, rstd) per group
//   BACKWARD: given g = dL/dy and the saved stats, dx = rstd * (gw - mean(gw) - xhat * mean(gw * xhat))
//             with gw = g * weight[c]; also writes per-(image, channel) sums of g * xhat and of g, which
//             summed over images are dL/dweight and dL/dbias.
//   VEC4: planes whose size is a multiple of 4 are read and written four values at a time (V = vec4f):
//             CPU adapters gather lane-varying loads one lane at a time, so one vec4 load replaces four.
struct Params { groups: u32, chans: u32, plane: u32, affine: u32, count: u32, eps: f32 }
@group(0) @binding(0) var<uniform> p: Params;
#if ${VEC4}
alias V = vec4f;
const W = 4u;
fn hsum(v: vec4f) -> f32 { return (v.x + v.y) + (v.z + v.w); }
#else
alias V = f32;
const W = 1u;
fn hsum(v: f32) -> f32 { return v; }
#endif
@group(0) @binding(1) var<storage, read> X: array<V>;
@group(0) @binding(2) var<storage, read> weight: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
#if ${BACKWARD}
@group(0) @binding(4) var<storage, read> G: array<V>;
@group(0) @binding(5) var<storage, read> stats: array<f32>;
@group(0) @binding(6) var<storage, read_write> DX: array<V>;
@group(0) @binding(7) var<storage, read_write> sumGX: array<f32>; // [N, C]: sum of g * xhat
@group(0) @binding(8) var<storage, read_write> sumG: array<f32>;  // [N, C]: sum of g
#else
@group(0) @binding(4) var<storage, read_write> Y: array<V>;
@group(0) @binding(5) var<storage, read_write> stats: array<f32>; // [N * groups, 2]: mean, rstd
#endif

#if ${SERIAL}
const LANES = 1u;
// One invocation owns a whole group: a "reduction" is just its running sum.
fn reduce2(lid: u32, v: vec2f) -> vec2f { return v; }
#else
const LANES = 256u;
var<workgroup> red: array<vec2f, 256>;

fn reduce2(lid: u32, v: vec2f) -> vec2f {
  red[lid] = v;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s >>= 1u) {
    if (lid < s) { red[lid] += red[lid + s]; }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}
#endif

fn scale(c: u32) -> f32 { return select(1.0, weight[c], p.affine != 0u); }
fn shift(c: u32) -> f32 { return select(0.0, bias[c], p.affine != 0u); }

@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lidx: u32, @builtin(global_invocation_id) gid: vec3u) {
#if ${SERIAL}
  let group = gid.x + gid.y * 65535u * ${WG}u;
  let lid = 0u;
  if (group >= p.count) { return; }
#else
  let group = wid.x + wid.y * 65535u;       // image * groups + g
  let lid = lidx;
  if (group >= p.count) { return; }         // the last grid row may overhang (uniform: whole workgroup)
#endif
  let cpg = p.chans / p.groups;             // channels per group
  let count = cpg * p.plane;
  let plane = p.plane / W;                  // in V units, as are the indices below
  let base = group * cpg * plane;
  let c0 = (group % p.groups) * cpg;
  let n = f32(count);
#if ${BACKWARD}
  _ = bias[0]; // keeps one binding layout for both directions
  let mean = stats[2u * group];
  let rstd = stats[2u * group + 1u];
  let image = group / p.groups;
  // Pass 1, per channel: sum(g * xhat) and sum(g) are the affine parameters' gradients (per image) and,
  // weighted by the channel's scale, the two group means the input gradient needs.
  var m = vec2f(0.0);
  for (var cc = 0u; cc < cpg; cc++) {
    var s = vec2f(0.0);
    for (var i = lid; i < plane; i += LANES) {
      let j = base + cc * plane + i;
      s += vec2f(hsum(G[j] * (X[j] - mean) * rstd), hsum(G[j]));
    }
    let t = reduce2(lid, s);
    m += scale(c0 + cc) * vec2f(t.y, t.x);
    if (lid == 0u) {
      sumGX[image * p.chans + c0 + cc] = t.x;
      sumG[image * p.chans + c0 + cc] = t.y;
    }
  }
  m = m / n;
  // Pass 2: the input gradient.
  for (var cc = 0u; cc < cpg; cc++) {
    let sc = scale(c0 + cc);
    for (var i = lid; i < plane; i += LANES) {
      let j = base + cc * plane + i;
      let xhat = (X[j] - mean) * rstd;
      DX[j] = rstd * (G[j] * sc - m.x - xhat * m.y);
    }
  }
#else
  var acc = vec2f(0.0);
  for (var i = lid; i < count / W; i += LANES) { acc.x += hsum(X[base + i]); }
  let mean = reduce2(lid, acc).x / n;
  acc = vec2f(0.0);
  for (var i = lid; i < count / W; i += LANES) { let d = X[base + i] - mean; acc.x += hsum(d * d); }
  let rstd = inverseSqrt(reduce2(lid, acc).x / n + p.eps);
  for (var cc = 0u; cc < cpg; cc++) {
    let a = rstd * scale(c0 + cc);
    let b = shift(c0 + cc) - mean * a;
    for (var i = lid; i < plane; i += LANES) {
      let j = base + cc * plane + i;
      Y[j] = X[j] * a + b;
    }
  }
  if (lid == 0u) {
    stats[2u * group] = mean;
    stats[2u * group + 1u] = rstd;
  }
#endif
}
