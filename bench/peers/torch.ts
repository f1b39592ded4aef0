// Runs torch_peer.py with Debian's /usr/bin/python3 (the python3 on PATH may lack torch) and returns its
// medians by workload key, or why it could not run.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./torch_peer.py', import.meta.url));

export interface TorchRun {
  torch?: string;
  threads?: number;
  results: Record<string, { medianMs?: number; samplesMs?: number[]; error?: string }>;
  skipped?: string;
}

export function runTorch(filter: string, repeat: number): TorchRun {
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) return { results: {}, skipped: `${PYTHON} has no torch (${(probe.stderr || String(probe.error)).trim().split('\n').pop()})` };
  const run = spawnSync(PYTHON, [SCRIPT, '--filter', filter, '--repeat', String(repeat)], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (run.status !== 0) return { results: {}, skipped: `torch_peer.py failed: ${run.stderr.trim().split('\n').pop()}` };
  return JSON.parse(run.stdout) as TorchRun;
}
