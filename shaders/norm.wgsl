// Group normalisation (instance norm = one group per channel), one workgroup per (image, group): the
// group's channels x H x W values are contiguous in NCHW.
//   FORWARD:  y = (x - mean) * rstd * weight[c] + bias[c]; also writes (mean, rstd) per group
//   BACKWARD: given g = dL/dy and the saved stats, dx = rstd * (gw - mean(gw) - xhat * mean(gw * xhat))
//             with gw = g * weight[c]; also writes per-(image, channel) sums of g * xhat and of g, which
//             summed over images are dL/dweight and dL/dbias.
struct Params { groups: u32, chans: u32, plane: u32, affine: u32, eps: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> weight: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
#if ${BACKWARD}
@group(0) @binding(4) var<storage, read> G: array<f32>;
@group(0) @binding(5) var<storage, read> stats: array<f32>;
@group(0) @binding(6) var<storage, read_write> DX: array<f32>;
@group(0) @binding(7) var<storage, read_write> sumGX: array<f32>; // [N, C]: sum of g * xhat
@group(0) @binding(8) var<storage, read_write> sumG: array<f32>;  // [N, C]: sum of g
#else
@group(0) @binding(4) var<storage, read_write> Y: array<f32>;
@group(0) @binding(5) var<storage, read_write> stats: array<f32>; // [N * groups, 2]: mean, rstd
#endif

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

fn scale(c: u32) -> f32 { return select(1.0, weight[c], p.affine != 0u); }
fn shift(c: u32) -> f32 { return select(0.0, bias[c], p.affine != 0u); }

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let group = wid.x + wid.y * 65535u;       // image * groups + g
  let cpg = p.chans / p.groups;             // channels per group
  let count = cpg * p.plane;
  let base = group * count;
  let c0 = (group % p.groups) * cpg;
  let n = f32(count);
#if ${BACKWARD}
  _ = bias[0]; // keeps one binding layout for both directions
  let mean = stats[2u * group];
  let rstd = stats[2u * group + 1u];
  var acc = vec2f(0.0);
  for (var i = lid; i < count; i += 256u) {
    let c = c0 + i / p.plane;
    let gw = G[base + i] * scale(c);
    acc += vec2f(gw, gw * (X[base + i] - mean) * rstd);
  }
  let m = reduce2(lid, acc) / n;
  for (var i = lid; i < count; i += 256u) {
    let c = c0 + i / p.plane;
    let xhat = (X[base + i] - mean) * rstd;
    DX[base + i] = rstd * (G[base + i] * scale(c) - m.x - xhat * m.y);
  }
  // Per-channel sums for the affine parameters' gradients.
  let image = group / p.groups;
  for (var cc = 0u; cc < cpg; cc++) {
    var s = vec2f(0.0);
    for (var i = lid; i < p.plane; i += 256u) {
      let j = base + cc * p.plane + i;
      s += vec2f(G[j] * (X[j] - mean) * rstd, G[j]);
    }
    let t = reduce2(lid, s);
    if (lid == 0u) {
      sumGX[image * p.chans + c0 + cc] = t.x;
      sumG[image * p.chans + c0 + cc] = t.y;
    }
  }
#else
  var acc = vec2f(0.0);
  for (var i = lid; i < count; i += 256u) { acc.x += X[base + i]; }
  let mean = reduce2(lid, acc).x / n;
  acc = vec2f(0.0);
  for (var i = lid; i < count; i += 256u) { let d = X[base + i] - mean; acc.x += d * d; }
  let rstd = inverseSqrt(reduce2(lid, acc).x / n + p.eps);
  for (var i = lid; i < count; i += 256u) {
    let c = c0 + i / p.plane;
    Y[base + i] = (X[base + i] - mean) * rstd * scale(c) + shift(c);
  }
  if (lid == 0u) {
    stats[2u * group] = mean;
    stats[2u * group + 1u] = rstd;
  }
#endif
}
