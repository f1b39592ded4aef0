// Batched C[b] = op(A[b]) x op(B[b]) (+ bias[n]). Each invocation owns TM rows x TN columns; its columns
// are WG_X apart so neighbouring invocations (SIMD lanes on CPU adapters like lavapipe) read neighbouring
// addresses of B and share the same A element. The TM x TN accumulator body is unrolled in TypeScript
// (engine/ops/matmul.ts) because Dawn/LLVM does not reliably unroll loops over private arrays, which then
// spill. Rows/columns past the edge are clamped for loading and never stored, so any M, N, K works.
// Strides travel in uniforms: TRANS_A / TRANS_B read a transposed operand in place.
struct Params {
  M: u32, N: u32, K: u32, _pad: u32,
  aBatch: u32, bBatch: u32, cBatch: u32, _pad2: u32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
#if ${BIAS}
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> C: array<f32>;
#else
@group(0) @binding(3) var<storage, read_write> C: array<f32>;
#endif

fn loadA(off: u32, m: u32, k: u32) -> f32 {
#if ${TRANS_A}
  return A[off + k * p.M + m];
#else
  return A[off + m * p.K + k];
#endif
}

fn loadB(off: u32, k: u32, n: u32) -> f32 {
#if ${TRANS_B}
  return B[off + n * p.K + k];
#else
  return B[off + k * p.N + n];
#endif
}

@compute @workgroup_size(${WG_X}, ${WG_Y})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let nBase = wid.x * (${WG_X}u * ${TN}u) + lid.x;
  let mBase = wid.y * (${WG_Y}u * ${TM}u) + lid.y * ${TM}u;
  let aOff = wid.z * p.aBatch;
  let bOff = wid.z * p.bBatch;
  let cOff = wid.z * p.cBatch;
  let lastN = p.N - 1u;
  let lastM = p.M - 1u;
${DECLARE}
  for (var k = 0u; k < p.K; k++) {
${ACCUMULATE}
  }
${STORE}
}
