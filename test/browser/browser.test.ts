// The shared op cases (test/cases) in headless Chromium on navigator.gpu: every case must pass there, and
// its digest (the numbers it produced) must agree with the same case run in Node on Dawn.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { initEngine, hasRuntime, runtime } from '../../engine/index.js';
import { caseFamilies } from '../cases/index.js';
import type { Digest } from '../helpers/check.js';
import { REPO_ROOT, closeAll, launchChromium, startServer, type TestServer } from './harness.js';
import type { CaseResult, HmnTestState } from './protocol.js';

/**
 * Families run in the browser: all of them by default. HMN_BROWSER_FAMILIES=a,b narrows the list (for a
 * quick look at one family); test/cases/index.ts decides what "all" is, so new families join on their own.
 */
const FAMILIES = process.env.HMN_BROWSER_FAMILIES?.split(',').map((s) => s.trim()).filter(Boolean) ?? Object.keys(caseFamilies);
/** SwiftShader on 2 cores is slow: give the page this long to finish every case. */
const PAGE_TIMEOUT_MS = 12 * 60_000;
/** The same cases in Node on lavapipe (much faster than SwiftShader). */
const NODE_TIMEOUT_MS = 8 * 60_000;
/** Browser and Node run on different adapters (SwiftShader vs lavapipe): agreement, not bitwise equality. */
const DIGEST_TOL = { atol: 1e-4, rtol: 1e-3 };
const SCREENSHOT = path.join(REPO_ROOT, 'test-results', 'browser-cases.png');

let server: TestServer | null = null;
let browser: Browser | null = null;
/** The browser's results, kept for the comparison with Node. */
let browserResults: CaseResult[] | null = null;

beforeAll(async () => {
  server = await startServer();
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await closeAll(server, browser);
  server = browser = null;
});

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Wait for the page to finish, logging progress now and then; a timeout names the case it was stuck on. */
async function waitForRun(page: Page, pageErrors: string[]): Promise<HmnTestState> {
  const deadline = Date.now() + PAGE_TIMEOUT_MS;
  let lastLog = Date.now();
  for (;;) {
    const p = await page.evaluate(() => {
      const s = window.__hmnTest;
      return s && { done: s.done, n: s.results.length, total: s.total, current: s.current, failed: s.results.filter((r) => !r.ok).length };
    });
    if (p?.done) break;
    if (Date.now() > deadline) {
      throw new Error(`the browser run did not finish in ${seconds(PAGE_TIMEOUT_MS)}: ${p ? `${p.n}/${p.total} cases done, stuck in ${p.current}` : 'the page never started (window.__hmnTest missing)'}${pageErrors.length ? `\npage errors:\n${pageErrors.join('\n')}` : ''}`);
    }
    if (!p && pageErrors.length && Date.now() - lastLog > 10_000) {
      throw new Error(`the page failed to start:\n${pageErrors.join('\n')}`);
    }
    if (Date.now() - lastLog > 30_000) {
      lastLog = Date.now();
      console.log(p ? `[browser] ${p.n}/${p.total} cases (${p.failed} failed), now ${p.current}` : '[browser] waiting for the page to start');
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return page.evaluate(() => window.__hmnTest!);
}

interface Mismatch { where: string; browser: number; node: number; ratio: number }

/** Compares two digests entry by entry; returns structural problems and the worst numeric deviation. */
function compareDigests(where: string, b: Digest, n: Digest): { problems: string[]; worst: Mismatch | null } {
  const problems: string[] = [];
  let worst: Mismatch | null = null;
  const keys = new Set([...Object.keys(b), ...Object.keys(n)]);
  for (const key of keys) {
    const bv = b[key], nv = n[key];
    if (!bv || !nv) {
      problems.push(`${where}: digest entry '${key}' only in ${bv ? 'the browser' : 'Node'}`);
      continue;
    }
    if (bv.length !== nv.length) {
      problems.push(`${where}: '${key}' has ${bv.length} numbers in the browser, ${nv.length} in Node`);
      continue;
    }
    for (let i = 0; i < nv.length; i++) {
      const x = bv[i], y = nv[i];
      // Same non-finite value on both sides agrees; otherwise deviation relative to the tolerance (> 1 fails).
      const ratio = Object.is(x, y) ? 0 : Math.abs(x - y) / (DIGEST_TOL.atol + DIGEST_TOL.rtol * Math.abs(y));
      const r = Number.isNaN(ratio) ? Infinity : ratio;
      if (!worst || r > worst.ratio) worst = { where: `${where} ${key}[${i}]`, browser: x, node: y, ratio: r };
    }
  }
  return { problems, worst };
}

describe('shared op cases in headless Chromium', () => {
  it('every case passes in Chromium', async () => {
    const page = await browser!.newPage({ viewport: { width: 1400, height: 900 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(`console.error: ${m.text()}`);
    });
    const t0 = Date.now();
    await page.goto(`${server!.origin}/test/browser/index.html?family=${FAMILIES.join(',')}`);
    const state = await waitForRun(page, pageErrors);
    const wall = Date.now() - t0;

    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    await page.close();

    const a = state.adapter;
    console.log(`[browser] ${state.userAgent}`);
    console.log(`[browser] adapter: ${a ? `${a.description || a.device} (${a.vendor}, ${a.architecture})` : 'none'}`);
    console.log(`[browser] families: ${state.families.join(', ')}`);
    console.log(`[browser] ${state.results.length} cases in ${seconds(state.ms)} on the page, ${seconds(wall)} including page load; screenshot: ${SCREENSHOT}`);
    const slow = [...state.results].sort((x, y) => y.ms - x.ms).slice(0, 5);
    console.log(`[browser] slowest: ${slow.map((r) => `${r.family}/${r.name} ${seconds(r.ms)}`).join('; ')}`);
    const perFamily = state.families.map((f) => `${f} ${seconds(state.results.filter((r) => r.family === f).reduce((s, r) => s + r.ms, 0))}`);
    console.log(`[browser] per family: ${perFamily.join(', ')}`);

    if (state.fatal) throw new Error(`${state.fatal}${pageErrors.length ? `\npage errors:\n${pageErrors.join('\n')}` : ''}`);
    browserResults = state.results;
    const failures = state.results.filter((r) => !r.ok).map((r) => `${r.family} / ${r.name}: ${r.error}`);
    expect(failures, `${failures.length} of ${state.results.length} cases failed in Chromium:\n${failures.join('\n\n')}`).toEqual([]);
    expect(state.results.length).toBe(state.total);
  }, PAGE_TIMEOUT_MS + 60_000);

  it("agrees with Node's results for the same cases", async () => {
    if (!browserResults) throw new Error('no browser results to compare (the browser run failed)');
    if (!hasRuntime()) await initEngine();
    const node = runtime().info.adapterInfo;
    console.log(`[node] adapter: ${node.description || node.device} (${node.vendor}, ${node.architecture})`);

    const t0 = Date.now();
    const problems: string[] = [];
    let worst: Mismatch | null = null;
    let compared = 0;
    const byKey = new Map(browserResults.map((r) => [`${r.family} / ${r.name}`, r]));
    for (const family of FAMILIES) {
      for (const c of caseFamilies[family]) {
        const where = `${family} / ${c.name}`;
        const b = byKey.get(where);
        if (!b) {
          problems.push(`${where}: not run in the browser`);
          continue;
        }
        let digest: Digest | void;
        try {
          digest = await c.run();
        } catch (e) {
          problems.push(`${where}: fails in Node too: ${(e as Error).message}`);
          continue;
        }
        if (!b.ok) continue; // already reported by the browser test
        if (!digest !== !b.digest) {
          problems.push(`${where}: returns a digest only in ${digest ? 'Node' : 'the browser'}`);
          continue;
        }
        if (!digest || !b.digest) continue;
        const r = compareDigests(where, b.digest, digest);
        problems.push(...r.problems);
        if (r.worst && (!worst || r.worst.ratio > worst.ratio)) worst = r.worst;
        compared++;
      }
    }
    const worstText = worst
      ? `worst deviation ${worst.where}: browser ${worst.browser}, node ${worst.node} (${worst.ratio.toFixed(3)} of the tolerance |a-b| <= ${DIGEST_TOL.atol} + ${DIGEST_TOL.rtol}*|node|)`
      : 'no numbers compared';
    console.log(`[node] ran ${compared} digests in ${seconds(Date.now() - t0)}; ${worstText}`);
    if (worst && worst.ratio > 1) problems.unshift(`browser and Node disagree: ${worstText}`);
    expect(problems, problems.join('\n')).toEqual([]);
  }, NODE_TIMEOUT_MS);
});
