// The `hmn` command end to end, as a user runs it (node bin/hmn.mjs in a child process): a run interrupted
// with Ctrl-C and resumed ends with the same HMN as an uninterrupted run; decode and info read the run;
// bad input gets a one-line message and exit code 2.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runHmn as hmn } from '../helpers/cli.js';
import { readSafetensors } from '../../src/io/safetensors.js';

const root = mkdtempSync(join(tmpdir(), 'hmn-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const SMALL = ['--per-class', '4', '--iterations', '4', '--inner-steps', '1', '--real-batch', '4', '--syn-batch', '3', '--net-width', '8', '--checkpoint-every', '1', '--seed', '3'];

function tensors(dir: string) {
  return readSafetensors(new Uint8Array(readFileSync(join(dir, 'hmn.safetensors')))).tensors;
}

describe('hmn condense / decode / info', () => {
  it('Ctrl-C saves a checkpoint; --resume finishes with the uninterrupted run\'s HMN', async () => {
    const straight = await hmn(['condense', ...SMALL, '--out', join(root, 'straight')]);
    expect(straight.code, straight.stderr).toBe(0);
    expect(straight.stdout).toContain('results:');

    let signalled = false;
    const stopped = await hmn(['condense', ...SMALL, '--out', join(root, 'stopped')], (text, child) => {
      if (!signalled && /condense \[[#-]+\] 1\/4/.test(text)) {
        signalled = true;
        child.kill('SIGINT');
      }
    });
    expect(signalled).toBe(true);
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(stopped.stderr).toContain('interrupted: saving a checkpoint');
    const manifest = JSON.parse(readFileSync(join(root, 'stopped', 'manifest.json'), 'utf8'));
    expect(manifest.finished).toBe(false);
    expect(manifest.iterationsDone).toBeGreaterThanOrEqual(1);
    expect(manifest.iterationsDone).toBeLessThan(4);

    const again = await hmn(['condense', ...SMALL, '--out', join(root, 'stopped')]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already holds a run's checkpoint; pass --resume/);
    const mismatch = await hmn(['condense', ...SMALL, '--hmn-lr', '0.5', '--resume', '--out', join(root, 'stopped')]);
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr).toMatch(/hmnLr: 0.005 then, 0.5 now/);

    const resumed = await hmn(['condense', ...SMALL, '--resume', '--out', join(root, 'stopped')]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain(`resuming at iteration ${manifest.iterationsDone} of 4`);
    const a = tensors(join(root, 'straight'));
    const b = tensors(join(root, 'stopped'));
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    for (const name of Object.keys(a)) expect(b[name].data, name).toEqual(a[name].data);
    const lossA = readFileSync(join(root, 'straight', 'loss.csv'), 'utf8');
    expect(readFileSync(join(root, 'stopped', 'loss.csv'), 'utf8')).toBe(lossA);
    expect(lossA.trim().split('\n')).toHaveLength(5);
    expect(readdirSync(join(root, 'straight', 'images'))).toHaveLength(10);
  }, 600_000);

  it('decode writes every generated image with its label; info summarises the run', async () => {
    const dir = join(root, 'straight');
    const st = await hmn(['decode', dir, '--format', 'safetensors', '--dtype', 'u8']);
    expect(st.code, st.stderr).toBe(0);
    const decoded = readSafetensors(new Uint8Array(readFileSync(join(dir, 'decoded.safetensors')))).tensors;
    const rows = tensors(dir)['memory.instance_class'];
    expect(decoded.images.shape).toEqual([rows.shape[0], 3, 32, 32]);
    expect(decoded.images.dtype).toBe('U8');
    expect(Array.from(decoded.labels.data)).toEqual(Array.from(rows.data));
    const png = await hmn(['decode', dir, '--format', 'png', '--out', join(root, 'png')]);
    expect(png.code, png.stderr).toBe(0);
    const folders = readdirSync(join(root, 'png'));
    expect(folders).toHaveLength(10);
    expect(folders.reduce((n, f) => n + readdirSync(join(root, 'png', f)).length, 0)).toBe(rows.shape[0]);
    const info = await hmn(['info', dir]);
    expect(info.code, info.stderr).toBe(0);
    expect(info.stdout).toMatch(/IPC 1, seed 3/);
    expect(info.stdout).toMatch(/iterations 4 of 4/);
  }, 300_000);

  it('bad input: a one-line message and exit code 2 (usage) or 1 (data)', async () => {
    const noDir = await hmn(['condense', '--dataset', 'cifar10']);
    expect(noDir.code).toBe(2);
    expect(noDir.stderr).toMatch(/--dataset cifar10 needs --data-dir/);
    const empty = mkdtempSync(join(root, 'empty-'));
    const wrongDir = await hmn(['condense', '--dataset', 'cifar10', '--data-dir', empty, '--out', join(root, 'never')]);
    expect(wrongDir.code).toBe(1);
    expect(wrongDir.stderr).toMatch(/no cifar10 dataset here .*data_batch_1\.bin/);
    expect(wrongDir.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(existsSync(join(root, 'never', 'checkpoint.safetensors'))).toBe(false);
    const notRun = await hmn(['decode', empty]);
    expect(notRun.code).toBe(1);
    expect(notRun.stderr).toMatch(/hmn\.safetensors: not found/);
    const badIpc = await hmn(['condense', '--ipc', '0']);
    expect(badIpc.code).toBe(2);
    expect(badIpc.stderr).toMatch(/--ipc must be > 0/);
  }, 120_000);
});
