// npm run bench [-- --filter REGEX --repeat N --json PATH --no-profile]
// Measures the adapter's roofline first (peak FLOP/s, bandwidth, dispatch overhead: bench/roofline.ts), then
// every workload whose name matches --filter; prints a Markdown table with each workload's share of the
// roofline and writes JSON (results/bench-<time>.json unless --json is given).
import * as E from '../engine/index.js';
import { measure, markdownTable, type Measurement, type Roofline } from './harness.js';
import { allWorkloads } from './workloads.js';
import { familyWorkloads } from './families.js';
import { parseBenchArgs, writeResults } from './cli.js';
import { loadTuningFile, tuningFilePath } from '../src/node/tuning-file.js';
import { bandwidthWorkload, dispatchOverheadWorkload, peakFlopsWorkloads, registerBenchShaders } from './roofline.js';


const args = parseBenchArgs(process.argv.slice(2), 'usage: npm run bench -- [--filter REGEX] [--repeat N] [--json PATH] [--no-profile]', 5, [{ name: 'no-profile' }]);
const opts = { repeat: args.repeat, profile: !args.extra['no-profile'] };
// Unquantised timestamps, so short kernels are not rounded to Dawn's default grid.
const rt = await E.initEngine({ dawnFlags: ['disable-dawn-features=timestamp_quantization'] });
const adapter = rt.info.adapterInfo;
console.log(`adapter: ${adapter.description || adapter.device} (${adapter.vendor} ${adapter.architecture}); timestamp-query: ${rt.info.features.has('timestamp-query')}`);

registerBenchShaders();
const tuned = loadTuningFile();
if (tuned) console.log(`kernel choices: ${tuned} loaded from ${tuningFilePath()} (npm run tune)`);

const filter = new RegExp(args.filter, 'i');
const rows: Measurement[] = [];
const run = async (w: Parameters<typeof measure>[0]) => {
  process.stderr.write(`running ${w.name} ...\n`);
  const m = await measure(w, opts);
  E.runtime().pool.trim();
  rows.push(m);
  return m;
};
const peak: number[] = [];
for (const w of peakFlopsWorkloads()) peak.push((await run(w)).gflops!);
const roofline: Roofline = {
  peakGflops: Math.max(...peak),
  bandwidthGbps: (await run(bandwidthWorkload())).gbps!,
  dispatchUs: (await run(dispatchOverheadWorkload())).medianMs * 1000,
};
console.log(`roofline: ${roofline.peakGflops.toFixed(1)} GFLOP/s peak, ${roofline.bandwidthGbps.toFixed(1)} GB/s, ${roofline.dispatchUs.toFixed(0)} us per dispatch`);
for (const w of [...allWorkloads(), ...familyWorkloads()].filter((w) => filter.test(w.name) || filter.test(w.group))) await run(w);
console.log(markdownTable(rows, roofline));

writeResults(args.json, 'bench', { adapter, date: new Date().toISOString(), repeat: opts.repeat, node: process.version, roofline, results: rows });
process.exit(0);
