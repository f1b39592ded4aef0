// Repacks a tensor so that one channel-like axis becomes the innermost, in vec4 blocks (zero-padded to a
// multiple of 4): NCHW activations become [N][H][W][C/4] and weights [tap][row][col/4]. The convolution
// kernels then read four reduction steps with one vec4 load (loads, not arithmetic, bound conv on CPUs).
// Output vec4 v = (r, b) with b < blocks; r splits into (r / inner, r % inner); the source element for
// lane q is (r / inner) * outerStride + (r % inner) * innerStride + (4 b + q) * chanStride.
struct Params {
  total: u32, blocks: u32, chans: u32, inner: u32,
  outerStride: u32, innerStride: u32, chanStride: u32, _p0: u32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<vec4f>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let v = gid.x + gid.y * nwg.x * 256u;
  if (v >= p.total) { return; }
  let r = v / p.blocks;
  let c0 = (v % p.blocks) * 4u;
  let base = (r / p.inner) * p.outerStride + (r % p.inner) * p.innerStride;
  var out = vec4f(0.0);
  for (var q = 0u; q < 4u; q++) {
    let c = c0 + q;
    if (c < p.chans) { out[q] = src[base + c * p.chanStride]; }
  }
  dst[v] = out;
}
