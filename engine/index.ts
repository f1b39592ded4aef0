// The engine's public API.
export { initEngine, runtime, sync, memory, hasRuntime, type Runtime, type InitOptions } from './runtime.js';
export { Tensor, tensor, scalar, empty, full, zeros, ones, tidy, keep, sizeOf, type Shape, type DType } from './tensor.js';
export { grad, backward, noGrad, isGradEnabled, requireGrad, record, type GradOptions, type GradNode, type BackwardRule } from './autodiff.js';
export { registerShaderSources } from './shaders.js';
export {
  autotune, autotuneAlgorithm, tileFor, algorithmFor, withTile, withAlgorithm, tuningSnapshot, loadTuning, clearTuning, GEMM_TILES, CONV_ALGORITHMS,
  type TileChoice, type TuneResult, type ConvAlgorithm,
} from './tuning.js';
export { DeviceLostError } from './dispatch.js';
export { NO_ADAPTER_HELP } from './device.js';
export * from './ops/index.js';
export * from './nn/index.js';
export * from './optim/index.js';
