// Every op family, one file each: its kernels' calls, forward and backward rule.
export * from './elementwise.js';
export * from './reduce.js';
export * from './matmul.js';
export * from './conv.js';
export * from './norm.js';
export * from './pool.js';
export * from './relu-pool.js';
export * from './upsample.js';
export * from './loss.js';
export * from './layout.js';
export * from './random.js';
export * from './augment.js';
export { WINOGRAD_MATRICES, type WinogradTile } from './winograd.js';
