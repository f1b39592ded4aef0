import { describe, expect, it } from 'vitest';
import { parseOptions, helpText, type OptionTable } from '../../src/cli/args.js';

const table: OptionTable = {
  ipc: { type: 'int', default: 1, help: 'images per class' },
  'hmn-lr': { type: 'number', default: 0.01, help: 'Adam learning rate' },
  dataset: { type: 'string', default: 'builtin', choices: ['builtin', 'cifar10'], help: 'dataset' },
  resume: { type: 'boolean', default: false, help: 'continue from the last checkpoint' },
};

describe('option parser', () => {
  it('fills defaults, converts types, accepts --flag=value and --no-flag', () => {
    expect(parseOptions([], table, 'x')).toEqual({ ipc: 1, hmnLr: 0.01, dataset: 'builtin', resume: false });
    expect(parseOptions(['--ipc', '10', '--hmn-lr=0.5', '--dataset', 'cifar10', '--resume'], table, 'x')).toEqual({ ipc: 10, hmnLr: 0.5, dataset: 'cifar10', resume: true });
    expect(parseOptions(['--resume', '--no-resume'], table, 'x').resume).toBe(false);
  });
  it('rejects bad input with messages naming the option', () => {
    expect(() => parseOptions(['--ipc', '1.5'], table, 'condense')).toThrow('condense: --ipc needs a whole number, got \'1.5\'');
    expect(() => parseOptions(['--ipc', 'ten'], table, 'condense')).toThrow('--ipc needs a number');
    expect(() => parseOptions(['--dataset', 'mnist'], table, 'condense')).toThrow('--dataset must be one of builtin, cifar10');
    expect(() => parseOptions(['--bogus'], table, 'condense')).toThrow('unknown option --bogus');
    expect(() => parseOptions(['--ipc'], table, 'condense')).toThrow('--ipc needs a value');
    expect(() => parseOptions(['stray'], table, 'condense')).toThrow("unexpected argument 'stray'");
  });
  it('help lists every option with its default', () => {
    const text = helpText('condense', 'Condense a dataset.', table);
    for (const line of ['--ipc <int>', '(default: 1)', '--hmn-lr <number>', '(default: 0.01)', '--dataset <builtin|cifar10>', '--resume']) expect(text).toContain(line);
  });
});
