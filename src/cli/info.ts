// `hmn info <run dir>`: what a run directory holds, checked against its own files.
import { join } from 'node:path';
import { readSafetensors } from '../io/safetensors.js';
import { readRunFile, RUN_FILES } from '../node/run-dir.js';
import { parseOptions, positionalAndOptions } from './args.js';

export function info(argv: string[]): void {
  const [dir, rest] = positionalAndOptions(argv, 'run directory', 'info');
  parseOptions(rest, {}, 'info');
  const manifest = JSON.parse(new TextDecoder().decode(readRunFile(dir, RUN_FILES.manifest)));
  const { tensors, metadata } = readSafetensors(readRunFile(dir, RUN_FILES.hmn), join(dir, RUN_FILES.hmn));
  const stored = Object.entries(tensors)
    .filter(([, t]) => t.dtype === 'F32')
    .reduce((s, [, t]) => s + t.data.length, 0);
  console.log(`${dir}: ${manifest.dataset}, IPC ${manifest.ipc}${manifest.overBudget ? ` (+${manifest.overBudget * 100}%)` : ''}, seed ${manifest.seed}`);
  console.log(`  budget ${manifest.budget.budget} floats, stored ${stored} (${manifest.generatedImages} generated images, ${manifest.imagesPerClass} per class)`);
  console.log(`  iterations ${manifest.iterationsDone} of ${manifest.hyper.iterations}${manifest.finished ? '' : ' (unfinished: continue with hmn condense ... --resume)'}`);
  console.log(`  ${manifest.secondsPerIteration?.toFixed(2) ?? '-'} s/iteration, peak GPU pool ${(manifest.peakPoolBytes / 2 ** 20).toFixed(1)} MiB on ${manifest.adapter?.description ?? '?'}`);
  console.log(`  tensors: ${Object.entries(tensors).map(([n, t]) => `${n} [${t.shape}]`).join(', ')}`);
  console.log(`  format ${metadata.format}`);
}
