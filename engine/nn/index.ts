export { Module, parameter, defaultInit } from './module.js';
export { ConvNet, type ConvNetOptions } from './convnet.js';
