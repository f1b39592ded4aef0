// Strided copies for layout ops (rank <= 8, shapes and strides as vec4 pairs), for f32 or i32 (T).
//   GATHER:  out[i] = src[offset + sum_d coord_d(i) * stride_d]      (permute, slice)
//   SCATTER: out[offset + sum_d coord_d(i) * stride_d] = src[i]      (a piece of concat)
// coord(i) are the coordinates of i in `shape`, the contiguous one of the two sides. The engine merges
// axes that stay contiguous together first, so rank (and the divisions below) is as small as it can be.
struct Params {
  n: u32, rank: u32, offset: u32, _p: u32,
  shape: array<vec4u, 2>,
  stride: array<vec4u, 2>,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<${T}>;
@group(0) @binding(2) var<storage, read_write> out: array<${T}>;

fn at(v: array<vec4u, 2>, i: u32) -> u32 { return v[i / 4u][i % 4u]; }

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n) { return; }
  var rem = i;
  var j = p.offset;
  for (var d = i32(p.rank) - 1; d >= 0; d--) {
    let size = at(p.shape, u32(d));
    j += (rem % size) * at(p.stride, u32(d));
    rem = rem / size;
  }
#if ${SCATTER}
  out[j] = src[i];
#else
  out[i] = src[j];
#endif
}
