// Convolution weight gradient over packed operands:
//   dW[m, c, tap] = sum over output pixels (n, y, x) of G[n][y][x][m] * X[n][sy][sx][c]
// with (sy, sx) = (y * stride - pad + ky, x * stride - pad + kx). G (the output gradient, m innermost) and
// X (the input, c innermost) are packed in vec4 blocks by shaders/conv_pack.wgsl. Columns are (tap, block
// of 4 input channels) pairs, TN per invocation and WG apart; rows are TM output channels shared by the
// whole workgroup. With subgroups, lane l loads the G block of rows 4 l .. 4 l + 3 (plus 32 g) and
// subgroupBroadcast hands each value to the other lanes. The long reduction is split across workgroups
// (z): each sums the image rows [z rowChunk, (z + 1) rowChunk) of N * Ho into its own slice of OUT, which
// a reduction then adds up (WGSL has no float atomics). engine/ops/conv.ts generates the unrolled body,
// U pixels per step so that each accumulator gets U products per (masked) loop update.
// A stack of same-shape problems (Winograd's transform positions) shares the z axis with the splits:
// z = position * splits + split, each position's X and G start zX and zG vec4s after the previous one's.
#if ${SUBGROUPS}
enable subgroups;
#endif

struct Params {
  cblocks: i32, oblocks: i32, rows: i32, chans: i32,
  h: i32, w: i32, ho: i32, wo: i32,
  kh: i32, kw: i32, stride: i32, pad: i32,
  ncols: i32, nlines: i32, lineChunk: i32, splits: i32,
  zX: i32, zG: i32, _p1: i32, _p2: i32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> X: array<vec4f>;
@group(0) @binding(2) var<storage, read> G: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> OUT: array<f32>;

@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u${LANE_PARAM}) {
  let mBase = i32(wid.y) * ${TM};
  let first = i32(wid.x) * ${WG} * ${TN} + i32(lid.x);
  let taps = p.kh * p.kw;
  let lastCol = p.ncols - 1;
  let lastBlock = p.oblocks - 1;
  let position = i32(wid.z) / p.splits;
  let zX = position * p.zX;
  let zG = position * p.zG;
  let lineBegin = (i32(wid.z) % p.splits) * p.lineChunk;
  let lineEnd = min(lineBegin + p.lineChunk, p.nlines);
${SETUP}
  for (var line = lineBegin; line < lineEnd; line++) {
    let n = line / p.ho;
    let y = line % p.ho;
    let gLine = line * p.wo * p.oblocks + zG;
${PER_LINE}
    for (var x = 0; x < p.wo; x += ${U}) {
${STEP}
    }
  }
  // Stores as a loop over the results (unrolled, they dominate lavapipe's compile time).
  var result: array<f32, ${TM} * ${TN} * 4>;
${RESULTS}
  var colAt: array<i32, ${TN}>;
  var chanAt: array<i32, ${TN}>;
${COLUMNS}
  let slice = i32(wid.z) * p.rows * p.chans * taps;
  for (var i = 0; i < ${TM}; i++) {
    let m = mBase + i;
    if (m >= p.rows) { break; }
    for (var j = 0; j < ${TN}; j++) {
      if (first + j * ${WG} >= p.ncols) { continue; }
      for (var q = 0; q < 4; q++) {
        if (chanAt[j] + q < p.chans) { OUT[slice + m * p.chans * taps + colAt[j] + q * taps] = result[(i * ${TN} + j) * 4 + q]; }
      }
    }
  }
}
