// One Adam step for one parameter, in place, as torch.optim.Adam computes it (amsgrad off; weight decay as
// an L2 term added to the gradient):
//   g = grad + weightDecay * param
//   m = beta1 * m + (1 - beta1) * g;   v = beta2 * v + (1 - beta2) * g^2
//   param -= stepSize * m / (sqrt(v) / sqrt(1 - beta2^t) + eps),   stepSize = lr / (1 - beta1^t)
// The bias corrections depend only on the step, so the host passes stepSize and sqrt(1 - beta2^t).
struct Params { n: u32, stepSize: f32, correction2Sqrt: f32, weightDecay: f32, beta1: f32, beta2: f32, eps: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> param: array<f32>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
@group(0) @binding(3) var<storage, read_write> m: array<f32>;
@group(0) @binding(4) var<storage, read_write> v: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n) { return; }
  let x = param[i];
  let g = grad[i] + p.weightDecay * x;
  let mi = p.beta1 * m[i] + (1.0 - p.beta1) * g;
  let vi = p.beta2 * v[i] + (1.0 - p.beta2) * g * g;
  m[i] = mi;
  v[i] = vi;
  param[i] = x - p.stepSize * mi / (sqrt(vi) / p.correction2Sqrt + p.eps);
}
