// Node-side helpers for browser tests: a Vite dev server over the repo root and a headless Debian Chromium
// with WebGPU (SwiftShader on a machine without a GPU). Reusable by any test that opens a page under test/.
import { existsSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer, type ViteDevServer } from 'vite';
import { chromium, type Browser } from 'playwright-core';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** WebGPU on pages from http://127.0.0.1, and nothing that phones home or updates itself during a test. */
export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface TestServer {
  /** e.g. http://127.0.0.1:41234 (no trailing slash) */
  origin: string;
  vite: ViteDevServer;
  close: () => Promise<void>;
}

/**
 * A Vite dev server with the repo root as its root, on a free port of 127.0.0.1.
 * `entries` are the HTML pages the tests will open: Vite pre-bundles their npm dependencies before the
 * first request, so a page is never reloaded halfway through a run by a late dependency discovery.
 */
export async function startServer(entries: string[] = ['test/browser/index.html']): Promise<TestServer> {
  // Vite reads `port: 0` as "the default, 5173", which another server (a benchmark, a second test run) may
  // hold; so ask the OS for a free port, and try again should someone take it before Vite binds it.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const vite = await createServer({
      configFile: false,
      root: REPO_ROOT,
      logLevel: 'warn',
      clearScreen: false,
      appType: 'mpa',
      optimizeDeps: { entries },
      server: {
        host: '127.0.0.1',
        port,
        strictPort: true,
        // No HMR and no watcher: other work edits this tree while a test runs, and a reload mid-run would
        // restart the page's cases.
        hmr: false,
        watch: null,
        fs: { strict: true, allow: [REPO_ROOT] },
      },
    });
    try {
      await vite.listen();
    } catch (e) {
      await vite.close();
      if (attempt < 5 && /already in use/.test(String(e))) continue;
      throw e;
    }
    return { origin: `http://127.0.0.1:${port}`, vite, close: () => vite.close() };
  }
}

/** A TCP port of 127.0.0.1 that was free a moment ago (the OS's pick for port 0). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Headless Debian Chromium through playwright-core (which never downloads a browser of its own). */
export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} is missing: run \`npm run setup\` (scripts/setup.sh installs Debian chromium)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
  });
}

/** Close whatever was opened, in reverse order, without letting one failure hide another's clean-up. */
export async function closeAll(...closers: (Browser | TestServer | null | undefined)[]): Promise<void> {
  const errors: unknown[] = [];
  for (const c of closers.reverse()) {
    if (!c) continue;
    try {
      await c.close();
    } catch (e) {
      errors.push(e);
    }
  }
  if (errors.length) throw errors[0];
}
