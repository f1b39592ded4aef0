// Runs the `hmn` command as a user does (node bin/hmn.mjs in a child process, from the repo root), for the
// end-to-end CLI tests.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface HmnResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `hmn ...args`; `onStderr` sees the error stream as it arrives (and may signal the child). */
export function runHmn(args: string[], onStderr?: (text: string, child: ChildProcess) => void): Promise<HmnResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/hmn.mjs', ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => {
      stderr += d;
      onStderr?.(stderr, child);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
