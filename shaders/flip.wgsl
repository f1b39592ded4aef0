// Per-image horizontal flip where flags[n] != 0. Its own adjoint.
struct Params { n: u32, c: u32, h: u32, w: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read> flags: array<i32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n * p.c * p.h * p.w) { return; }
  let x = i % p.w;
  let img = i / (p.c * p.h * p.w);
  var j = i;
  if (flags[img] != 0) { j = i - x + (p.w - 1u - x); }
  out[i] = src[j];
}
