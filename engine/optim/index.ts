export { SGD, Adam, cosineLR, stepLR, type SGDOptions, type AdamOptions } from './optimizers.js';
