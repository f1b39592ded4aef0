// One SGD step for one parameter, in place (PyTorch's torch.optim.SGD with dampening 0):
//   d = grad + weightDecay * param
//   MOMENTUM:  buf = momentum * buf + d;   d = NESTEROV ? d + momentum * buf : buf
//   param -= lr * d
// PyTorch sets buf = d on a parameter's first step; the buffer starts at zeros, which gives exactly that.
// The parameter and the momentum buffer are bound once each as read_write (a buffer may not be bound
// both read-only and writable in one dispatch).
struct Params { n: u32, lr: f32, weightDecay: f32, momentum: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> param: array<f32>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
#if ${MOMENTUM}
@group(0) @binding(3) var<storage, read_write> buf: array<f32>;
#endif

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n) { return; }
  var d = grad[i] + p.weightDecay * param[i];
#if ${MOMENTUM}
  let b = p.momentum * buf[i] + d;
  buf[i] = b;
#if ${NESTEROV}
  d = d + p.momentum * b;
#else
  d = b;
#endif
#endif
  param[i] = param[i] - p.lr * d;
}
