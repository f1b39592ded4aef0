// 2x2 average pooling (stride 2, no padding) and its adjoint for planes whose width is a multiple of 4,
// four input columns per invocation: the forward reads two vec4 rows and writes a vec2 of outputs, the
// adjoint reads a vec2 of output gradients and writes a vec4 row. CPU adapters gather lane-varying loads
// one lane at a time, so a vector load in place of four scalar ones is what makes this faster than
// avgpool_tiled (ConvNet's pooling of its largest activations). Grid: (column quad, row, plane).
struct Params { h: u32, quads: u32, planes: u32, _p0: u32 }
@group(0) @binding(0) var<uniform> p: Params;
#if ${ADJOINT}
@group(0) @binding(1) var<storage, read> src: array<vec2f>;
@group(0) @binding(2) var<storage, read_write> out: array<vec4f>;
#else
@group(0) @binding(1) var<storage, read> src: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> out: array<vec2f>;
#endif

@compute @workgroup_size(${WG_X}, ${WG_Y}, ${WG_Z})
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let q = gid.x;
  let y = gid.y;
  let plane = gid.z;
  if (plane >= p.planes || q >= p.quads) { return; }
#if ${ADJOINT}
  // y: an input row; its window's output row is y / 2.
  if (y >= p.h) { return; }
  let g = src[(plane * (p.h / 2u) + (y >> 1u)) * p.quads + q] * 0.25;
  out[(plane * p.h + y) * p.quads + q] = vec4f(g.x, g.x, g.y, g.y);
#else
  // y: an output row, reading input rows 2y and 2y + 1.
  if (y >= p.h / 2u) { return; }
  let top = (plane * p.h + 2u * y) * p.quads + q;
  let s = src[top] + src[top + p.quads];
  out[(plane * (p.h / 2u) + y) * p.quads + q] = vec2f(s.x + s.y, s.z + s.w) * 0.25;
#endif
}
