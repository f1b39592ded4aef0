// `hmn baseline` end to end as a user runs it (node bin/hmn.mjs in a child process), on tiny settings.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runHmn as hmn } from '../helpers/cli.js';
import { readImageSet } from '../../src/io/image-set.js';

const root = mkdtempSync(join(tmpdir(), 'hmn-baseline-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const TINY = ['--per-class', '6', '--ipc', '2', '--seed', '1'];
const BUDGET = 2 * 10 * 3 * 32 * 32;

describe('hmn baseline', () => {
  for (const [method, extra] of [
    ['random', []],
    ['pixel-gm', ['--iterations', '2', '--inner-steps', '1', '--real-batch', '4', '--net-width', '8']],
    ['dm', ['--iterations', '2', '--real-batch', '4', '--net-width', '8']],
  ] as const) {
    it(`--method ${method} writes the images at the budget, a manifest, the loss curve and the grids`, async () => {
      const out = join(root, method);
      const r = await hmn(['baseline', '--method', method, ...TINY, ...extra, '--out', out]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('results:');
      const file = readImageSet(new Uint8Array(readFileSync(join(out, 'images.safetensors'))));
      expect(file.images).toMatchObject({ count: 20, channels: 3, height: 32, width: 32, classes: 10 });
      expect(Array.from(file.images.labels)).toEqual(Array.from({ length: 20 }, (_, i) => Math.floor(i / 2)));
      expect(file.metadata).toMatchObject({ method, source: 'hmn baseline' });
      const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
      expect(manifest).toMatchObject({ method, ipc: 2, seed: 1, budget: BUDGET, storedFloats: BUDGET, images: 20, finished: true });
      expect(manifest.seconds).toBeGreaterThanOrEqual(0);
      const losses = JSON.parse(readFileSync(join(out, 'loss.json'), 'utf8')).matchingLoss;
      expect(losses.length).toBe(method === 'random' ? 0 : 2);
      expect(existsSync(join(out, 'images.png'))).toBe(true);
      expect(readdirSync(join(out, 'images')).length).toBe(10);
      if (method === 'random') {
        // Random real images are bytes / 255 exactly.
        expect(file.images.images.every((v) => Number.isInteger(Math.round(v * 255 * 1e4) / 1e4))).toBe(true);
      } else {
        expect(manifest.hyper.iterations).toBe(2);
        expect(manifest.iterationsDone).toBe(2);
        expect(manifest.secondsPerIteration).toBeGreaterThan(0);
      }
    }, 180_000);
  }

  it('refuses to overwrite results without --overwrite', async () => {
    const r = await hmn(['baseline', '--method', 'random', ...TINY, '--out', join(root, 'random')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/already holds results; pass --overwrite/);
  }, 60_000);

  it('bad options get one line and exit code 2', async () => {
    const cases: [string[], RegExp][] = [
      [['--ipc', '1'], /^hmn: baseline: --method is required \(random, pixel-gm, dm\)$/],
      [['--method', 'dm', '--distance', 'l1'], /^hmn: baseline: --distance does not apply to --method dm$/],
      [['--method', 'random', '--iterations', '5', '--lr', '1'], /^hmn: baseline: --iterations, --lr do not apply to --method random$/],
      [['--method', 'pixel-gm', '--ipc', '0'], /^hmn: baseline: --ipc must be at least 1, got 0$/],
      [['--method', 'random', '--per-class', '3', '--ipc', '4'], /^hmn: baseline: --ipc 4: class 0 \(.*\) has 3 images, fewer than 4 per class$/],
    ];
    for (const [args, message] of cases) {
      const r = await hmn(['baseline', ...args, '--out', join(root, 'bad')]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim(), args.join(' ')).toMatch(message);
    }
  }, 120_000);

  it('--help lists every option with its defaults', async () => {
    const r = await hmn(['baseline', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--method <random|pixel-gm|dm>');
    expect(r.stdout).toMatch(/--real-batch.*\(default: 64 for pixel-gm, 256 for dm\)/);
    expect(r.stdout).toMatch(/--lr.*\(default: 0\.01 for pixel-gm, 1 for dm\)/);
  }, 60_000);
});
