// Repacks a tensor so that one channel-like axis becomes the innermost, in vec4 blocks (zero-padded to a
// multiple of 4): NCHW activations become [N][H][W][C/4] and weights [tap][row][col/4]. The convolution
// kernels then read four reduction steps with one vec4 load (loads, not arithmetic, bound conv on CPUs).
// The grid is (inner, outer), so no index is divided (a vector division is a per-lane loop on lavapipe);
// invocation (r, o) writes dst[o][r][0 .. blocks) from src[o * outerStride + r * innerStride + c * chanStride].
struct Params {
  inner: u32, blocks: u32, chans: u32, outerStride: u32,
  innerStride: u32, chanStride: u32, _p0: u32, _p1: u32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<vec4f>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let r = gid.x;
  if (r >= p.inner) { return; }
  let first = gid.y * p.outerStride + r * p.innerStride;
  let to = (gid.y * p.inner + r) * p.blocks;
  let cs = p.chanStride;
  let full = p.chans / 4u;
  for (var b = 0u; b < full; b++) {
    let at = first + 4u * b * cs;
    dst[to + b] = vec4f(src[at], src[at + cs], src[at + 2u * cs], src[at + 3u * cs]);
  }
  if (full < p.blocks) {
    var last = vec4f(0.0);
    for (var c = 4u * full; c < p.chans; c++) { last[c % 4u] = src[first + c * cs]; }
    dst[to + full] = last;
  }
}
