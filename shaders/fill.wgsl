// out[i] = value for every element.
struct Params { n: u32, ivalue: i32, fvalue: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> out: array<${T}>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n) { return; }
#if ${INT}
  out[i] = p.ivalue;
#else
  out[i] = p.fvalue;
#endif
}
