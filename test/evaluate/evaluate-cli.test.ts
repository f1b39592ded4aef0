// `hmn evaluate` as a user runs it (node bin/hmn.mjs in a child process): a small safetensors file of images
// and labels is evaluated, the summary printed and eval.json written; a run directory is decoded and
// evaluated; malformed input gets one line and exit code 1, a usage mistake exit code 2.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHmn as hmn } from '../helpers/cli.js';
import { loadDataset } from '../../src/data/registry.js';
import { firstPerClass } from '../../src/data/dataset.js';
import { writeSafetensors } from '../../src/io/safetensors.js';

const root = mkdtempSync(join(tmpdir(), 'hmn-evaluate-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** stderr without the adapter's start-up warnings. */
const errorLines = (stderr: string) => stderr.split('\n').filter((l) => l && !l.startsWith('Warning:'));

/** Small and quick: a 30-per-class built-in training set, 1000 test images, width 8, 3 epochs. */
const QUICK = ['--per-class', '30', '--validation-per-class', '5', '--epochs', '3', '--width', '8', '--batch', '16'];

const imagesFile = join(root, 'images.safetensors');

beforeAll(async () => {
  // Five built-in training images per class as F32 on [0, 1], the format `hmn decode` writes.
  const ds = firstPerClass(await loadDataset('builtin', { split: 'train', perClass: 30 }), 5);
  const images = Float32Array.from(ds.images, (v) => v / 255);
  writeFileSync(imagesFile, writeSafetensors({ images: { dtype: 'F32', shape: [ds.count, 3, 32, 32], data: images }, labels: { dtype: 'I32', shape: [ds.count], data: ds.labels } }));
});

describe('hmn evaluate', () => {
  it('a safetensors file: one line per run, the summary, and eval.json', async () => {
    const out = join(root, 'eval-out');
    const r = await hmn(['evaluate', imagesFile, ...QUICK, '--runs', '2', '--seed', '4', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/run 1\/2 \(seed 4\): test \d+\.\d %, validation \d+\.\d %/);
    expect(r.stdout).toMatch(/run 2\/2 \(seed 5\)/);
    expect(r.stdout).toMatch(/test accuracy \d+\.\d ± \d+\.\d % \(2 runs\), validation \d+\.\d ± \d+\.\d % \(50 held-out training images\)/);
    const report = JSON.parse(readFileSync(join(out, 'eval.json'), 'utf8'));
    expect(report.input).toMatchObject({ kind: 'safetensors', images: 50 });
    expect(report.dataset).toMatchObject({ name: 'builtin', classes: 10, testImages: 1000, validationImages: 50 });
    expect(report.results.test.runs).toHaveLength(2);
    expect(report.results.validation.runs).toHaveLength(2);
    expect(report.options).toMatchObject({ epochs: 3, width: 8, batchSize: 16, seed: 4, cutmix: { prob: 0.5, beta: 1 } });
    expect(report.options.augment).toEqual(['color', 'crop', 'flip', 'scale', 'rotate']);
    const printed = r.stdout.match(/test accuracy (\d+\.\d) ±/)![1];
    expect((100 * report.results.test.mean).toFixed(1)).toBe(printed);
    expect(report.seconds).toBeGreaterThan(0);
    expect(report.adapter.vendor).toBeTypeOf('string');
  }, 120_000);

  it('a run directory: every generated image decoded and evaluated; eval.json lands in the run', async () => {
    const run = join(root, 'run');
    const condense = await hmn(['condense', '--per-class', '30', '--iterations', '1', '--inner-steps', '1', '--real-batch', '4', '--syn-batch', '4', '--net-width', '8', '--out', run]);
    expect(condense.code, condense.stderr).toBe(0);
    const r = await hmn(['evaluate', run, ...QUICK, '--runs', '1', '--cutmix-prob', '0', '--augment', 'none']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/hmn evaluate: 160 images/); // IPC 1 on 10 classes: 16 generated images per class
    expect(r.stdout).toMatch(/test accuracy \d+\.\d ± 0\.0 % \(1 run\)/);
    const report = JSON.parse(readFileSync(join(run, 'eval.json'), 'utf8'));
    expect(report.input).toMatchObject({ kind: 'run', images: 160 });
    expect(report.options).toMatchObject({ augment: [], cutmix: null });
  }, 180_000);

  it('malformed input: one line naming the file and exit code 1; usage mistakes exit code 2', async () => {
    const bad = join(root, 'bad.safetensors');
    writeFileSync(bad, writeSafetensors({ images: { dtype: 'F32', shape: [2, 3, 32, 32], data: new Float32Array(2 * 3072) }, labels: { dtype: 'F32', shape: [2], data: new Float32Array(2) } }));
    const r = await hmn(['evaluate', bad, ...QUICK]);
    expect(r.code).toBe(1);
    expect(errorLines(r.stderr)).toEqual([`hmn: ${bad}: 'labels' is F32 [2] beside images [2,3,32,32]; expected 'images' F32 or U8 [N, C, H, W] and 'labels' I32 [N], as hmn decode writes`]);

    const small = join(root, 'small.safetensors');
    writeFileSync(small, writeSafetensors({ images: { dtype: 'U8', shape: [1, 3, 16, 16], data: new Uint8Array(768) }, labels: { dtype: 'I32', shape: [1], data: Int32Array.from([0]) } }));
    const shape = await hmn(['evaluate', small, ...QUICK]);
    expect(shape.code).toBe(1);
    expect(errorLines(shape.stderr)).toEqual([`hmn: ${small}: images are 3x16x16, the dataset's test images 3x32x32`]);

    const missing = await hmn(['evaluate', join(root, 'nothing-here'), ...QUICK]);
    expect(missing.code).toBe(1);
    expect(errorLines(missing.stderr)[0]).toMatch(/nothing-here: not found/);

    const both = await hmn(['evaluate', imagesFile, '--real-ipc', '2']);
    expect(both.code).toBe(2);
    expect(errorLines(both.stderr)).toEqual(['hmn: evaluate: give exactly one input: a run directory, a .safetensors file of images and labels, or --real-ipc N']);
    const badAugment = await hmn(['evaluate', '--real-ipc', '2', '--augment', 'blur']);
    expect(badAugment.code).toBe(2);
    expect(errorLines(badAugment.stderr)[0]).toMatch(/--augment: unknown augmentation 'blur'/);
  }, 120_000);
});
