// Per-image integer shift with zero fill: out[n, c, y, x] = src[n, c, y - dy[n], x - dx[n]] (0 outside).
// Its adjoint is the opposite shift, so the backward rule is this same kernel with negated offsets.
struct Params { n: u32, c: u32, h: u32, w: u32, sign: i32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read> offsets: array<i32>; // [n, 2]: dx, dy
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n * p.c * p.h * p.w) { return; }
  let x = i32(i % p.w);
  let y = i32((i / p.w) % p.h);
  let img = i / (p.c * p.h * p.w);
  let sx = x - p.sign * offsets[2u * img];
  let sy = y - p.sign * offsets[2u * img + 1u];
  var v = 0.0;
  if (sx >= 0 && sy >= 0 && sx < i32(p.w) && sy < i32(p.h)) {
    v = src[i - u32(x) - u32(y) * p.w + u32(sx) + u32(sy) * p.w];
  }
  out[i] = v;
}
