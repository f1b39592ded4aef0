// What every bench runner's command line shares: --filter REGEX, --repeat N, --json PATH, --help, plus
// a runner's own flags; the load average (the machine is shared, so figures carry it); and the JSON
// results file (results/<prefix>-<time>.json unless --json names one).
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname } from 'node:path';

export interface BenchArgs {
  filter: string;
  repeat: number;
  json: string;
  /** The runner's own flags, by name without dashes: true for a switch, the string for a valued one. */
  extra: Record<string, string | boolean>;
}

export interface ExtraFlag {
  name: string;
  /** Takes a value (`--name V`) rather than being a switch. */
  value?: boolean;
  default?: string | boolean;
}

export function parseBenchArgs(argv: string[], usage: string, defaultRepeat: number, extras: ExtraFlag[] = []): BenchArgs {
  const opts: BenchArgs = { filter: '', repeat: defaultRepeat, json: '', extra: Object.fromEntries(extras.map((f) => [f.name, f.default ?? false])) };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const extra = extras.find((f) => a === `--${f.name}`);
    if (a === '--filter') opts.filter = next();
    else if (a === '--repeat') opts.repeat = Math.max(1, Number.parseInt(next(), 10));
    else if (a === '--json') opts.json = next();
    else if (extra) opts.extra[extra.name] = extra.value ? next() : true;
    else if (a === '--help' || a === '-h') {
      console.log(usage);
      process.exit(0);
    } else throw new Error(`unknown option ${a} (try --help)`);
  }
  return opts;
}

/** The 1, 5 and 15-minute load averages, as "0.66, 1.24, 1.54". */
export function loadAverage(): string {
  return loadavg()
    .map((x) => x.toFixed(2))
    .join(', ');
}

/** Writes `data` as JSON to `path`, or to results/<prefix>-<time>.json; returns the path. */
export function writeResults(path: string, prefix: string, data: unknown): string {
  const out = path || `results/${prefix}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(data, null, 2));
  console.log(`wrote ${out}`);
  return out;
}
