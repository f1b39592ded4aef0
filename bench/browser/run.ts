// npm run bench:browser [-- --filter REGEX --repeat N --json PATH --timeout-min M]
// The peer workloads in headless Debian Chromium (SwiftShader here), on a page served by Vite from
// http://127.0.0.1; prints the same table as bench:peers (without PyTorch) and writes JSON.
import { loadAverage, parseBenchArgs, writeResults } from '../cli.js';
import { closeAll, launchChromium, startServer } from '../../test/browser/harness.js';
import { peerTable } from '../peers/table.js';
import type { BenchState } from './protocol.js';


const args = parseBenchArgs(process.argv.slice(2), 'usage: npm run bench:browser -- [--filter REGEX] [--repeat N] [--json PATH] [--timeout-min M]', 3, [
  { name: 'timeout-min', value: true, default: '45' },
]);
const opts = { ...args, timeoutMin: Number(args.extra['timeout-min']) };
const load = loadAverage;
const loadBefore = load();
const server = await startServer(['bench/browser/index.html']);
const browser = await launchChromium();
let state: BenchState | undefined;
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error(`pageerror: ${e.message}`));
  const query = new URLSearchParams({ filter: opts.filter, repeat: String(opts.repeat) });
  await page.goto(`${server.origin}/bench/browser/index.html?${query}`);
  // Poll rather than wait on one long evaluate, so progress is echoed while SwiftShader works.
  const deadline = Date.now() + opts.timeoutMin * 60_000;
  let echoed = 0;
  for (;;) {
    state = await page.evaluate(() => window.__hmnBench);
    for (; state && echoed < state.log.length; echoed++) process.stderr.write(`[page] ${state.log[echoed]}\n`);
    if (state?.done || state?.fatal) break;
    if (Date.now() > deadline) throw new Error(`the page did not finish in ${opts.timeoutMin} min`);
    await new Promise((r) => setTimeout(r, 1000));
  }
} finally {
  await closeAll(server, browser);
}
if (state!.fatal) throw new Error(`the page failed: ${state!.fatal}`);
const a = state!.adapter!;
console.log(`browser: ${state!.userAgent}\nadapter: ${a.description || a.device || '(no description)'} (${a.vendor} ${a.architecture}); TF.js: ${state!.tfjs?.error ? `not compared (${state!.tfjs.error})` : state!.tfjs?.version}`);
console.log(peerTable(state!.rows, false));
console.log(`load average before ${loadBefore}, after ${load()}; medians of ${opts.repeat} samples per side`);
writeResults(opts.json, 'peers-browser', { date: new Date().toISOString(), repeat: opts.repeat, loadavg: { before: loadBefore, after: load() }, ...state });
process.exit(0);
