// Every op family, one file each: its kernels' calls, forward and backward rule.
export * from './elementwise.js';
export * from './reduce.js';
