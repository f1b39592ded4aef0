// out[n, c] = 1 where labels[n] == c, else 0. Labels outside [0, classes) give an all-zero row.
struct Params { n: u32, classes: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> labels: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n * p.classes) { return; }
  out[i] = select(0.0, 1.0, labels[i / p.classes] == i32(i % p.classes));
}
