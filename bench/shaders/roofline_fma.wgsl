// Peak arithmetic: every invocation runs ITERS rounds of 8 independent vec4 multiply-adds (64 FLOPs per
// round, written a * m + c as our kernels write them), enough independent chains to hide latency, and
// writes one value so nothing is optimised away.
struct Params { seed: f32, _p0: f32, _p1: f32, _p2: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let s = p.seed + f32(gid.x) * 1e-7;
  var a0 = vec4f(s); var a1 = vec4f(s + 0.1); var a2 = vec4f(s + 0.2); var a3 = vec4f(s + 0.3);
  var a4 = vec4f(s + 0.4); var a5 = vec4f(s + 0.5); var a6 = vec4f(s + 0.6); var a7 = vec4f(s + 0.7);
  let m = vec4f(0.9999);
  let c = vec4f(1e-4);
  for (var i = 0u; i < ${ITERS}u; i++) {
    a0 = a0 * m + c; a1 = a1 * m + c; a2 = a2 * m + c; a3 = a3 * m + c;
    a4 = a4 * m + c; a5 = a5 * m + c; a6 = a6 * m + c; a7 = a7 * m + c;
  }
  let t = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7;
  out[gid.x] = t.x + t.y + t.z + t.w;
}
