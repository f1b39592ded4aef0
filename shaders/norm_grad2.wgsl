// The gradient of group norm's input gradient (second order), fused: one invocation per (image, group)
// with plain loops, as the SERIAL norm kernels. With gw = g * weight[c], xhat = (x - mean) * rstd, and the
// first-order input gradient dx = rstd * (gw - mean(gw) - xhat * mean(gw * xhat)), given u = dL/d(dx):
//   t            = rstd * (u - mean(u) - xhat * mean(u * xhat))           (= dL/d(gw))
//   dL/dg        = weight[c] * t
//   dL/dx        = rstd^2 * (-xhat * (mean(u gw) - mean(u) mean(gw) - 3 mean(gw xhat) mean(u xhat))
//                            - mean(u xhat) * (gw - mean(gw)) - mean(gw xhat) * (u - mean(u)))
//   dL/dweight_c = sum over images and the channel's values of t * g   (written per (image, channel))
// Means run over the group's channels x H x W values. engine/ops/norm.ts derives these in its comments
// and the tests check them against the composite twin and finite differences.
// VEC4 (planes whose size is a multiple of 4): four values per load and store, as in norm.wgsl.
struct Params { groups: u32, chans: u32, plane: u32, affine: u32, count: u32 }
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
@group(0) @binding(3) var<storage, read> G: array<V>;
@group(0) @binding(4) var<storage, read> U: array<V>;
@group(0) @binding(5) var<storage, read> stats: array<f32>; // [N * groups, 2]: mean, rstd (forward's)
@group(0) @binding(6) var<storage, read_write> GG: array<V>;
@group(0) @binding(7) var<storage, read_write> GX: array<V>;
@group(0) @binding(8) var<storage, read_write> sumTG: array<f32>; // [N, C]

fn scale(c: u32) -> f32 { return select(1.0, weight[c], p.affine != 0u); }

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let group = gid.x + gid.y * 65535u * 64u;
  if (group >= p.count) { return; }
  let cpg = p.chans / p.groups;
  let plane = p.plane / W;   // in V units, as are the indices below
  let base = group * cpg * plane;
  let c0 = (group % p.groups) * cpg;
  let image = group / p.groups;
  let n = f32(cpg * p.plane);
  let mean = stats[2u * group];
  let rstd = stats[2u * group + 1u];
  // Pass 1: mean(gw) and mean(u). Pass 2: the centred means, which avoid the cancellation in
  // mean(u gw) - mean(u) mean(gw) when g and u have large means (as loss gradients often do):
  //   mean(gw xhat) = mean((gw - mean(gw)) xhat) since mean(xhat) = 0, and likewise for u.
  var mGw = 0.0;
  var mU = 0.0;
  for (var cc = 0u; cc < cpg; cc++) {
    let sc = scale(c0 + cc);
    var sg = V(0.0);
    var su = V(0.0);
    for (var i = 0u; i < plane; i++) {
      let j = base + cc * plane + i;
      sg += G[j] * sc;
      su += U[j];
    }
    mGw += hsum(sg);
    mU += hsum(su);
  }
  mGw /= n; mU /= n;
  var mGwX = 0.0;   // mean(gw xhat)
  var mUX = 0.0;    // mean(u xhat)
  var cov = 0.0;    // mean((u - mean(u)) (gw - mean(gw)))
  for (var cc = 0u; cc < cpg; cc++) {
    let sc = scale(c0 + cc);
    var ax = V(0.0);
    var ay = V(0.0);
    var az = V(0.0);
    for (var i = 0u; i < plane; i++) {
      let j = base + cc * plane + i;
      let xhat = (X[j] - mean) * rstd;
      let gw = G[j] * sc - mGw;
      let u = U[j] - mU;
      ax += gw * xhat;
      ay += u * xhat;
      az += u * gw;
    }
    mGwX += hsum(ax);
    mUX += hsum(ay);
    cov += hsum(az);
  }
  mGwX /= n; mUX /= n; cov /= n;
  let k = cov - 3.0 * mGwX * mUX;
  let r2 = rstd * rstd;
  // Pass 3: both gradients, and the weight gradient's per-channel sums.
  for (var cc = 0u; cc < cpg; cc++) {
    let sc = scale(c0 + cc);
    var tg = V(0.0);
    for (var i = 0u; i < plane; i++) {
      let j = base + cc * plane + i;
      let xhat = (X[j] - mean) * rstd;
      let g = G[j];
      let u = U[j];
      let t = rstd * (u - mU - xhat * mUX);
      GG[j] = sc * t;
      GX[j] = r2 * (-xhat * k - mUX * (g * sc - mGw) - mGwX * (u - mU));
      tg += t * g;
    }
    sumTG[image * p.chans + c0 + cc] = hsum(tg);
  }
}
