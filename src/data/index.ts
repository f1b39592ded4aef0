// The data side's public API, for Node and the browser alike (Node's folder access: ./node-files.js).
export * from './dataset.js';
export * from './files.js';
export * from './registry.js';
export { loadCifar10, loadCifar100, type Cifar100Options, type CifarSplit } from './cifar.js';
export { loadSvhn, parseSvhnMat, type SvhnSplit } from './svhn.js';
export { loadTinyImageNet, type TinyImageNetOptions, type TinyImageNetSplit } from './tiny-imagenet.js';
export { makeProceduralDataset, type ProceduralOptions } from './procedural.js';
export { decodeJpegPlanar } from './jpeg.js';
export { Prng, hashWords } from './random.js';
export { DataError } from '../io/errors.js';
