// A small typed option parser: each command declares its options once, and --help is generated from
// the same table, so the defaults printed are the defaults used.

export type OptionType = 'string' | 'int' | 'number' | 'boolean';

export interface OptionSpec {
  type: OptionType;
  default?: string | number | boolean;
  help: string;
  /** Allowed values for a string option. */
  choices?: readonly string[];
}

export type OptionTable = Record<string, OptionSpec>;
export type ParsedOptions = Record<string, string | number | boolean | undefined>;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

export function parseOptions(argv: string[], table: OptionTable, command: string): ParsedOptions {
  const out: ParsedOptions = {};
  for (const [flag, spec] of Object.entries(table)) out[camel(flag)] = spec.default;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new UsageError(`${command}: unexpected argument '${arg}' (options start with --; see --help)`);
    const [flag, inline] = arg.slice(2).split(/=(.*)/s, 2);
    const negated = flag.startsWith('no-') && table[flag.slice(3)]?.type === 'boolean';
    const spec = table[negated ? flag.slice(3) : flag];
    if (!spec) throw new UsageError(`${command}: unknown option --${flag} (see --help)`);
    const key = camel(negated ? flag.slice(3) : flag);
    if (spec.type === 'boolean') {
      out[key] = !negated && inline !== 'false';
      continue;
    }
    const raw = inline ?? argv[++i];
    if (raw === undefined) throw new UsageError(`${command}: --${flag} needs a value`);
    out[key] = convert(raw, spec, flag, command);
  }
  return out;
}

function convert(raw: string, spec: OptionSpec, flag: string, command: string): string | number {
  if (spec.type === 'string') {
    if (spec.choices && !spec.choices.includes(raw)) throw new UsageError(`${command}: --${flag} must be one of ${spec.choices.join(', ')}, got '${raw}'`);
    return raw;
  }
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v)) throw new UsageError(`${command}: --${flag} needs a number, got '${raw}'`);
  if (spec.type === 'int' && !Number.isInteger(v)) throw new UsageError(`${command}: --${flag} needs a whole number, got '${raw}'`);
  return v;
}

/** Splits `<positional> --options...`; the positional argument is required. */
export function positionalAndOptions(argv: string[], what: string, command: string): [string, string[]] {
  const at = argv.findIndex((a) => !a.startsWith('--'));
  if (at !== 0) throw new UsageError(`${command}: give the ${what} first (hmn ${command} <${what}> [options])`);
  return [argv[0], argv.slice(1)];
}

export function helpText(command: string, summary: string, table: OptionTable): string {
  const rows = Object.entries(table).map(([flag, spec]) => {
    const value = spec.type === 'boolean' ? '' : ` <${spec.choices ? spec.choices.join('|') : spec.type}>`;
    const def = spec.default === undefined ? '' : ` (default: ${spec.default})`;
    return [`  --${flag}${value}`, `${spec.help}${def}`];
  });
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  return [`usage: hmn ${command} [options]`, '', summary, '', ...rows.map(([l, r]) => l.padEnd(width) + r)].join('\n');
}
