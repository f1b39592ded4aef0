// Runs the shared op cases (test/cases) in the browser on navigator.gpu, unchanged from Node.
// Progress and results go to `window.__hmnTest` (read by browser.test.ts) and to a readable list in the page.
// `?family=a,b` runs only those families.
import type { CaseResult, HmnTestState } from './protocol.js';

// Node reads shaders/ from disk; here Vite hands the same files in as strings.
const shaderFiles = import.meta.glob('/shaders/*.wgsl', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

const state: HmnTestState = {
  done: false,
  fatal: null,
  adapter: null,
  userAgent: navigator.userAgent,
  families: [],
  total: 0,
  current: null,
  results: [],
  ms: 0,
};
window.__hmnTest = state;

const $ = (id: string) => document.getElementById(id)!;

function message(e: unknown): string {
  if (e instanceof Error) return e.stack && !e.stack.startsWith(e.message) ? `${e.message}\n${e.stack}` : (e.stack ?? e.message);
  return String(e);
}

function showSummary(): void {
  const failed = state.results.filter((r) => !r.ok).length;
  const head = state.done ? 'done' : `running${state.current ? ` ${state.current}` : ''}`;
  $('summary').textContent = `${head}: ${state.results.length}/${state.total} cases, ${failed} failed, ${(state.ms / 1000).toFixed(1)} s`;
}

function showResult(r: CaseResult, firstOfFamily: boolean): void {
  const list = $('results');
  if (firstOfFamily) {
    const li = document.createElement('li');
    li.className = 'family';
    li.textContent = r.family;
    list.append(li);
  }
  const li = document.createElement('li');
  li.className = r.ok ? 'ok' : 'fail';
  li.textContent = `${r.name} `;
  const ms = document.createElement('span');
  ms.className = 'ms';
  ms.textContent = `${r.ms.toFixed(0)} ms`;
  li.append(ms);
  if (!r.ok) li.append(` — ${r.error?.split('\n')[0]}`);
  list.append(li);
}

function fail(text: string): void {
  state.fatal = text;
  state.done = true;
  const div = document.createElement('div');
  div.className = 'fatal';
  div.textContent = text;
  $('summary').after(div);
  showSummary();
}

/** Let the page paint between cases (and let the test side read progress). */
const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

async function main(): Promise<void> {
  const t0 = performance.now();
  // Imported here, not statically, so that a module that fails to load is reported rather than a blank page.
  const E = await import('../../engine/index.js');
  const { caseFamilies } = await import('../cases/index.js');

  const wanted = new URLSearchParams(location.search).get('family')?.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = (wanted ?? []).filter((f) => !(f in caseFamilies));
  if (unknown.length) throw new Error(`unknown case families ${unknown.join(', ')} (known: ${Object.keys(caseFamilies).join(', ')})`);
  state.families = wanted ?? Object.keys(caseFamilies);
  state.total = state.families.reduce((n, f) => n + caseFamilies[f].length, 0);

  if (!('gpu' in navigator) || !navigator.gpu) throw new Error('navigator.gpu missing: this browser has no WebGPU (Chrome needs a secure context, e.g. http://127.0.0.1, and may need --enable-unsafe-webgpu)');
  E.registerShaderSources(shaderFiles);
  const rt = await E.initEngine();
  state.adapter = rt.info.adapterInfo;
  const a = state.adapter;
  $('adapter').textContent = `adapter: ${a.description || a.device || '(no description)'} [${a.vendor} ${a.architecture}]; features: ${[...rt.info.features].join(', ') || 'none'}`;
  showSummary();

  for (const family of state.families) {
    let first = true;
    for (const c of caseFamilies[family]) {
      state.current = `${family} / ${c.name}`;
      showSummary();
      await nextTask();
      const start = performance.now();
      let r: CaseResult;
      try {
        const digest = await c.run();
        r = { family, name: c.name, ok: true, digest: digest ?? undefined, ms: performance.now() - start };
      } catch (e) {
        r = { family, name: c.name, ok: false, error: message(e), ms: performance.now() - start };
      }
      state.results.push(r);
      state.ms = performance.now() - t0;
      showResult(r, first);
      first = false;
    }
  }
  state.current = null;
  state.ms = performance.now() - t0;
  state.done = true;
  showSummary();
}

main().catch((e) => fail(`could not run the cases: ${message(e)}`));
