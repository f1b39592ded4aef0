// npm run bench:peers [-- --filter REGEX --repeat N --json PATH --no-torch]
// Our engine vs TF.js's WebGPU backend on one Dawn adapter in this process (interleaved per workload),
// then the PyTorch CPU peer in its own process. Prints a Markdown table; writes JSON (results/ by default).
import { loadAverage, parseBenchArgs, writeResults } from '../cli.js';
import { interleave } from './interleave.js';
import { sharedGpu } from './node-gpu.js';
import { peerTable, type PeerRow } from './table.js';
import { runTorch } from './torch.js';
import { peerWorkloads } from './workloads.js';


const args = parseBenchArgs(
  process.argv.slice(2),
  'usage: npm run bench:peers -- [--filter REGEX] [--repeat N] [--json PATH] [--no-torch]\n  REGEX matches a workload name or key (matmul, conv-fwd, conv-fwd-bwd, train-step, match-step)',
  3,
  [{ name: 'no-torch' }],
);
const opts = { ...args, torch: !args.extra['no-torch'] };
const load = loadAverage;
const loadBefore = load();
const { ours, tf, tfAdapter } = await sharedGpu();
const adapter = ours.info.adapterInfo;
console.log(`adapter: ${adapter.description || adapter.device} (${adapter.vendor} ${adapter.architecture}); TF.js ${tf.version.tfjs} backend ${tf.getBackend()}; load average ${loadBefore}`);

const filter = new RegExp(opts.filter, 'i');
const chosen = peerWorkloads().filter((w) => filter.test(w.name) || filter.test(w.key));
const rows: PeerRow[] = [];
for (const w of chosen) {
  process.stderr.write(`${w.name} ...\n`);
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const [o, t] = await interleave([{ label: 'ours', make: w.ours }, { label: 'tfjs', make: () => w.tfjs(tf) }], opts.repeat, w.steps, log);
  rows.push({ key: w.key, name: w.name, ours: o, tfjs: t });
}

let torchNote = 'not run (--no-torch)';
const torch = opts.torch && chosen.length ? runTorch(chosen.map((w) => `^${w.key}$`).join('|'), opts.repeat) : null;
if (torch) {
  torchNote = torch.skipped ?? `torch ${torch.torch}, ${torch.threads} threads, run after the WebGPU peers (another process)`;
  for (const r of rows) r.torch = torch.results[r.key];
}
const withTorch = !!torch && !torch.skipped;
console.log(peerTable(rows, withTorch));
console.log(`PyTorch CPU: ${torchNote}`);
console.log(`load average before ${loadBefore}, after ${load()}; medians of ${opts.repeat} samples per side`);

const json = { date: new Date().toISOString(), node: process.version, repeat: opts.repeat, loadavg: { before: loadBefore, after: load() }, adapter, tfjs: { version: tf.version.tfjs, backend: tf.getBackend(), adapterInfo: tfAdapter }, torch, rows };
writeResults(opts.json, 'peers', json);
process.exit(0);
