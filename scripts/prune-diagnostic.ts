// Diagnostic for an experiment's hmn-pruned cell (IPC 1, seed 0): the over-budget HMN before pruning (from
// the cell's checkpoint) and the same HMN with 6 random images per class removed, evaluated exactly as the
// experiment's cells are. Usage: npx tsx scripts/prune-diagnostic.ts <experiment dir> [runs] [data dir]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as E from '../engine/index.js';
import { decodeCheckpoint } from '../src/condense/checkpoint.js';
import { decodeAll } from '../src/hmn/decode-all.js';
import { evaluateImages } from '../src/evaluate/evaluate.js';
import { loadRealData } from '../src/experiment/runner.js';
import { trainOptions } from '../src/experiment/cells.js';
import { parseSpec } from '../src/experiment/spec.js';
const dir = process.argv[2];
if (!dir) throw new Error('usage: npx tsx scripts/prune-diagnostic.ts <experiment dir> [runs] [data dir]');
const spec = parseSpec(readFileSync(join(dir, 'spec.json'), 'utf8'));
const real = await loadRealData(spec, process.argv[4] ?? '../shared/datasets');
await E.initEngine();
const saved = decodeCheckpoint(new Uint8Array(readFileSync(join(dir, 'cells', 'hmn-pruned-ipc1-seed0', 'checkpoint.safetensors'))));
const d = await decodeAll(saved.hmn);
const all = { images: d.images, labels: d.labels, count: d.count, channels: 3, height: 32, width: 32, classes: 10 };
const opts = trainOptions(spec, spec.evaluation, 0);
const runs = Number(process.argv[3] ?? 2);
const over = await evaluateImages(all, { test: real.test, validation: real.validation, stats: real.stats }, opts, runs, (m) => console.log('over', m));
console.log('unpruned over-budget (22/class):', over.test);
const rng = new E.Random(99, 1);
const keep: number[] = [];
for (let c = 0; c < 10; c++) { const rows = [...d.labels].flatMap((y, i) => (y === c ? [i] : [])); const p = rng.permutation(rows.length); keep.push(...Array.from(p.subarray(0, rows.length - 6), (k) => rows[k])); }
const per = 3072; const imgs = new Float32Array(keep.length * per); keep.forEach((r, i) => imgs.set(d.images.subarray(r * per, (r + 1) * per), i * per));
const rand = await evaluateImages({ ...all, images: imgs, labels: Int32Array.from(keep, (r) => d.labels[r]), count: keep.length }, { test: real.test, validation: real.validation, stats: real.stats }, opts, runs, (m) => console.log('random-removal', m));
console.log('random removal of 6/class (16/class):', rand.test);
