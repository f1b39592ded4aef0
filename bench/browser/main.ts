// The peer workloads of bench/peers in the browser on navigator.gpu: our engine and, if it loads, TF.js's
// WebGPU backend, interleaved per workload exactly as in Node. Results go to window.__hmnBench.
/// <reference types="vite/client" />
import type { BenchState } from './protocol.js';

// Node reads shaders/ from disk; here Vite hands the same files in as strings.
const shaderFiles = import.meta.glob('../../shaders/*.wgsl', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

const state: BenchState = { done: false, fatal: null, adapter: null, tfjs: null, userAgent: navigator.userAgent, log: [], rows: [] };
window.__hmnBench = state;

const say = (s: string) => {
  state.log.push(s);
  document.getElementById('log')!.textContent = state.log.join('\n');
};
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The results so far as a table in the page (the app's bench.html and this page both show it). */
function showTable(): void {
  let table = document.getElementById('table');
  if (!table) {
    table = document.createElement('table');
    table.id = 'table';
    document.getElementById('log')!.before(table);
  }
  const ms = (v?: number) => (v === undefined ? '' : v < 10 ? v.toFixed(2) : v.toFixed(0));
  const rows = [['workload', 'ours ms', 'TF.js WebGPU ms', 'TF.js / ours']].concat(
    state.rows.map((r) => {
      const o = r.ours.medianMs, t = r.tfjs?.medianMs;
      return [r.name, r.ours.error ? `error: ${r.ours.error}` : ms(o), r.tfjs?.error ? `n/a (${r.tfjs.error})` : ms(t), o && t ? `${(t / o).toFixed(2)}x` : ''];
    }),
  );
  table.replaceChildren(
    ...rows.map((cells, i) => {
      const tr = document.createElement('tr');
      for (const c of cells) {
        const td = document.createElement(i === 0 ? 'th' : 'td');
        td.textContent = c;
        tr.append(td);
      }
      return tr;
    }),
  );
}

async function main(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const filter = new RegExp(params.get('filter') ?? '', 'i');
  const repeat = Math.max(1, Number(params.get('repeat') ?? 3));
  if (!navigator.gpu) throw new Error('navigator.gpu missing: Chromium needs --enable-unsafe-webgpu and a page from http://127.0.0.1');

  // Imported here, not statically, so that a module that fails to load is reported rather than a blank page.
  const E = await import('../../engine/index.js');
  const { peerWorkloads } = await import('../peers/workloads.js');
  const { interleave } = await import('../peers/interleave.js');
  E.registerShaderSources(shaderFiles);
  const rt = await E.initEngine();
  state.adapter = rt.info.adapterInfo;
  say(`adapter: ${state.adapter.description || state.adapter.device || '(no description)'} (${state.adapter.vendor} ${state.adapter.architecture})`);

  let tf: typeof import('@tensorflow/tfjs') | null = null;
  try {
    tf = await import('@tensorflow/tfjs');
    await import('@tensorflow/tfjs-backend-webgpu');
    if (!(await tf.setBackend('webgpu'))) throw new Error('tf.setBackend("webgpu") returned false');
    state.tfjs = { version: tf.version.tfjs, adapterInfo: (tf.backend() as { adapterInfo?: unknown }).adapterInfo };
    say(`TF.js ${tf.version.tfjs} on ${tf.getBackend()}`);
  } catch (e) {
    state.tfjs = { error: message(e) };
    say(`TF.js not compared: ${state.tfjs.error}`);
    tf = null;
  }

  for (const w of peerWorkloads().filter((w) => filter.test(w.name) || filter.test(w.key))) {
    say(`${w.name} ...`);
    const sides = [{ label: 'ours', make: w.ours }];
    const peer = tf; // a const, so the closure below keeps the narrowed type
    if (peer) sides.push({ label: 'tfjs', make: () => w.tfjs(peer) });
    const [ours, theirs] = await interleave(sides, repeat, w.steps, say);
    state.rows.push({ key: w.key, name: w.name, ours, tfjs: theirs ?? { label: 'tfjs', error: state.tfjs?.error ?? 'not run' } });
    showTable();
  }
  state.done = true;
  say('done');
}

main().catch((e) => {
  state.fatal = message(e);
  say(`fatal: ${state.fatal}`);
});
