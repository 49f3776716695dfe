import './methods.js';

export { type BackwardOptions, backward, detach } from './backward.js';
export { backprop } from './engine.js';
export * from './functional.js';
export { type GradcheckOptions, type GradcheckReport, gradcheck, gradgradcheck } from './gradcheck.js';
export { type GradientOptions, GradientTape, type GradientTapeOptions, isRecording } from './tape.js';
