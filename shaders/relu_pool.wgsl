// ReLU followed by 2x2 average pooling (stride 2, no padding), and the gated passes its derivatives need,
// for planes whose width is a multiple of 4 and height even; four input columns per invocation, as in
// avgpool2x2.wgsl. With x the pre-activation (the gate: where x > 0):
//   forward            out = pool(relu(x))                  SELF_GATED: reads x only
//   gated forward      out = pool(u where x > 0, else 0)   the adjoint of the gated adjoint
//   gated adjoint      out = pool^T(g) where x > 0, else 0  ADJOINT: the backward of both forwards
// Grid: (column quad, row, plane); the row is an output row for the forwards, an input row for the adjoint.
struct Params { h: u32, quads: u32, planes: u32, _p0: u32 }
@group(0) @binding(0) var<uniform> p: Params;
#if ${ADJOINT}
@group(0) @binding(1) var<storage, read> src: array<vec2f>;
@group(0) @binding(2) var<storage, read> gate: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> out: array<vec4f>;
#elif ${SELF_GATED}
@group(0) @binding(1) var<storage, read> src: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> out: array<vec2f>;
#else
@group(0) @binding(1) var<storage, read> src: array<vec4f>;
@group(0) @binding(2) var<storage, read> gate: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> out: array<vec2f>;
#endif

@compute @workgroup_size(${WG_X}, ${WG_Y}, ${WG_Z})
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let q = gid.x;
  let y = gid.y;
  let plane = gid.z;
  if (plane >= p.planes || q >= p.quads) { return; }
#if ${ADJOINT}
  if (y >= p.h) { return; }
  let g = src[(plane * (p.h / 2u) + (y >> 1u)) * p.quads + q] * 0.25;
  let at = (plane * p.h + y) * p.quads + q;
  out[at] = select(vec4f(0.0), vec4f(g.x, g.x, g.y, g.y), gate[at] > vec4f(0.0));
#else
  if (y >= p.h / 2u) { return; }
  let top = (plane * p.h + 2u * y) * p.quads + q;
#if ${SELF_GATED}
  let s = max(src[top], vec4f(0.0)) + max(src[top + p.quads], vec4f(0.0));
#else
  let s = select(vec4f(0.0), src[top], gate[top] > vec4f(0.0)) + select(vec4f(0.0), src[top + p.quads], gate[top + p.quads] > vec4f(0.0));
#endif
  out[(plane * (p.h / 2u) + y) * p.quads + q] = vec2f(s.x + s.y, s.z + s.w) * 0.25;
#endif
}
