// Peak arithmetic: every invocation runs ITERS rounds of CHAINS independent vec4 multiply-adds (8 FLOPs
// each, written a * m + c as our kernels write them) and writes one value so nothing is optimised away.
// bench/roofline.ts generates the chains and keeps the fastest count: too few leave the multiply-add
// latency exposed, too many spill registers (llvmpipe runs each invocation as one SIMD lane, so every
// vec4 costs four vector registers).
struct Params { seed: f32, _p0: f32, _p1: f32, _p2: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let s = p.seed + f32(gid.x) * 1e-7;
  let m = vec4f(0.9999);
  let c = vec4f(1e-4);
  ${DECLARE}
  for (var i = 0u; i < ${ITERS}u; i++) {
    ${UPDATE}
  }
  let t = ${TOTAL};
  out[gid.x] = t.x + t.y + t.z + t.w;
}
