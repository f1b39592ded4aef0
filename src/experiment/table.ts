// The experiment's result table in the shape of the paper's: one row per method, one column per IPC,
// mean ± std of test accuracy over every evaluation run of every condensation seed. A cell that is not
// done, or failed, says so instead of disappearing.
import { summarise, type AccuracySummary } from '../evaluate/evaluate.js';
import { METHOD_LABELS, type Cell, type ExperimentSpec, type Method } from './spec.js';

export type CellState =
  | { state: 'done'; test: number[]; validation: number[]; stored: number; budget: number; images: number; condenseSeconds: number; evalSeconds: number; prunedBeta?: number }
  | { state: 'failed'; error: string }
  | { state: 'missing' };

export interface TableEntry {
  method: Method;
  ipc: number;
  /** Condensation seeds that finished, of those asked for. */
  seedsDone: number;
  seeds: number;
  test: AccuracySummary | null;
  validation: AccuracySummary | null;
  /** Stored floats / budget (the largest over seeds). */
  stored: number | null;
  budget: number | null;
  images: number | null;
  errors: string[];
}

export interface ResultTable {
  experiment: string;
  dataset: string;
  ipc: number[];
  methods: Method[];
  entries: TableEntry[];
}

export function buildTable(spec: ExperimentSpec, states: Map<string, { cell: Cell; state: CellState }>): ResultTable {
  const entries: TableEntry[] = [];
  for (const method of spec.methods) {
    for (const ipc of spec.ipc) {
      const mine = [...states.values()].filter((s) => s.cell.method === method && s.cell.ipc === ipc);
      const done = mine.flatMap((s) => (s.state.state === 'done' ? [s.state] : []));
      const test = done.flatMap((d) => d.test);
      const validation = done.flatMap((d) => d.validation);
      entries.push({
        method,
        ipc,
        seedsDone: done.length,
        seeds: spec.seeds.length,
        test: test.length ? summarise(test) : null,
        validation: validation.length ? summarise(validation) : null,
        stored: done.length ? Math.max(...done.map((d) => d.stored)) : null,
        budget: done.length ? done[0].budget : null,
        images: done.length ? done[0].images : null,
        errors: mine.flatMap((s) => (s.state.state === 'failed' ? [`seed ${s.cell.seed}: ${s.state.error}`] : [])),
      });
    }
  }
  return { experiment: spec.name, dataset: spec.dataset, ipc: spec.ipc, methods: spec.methods, entries };
}

const pct = (s: AccuracySummary) => `${(s.mean * 100).toFixed(1)} ± ${(s.std * 100).toFixed(1)}`;

function cellText(e: TableEntry): string {
  if (!e.test) return e.errors.length ? 'failed' : 'not run';
  const partial = e.seedsDone < e.seeds ? ` (${e.seedsDone}/${e.seeds} seeds${e.errors.length ? ', some failed' : ''})` : '';
  return pct(e.test) + partial;
}

export function tableMarkdown(t: ResultTable): string {
  const entry = (m: Method, ipc: number) => t.entries.find((e) => e.method === m && e.ipc === ipc)!;
  const lines = [
    `Test accuracy (%) on ${t.dataset}, mean ± std over all evaluation runs (experiment '${t.experiment}')`,
    '',
    `| Method | ${t.ipc.map((i) => `IPC ${i}`).join(' | ')} |`,
    `|---|${t.ipc.map(() => '---:').join('|')}|`,
    ...t.methods.map((m) => `| ${METHOD_LABELS[m]} | ${t.ipc.map((i) => cellText(entry(m, i))).join(' | ')} |`),
    '',
    'Validation accuracy (%) (held out from the real training set):',
    '',
    `| Method | ${t.ipc.map((i) => `IPC ${i}`).join(' | ')} |`,
    `|---|${t.ipc.map(() => '---:').join('|')}|`,
    ...t.methods.map((m) => `| ${METHOD_LABELS[m]} | ${t.ipc.map((i) => { const e = entry(m, i); return e.validation ? pct(e.validation) : cellText(e); }).join(' | ')} |`),
    '',
    'Storage: floats stored / budget, and images the evaluator trains on:',
    '',
    `| Method | ${t.ipc.map((i) => `IPC ${i}`).join(' | ')} |`,
    `|---|${t.ipc.map(() => '---:').join('|')}|`,
    ...t.methods.map((m) => `| ${METHOD_LABELS[m]} | ${t.ipc.map((i) => { const e = entry(m, i); return e.stored === null ? '—' : `${e.stored} / ${e.budget} (${e.images} images)`; }).join(' | ')} |`),
  ];
  const failures = t.entries.flatMap((e) => e.errors.map((err) => `- ${METHOD_LABELS[e.method]}, IPC ${e.ipc}, ${err}`));
  if (failures.length) lines.push('', 'Failed cells:', '', ...failures);
  return lines.join('\n') + '\n';
}
