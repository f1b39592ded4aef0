// The experiment runner end to end on the built-in dataset at toy sizes: every method's cell condenses and
// evaluates within its budget, the table and plot are written, a second run redoes nothing, a failing cell
// is marked as failed while the others finish, and an HMN cell stopped mid-condensation resumes from its
// checkpoint to the same HMN as an uninterrupted run.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSpec, type ExperimentSpec } from '../../src/experiment/spec.js';
import { cellDir, CELL_FILES, type RealData } from '../../src/experiment/cells.js';
import { loadRealData, runExperiment, claimExperimentDir } from '../../src/experiment/runner.js';
import { readSafetensors } from '../../src/io/safetensors.js';
import { setupEngine } from '../helpers/node.js';

setupEngine();
const root = mkdtempSync(join(tmpdir(), 'hmn-experiment-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const TOY = {
  name: 'toy',
  dataset: 'builtin',
  builtinPerClass: 12,
  methods: ['hmn', 'hmn-pruned', 'pixel-gm', 'dm', 'random'],
  ipc: [1],
  seeds: [0],
  hmn: { iterations: 3, innerSteps: 1, realBatch: 4, synBatch: 4, netWidth: 8, checkpointEvery: 1 },
  pixelGm: { iterations: 2, innerSteps: 1, realBatch: 4, synBatch: 4, netWidth: 8 },
  dm: { iterations: 2, realBatch: 8, netWidth: 8 },
  prune: { betas: [0, 1], aumEpochs: 2, selectEpochs: 2, selectRuns: 1 },
  evaluation: { runs: 2, epochs: 2, batch: 16, width: 8, validationPerClass: 2 },
};

let real: RealData;
const quiet = () => {};

beforeAll(async () => {
  real = await loadRealData(checkSpec(TOY), undefined);
});

describe('hmn experiment runner', () => {
  const dir = join(root, 'toy');
  const spec = checkSpec(TOY);

  it('runs every method within its budget and writes the table, its JSON and the plot', async () => {
    const summary = await runExperiment({ spec, real, dir, log: quiet });
    expect(summary.failed).toBe(0);
    expect(summary.ran).toBe(5);
    for (const e of summary.table.entries) {
      expect(e.test?.runs.length, e.method).toBe(2);
      expect(e.validation?.runs.length, e.method).toBe(2);
      expect(e.stored!, e.method).toBeLessThanOrEqual(e.budget!);
      expect(e.budget).toBe(1 * 10 * 3 * 32 * 32);
    }
    const pruned = JSON.parse(readFileSync(join(cellDir({ dir }, { method: 'hmn-pruned', ipc: 1, seed: 0 }), CELL_FILES.condensed), 'utf8'));
    expect(pruned.prune.storedBefore).toBeGreaterThan(pruned.budget);
    expect(pruned.prune.storedAfter).toBeLessThanOrEqual(pruned.budget);
    expect(pruned.prune.grid.map((g: { beta: number }) => g.beta)).toEqual([0, 1]);
    const md = readFileSync(join(dir, 'results.md'), 'utf8');
    for (const label of ['HMN', 'HMN + pruning', 'Pixel gradient matching', 'Distribution matching (DM)', 'Random real']) expect(md).toMatch(new RegExp(`\\| ${label.replace(/[()+]/g, '\\$&')} \\| \\d+\\.\\d ± \\d+\\.\\d \\|`));
    expect(readFileSync(join(dir, 'accuracy.svg'), 'utf8')).toMatch(/^<svg[^]*<\/svg>\n$/);
    expect(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')).entries).toHaveLength(5);
  });

  it('a second run redoes nothing; a changed spec is refused naming what changed', async () => {
    const again = await runExperiment({ spec, real, dir, log: quiet });
    expect(again.ran).toBe(0);
    expect(() => claimExperimentDir(checkSpec({ ...TOY, seeds: [1] }), dir)).toThrow(/different spec \(changed: seeds\)/);
  });

  it('marks a failing cell as failed and finishes the others', async () => {
    // 12 per class minus 2 for validation leaves 10: IPC 11 cannot be drawn.
    const s: ExperimentSpec = checkSpec({ ...TOY, name: 'fails', methods: ['random'], ipc: [1, 11] });
    const summary = await runExperiment({ spec: s, real, dir: join(root, 'fails'), log: quiet });
    expect(summary.failed).toBe(1);
    const md = readFileSync(join(root, 'fails', 'results.md'), 'utf8');
    expect(md).toMatch(/\| Random real \| \d+\.\d ± \d+\.\d \| failed \|/);
    expect(md).toMatch(/Random real, IPC 11, seed 0: .*class/);
  });

  it('an HMN cell stopped mid-condensation resumes from its checkpoint to the uninterrupted result', async () => {
    const s = checkSpec({ ...TOY, name: 'stop', methods: ['hmn'] });
    const stopDir = join(root, 'stop');
    let iterations = 0;
    const stopped = await runExperiment({ spec: s, real, dir: stopDir, log: (m) => void (/iteration \d/.test(m) && iterations++), shouldStop: () => iterations >= 1 });
    expect(stopped.stopped).toBe(true);
    const resumed = await runExperiment({ spec: s, real, dir: stopDir, log: quiet });
    expect(resumed.ran).toBe(1);
    const cell = { method: 'hmn' as const, ipc: 1, seed: 0 };
    const a = readSafetensors(new Uint8Array(readFileSync(join(cellDir({ dir: stopDir }, cell), CELL_FILES.hmn)))).tensors;
    const b = readSafetensors(new Uint8Array(readFileSync(join(cellDir({ dir }, cell), CELL_FILES.hmn)))).tensors;
    expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
    for (const k of Object.keys(a)) expect(Array.from(a[k].data), k).toEqual(Array.from(b[k].data));
  });
});
