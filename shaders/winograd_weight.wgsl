// Winograd filter transform (engine/ops/winograd.ts generates LOADS, TRANSFORM and STORES): invocation
// (r, kb) reads the 3x3 filters of row r for reduction channels 4 kb .. 4 kb + 3, at
// W[r * rowStride + k * chanStride + tap] (the strides pick forward or backward-data's reading of
// [O, C, 3, 3]; backward-data's taps come rotated), and writes U = G g Gt to U[z][r][kb] for each
// position z: the packed A operand of the stacked GEMM.
struct Params {
  rows: i32, chans: i32, blocks: i32, rowStride: i32,
  chanStride: i32, _p0: i32, _p1: i32, _p2: i32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> W: array<f32>;
@group(0) @binding(2) var<storage, read_write> U: array<vec4f>;

fn load(at: vec4i, valid: vec4<bool>, tap: i32) -> vec4f {
  let v = vec4f(W[at.x + tap], W[at.y + tap], W[at.z + tap], W[at.w + tap]);
  return select(vec4f(0.0), v, valid);
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let r = i32(gid.x);
  if (r >= p.rows) { return; }
  let kb = i32(gid.y);
  let k = 4 * kb + vec4i(0, 1, 2, 3);
  let valid = k < vec4i(p.chans);
  let at = r * p.rowStride + min(k, vec4i(p.chans - 1)) * p.chanStride;
${LOADS}
${TRANSFORM}
${STORES}
}
