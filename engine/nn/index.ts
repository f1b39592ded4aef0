export { Module, ParameterReader, type ParameterSource } from './module.js';
export { parameter, fanInUniform, constantParameter } from './parameter.js';
export { Conv2d, Linear, InstanceNorm2d, AvgPool2d, ReLU, Flatten, Sequential, type Conv2dOptions, type LinearOptions } from './layers.js';
export { ConvNet, type ConvNetOptions } from './convnet.js';
