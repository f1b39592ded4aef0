// The shapes of a Hierarchical Memory Network. Everything that is stored counts against the budget:
// the three memories, the per-class feature extractors and the shared decoder.

export interface ImageShape {
  channels: number;
  height: number;
  width: number;
}

export interface HmnConfig {
  image: ImageShape;
  classes: number;
  /** Spatial size of every memory (the decoder upsamples it to the image size by powers of two). */
  memorySize: number;
  /** Channels of the one dataset-level memory [datasetChannels, memorySize, memorySize]. */
  datasetChannels: number;
  /** Channels of each class-level memory. */
  classChannels: number;
  /** Channels of each instance-level memory (one per generated image). */
  instanceChannels: number;
  /** Output channels of each class's feature extractor (a conv over the dataset memory). */
  extractorChannels: number;
  /** Kernel size of the extractors: 3 mixes space too; 1 keeps them cheap when there are many classes. */
  extractorKernel: 1 | 3;
  /** Channels of the decoder's upsampling stages; their count is log2(image / memorySize). */
  decoderChannels: number[];
  /** Generated images per class (GIPC): the number of instance memories of each class. */
  imagesPerClass: number;
}

export const DECODER_KERNEL = 3;

export function validateConfig(c: HmnConfig): void {
  const fail = (msg: string) => {
    throw new Error(`invalid HMN configuration: ${msg}`);
  };
  for (const [k, v] of Object.entries({
    classes: c.classes, memorySize: c.memorySize, datasetChannels: c.datasetChannels, classChannels: c.classChannels,
    instanceChannels: c.instanceChannels, extractorChannels: c.extractorChannels, imagesPerClass: c.imagesPerClass,
  })) {
    if (!Number.isInteger(v) || v < 1) fail(`${k} must be a positive integer, got ${v}`);
  }
  if (c.extractorKernel !== 1 && c.extractorKernel !== 3) fail(`extractorKernel must be 1 or 3, got ${c.extractorKernel}`);
  const { height, width } = c.image;
  if (height !== width) fail(`images must be square, got ${height}x${width}`);
  const stages = Math.log2(height / c.memorySize);
  if (!Number.isInteger(stages) || stages < 1) fail(`image size ${height} must be memorySize ${c.memorySize} times a power of two (>= 2)`);
  if (c.decoderChannels.length !== stages) {
    fail(`${stages} upsampling stages take ${height / c.memorySize}x from ${c.memorySize} to ${height}, but decoderChannels has ${c.decoderChannels.length} entries`);
  }
}
