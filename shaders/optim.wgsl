// One fused in-place optimiser step for one parameter (PyTorch's update rules). The parameter and its
// state are bound once as read_write (a buffer may not be bound both read-only and writable).
//   SGD:  d = g + wd * p;  buf = first ? d : momentum * buf + d;  d = nesterov ? d + momentum * buf : buf
//         (plain d when momentum = 0);  p -= lr * d
//   ADAM: g += wd * p;  m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
//         p -= lr * (m / c1) / (sqrt(v / c2) + eps)   with bias corrections c1 = 1 - b1^t, c2 = 1 - b2^t
struct Params { n: u32, flag: u32, lr: f32, wd: f32, a: f32, b: f32, c1: f32, c2: f32, eps: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> param: array<f32>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
#if ${STATE}
@group(0) @binding(3) var<storage, read_write> s1: array<f32>;
#endif
#if ${ADAM}
@group(0) @binding(4) var<storage, read_write> s2: array<f32>;
#endif

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n) { return; }
  let g = grad[i] + p.wd * param[i];
#if ${ADAM}
  let m = p.a * s1[i] + (1.0 - p.a) * g;
  let v = p.b * s2[i] + (1.0 - p.b) * g * g;
  s1[i] = m;
  s2[i] = v;
  param[i] = param[i] - p.lr * (m / p.c1) / (sqrt(v / p.c2) + p.eps);
#else
  var d = g;
#if ${STATE}
  // flag bits: 1 = first step (the buffer starts at d), 2 = nesterov
  let buf = select(p.a * s1[i] + g, g, (p.flag & 1u) != 0u);
  s1[i] = buf;
  d = select(buf, g + p.a * buf, (p.flag & 2u) != 0u);
#endif
  param[i] = param[i] - p.lr * d;
#endif
}
