// hmn: the command-line front end. Every option, with its default, is in `hmn <command> --help`.
import { helpText, UsageError, type OptionTable } from './args.js';
import { condense, CONDENSE_OPTIONS, quick } from './condense.js';
import { decode, DECODE_OPTIONS } from './decode.js';
import { evaluate, EVALUATE_OPTIONS } from './evaluate.js';
import { info } from './info.js';
import { baseline, BASELINE_OPTIONS } from './baseline.js';
import { prune, PRUNE_OPTIONS } from './prune.js';
import { experiment, EXPERIMENT_OPTIONS } from './experiment.js';
import { status, STATUS_OPTIONS, worker, WORKER_OPTIONS } from './queue.js';
import { DataError } from '../io/errors.js';

const COMMANDS: Record<string, { summary: string; run: (argv: string[]) => Promise<number | void> | number | void; options?: OptionTable; usage?: string }> = {
  condense: { summary: 'Condense a dataset into a Hierarchical Memory Network (a run directory).', run: condense, options: CONDENSE_OPTIONS },
  quick: { summary: 'A small condensation of the built-in dataset (what `npm start` runs).', run: quick },
  decode: { summary: "Decode a run's HMN into images: safetensors or PNG folders.", run: decode, options: DECODE_OPTIONS, usage: 'decode <run dir>' },
  info: { summary: 'Summarise a run directory.', run: info, options: {}, usage: 'info <run dir>' },
  baseline: { summary: 'A comparison method at the same budget: random real images, pixel gradient matching or DM.', run: baseline, options: BASELINE_OPTIONS },
  prune: { summary: "Prune an over-budget run's HMN back within budget (double-end AUM pruning).", run: prune, options: PRUNE_OPTIONS, usage: 'prune <run dir>' },
  experiment: { summary: 'Run a grid of methods x IPC x seeds and write the comparison table.', run: experiment, options: EXPERIMENT_OPTIONS },
  worker: { summary: 'Take experiment jobs from a Redis job queue (hmn experiment --queue) and run them.', run: worker, options: WORKER_OPTIONS },
  status: { summary: "Show a queued experiment grid: done, running (worker, iteration, ETA), waiting, failed.", run: status, options: STATUS_OPTIONS },
  evaluate: { summary: 'Train fresh ConvNets on images (a run, a safetensors file, real images) and report real test accuracy.', run: evaluate, options: EVALUATE_OPTIONS, usage: 'evaluate (<run dir> | <images.safetensors> | --real-ipc N)' },
};

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h') {
    console.log(['usage: hmn <command> [options]', '', ...Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(10)}${c.summary}`), '', 'hmn <command> --help lists its options.'].join('\n'));
    return 0;
  }
  const cmd = COMMANDS[command];
  try {
    if (!cmd) throw new UsageError(`unknown command '${command}' (commands: ${Object.keys(COMMANDS).join(', ')})`);
    if (rest.includes('--help') || rest.includes('-h')) {
      console.log(cmd.options ? helpText(cmd.usage ?? command, cmd.summary, cmd.options) : cmd.summary);
      return 0;
    }
    return (await cmd.run(rest)) ?? 0;
  } catch (e) {
    // Problems with the input get their message alone; for anything else HMN_DEBUG=1 adds the stack trace.
    const known = e instanceof UsageError || e instanceof DataError;
    const message = e instanceof Error ? e.message : String(e);
    console.error(`hmn: ${message}`);
    if (!known) console.error(process.env.HMN_DEBUG ? (e as Error).stack : '(HMN_DEBUG=1 shows where it happened)');
    return e instanceof UsageError ? 2 : 1;
  }
}
