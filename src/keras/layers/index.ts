/** tf.keras.layers: the base Layer, InputLayer, and every built-in layer. */
export { Input, InputLayer, type InputOptions } from '../engine/input-layer.js';
export { InputSpec, type InputSpecArgs } from '../engine/input-spec.js';
export { type AddWeightOptions, type CallArgs, Layer, type LayerArgs } from '../engine/layer.js';
export {
  MultiHeadAttention,
  type MultiHeadAttentionArgs,
  type MultiHeadAttentionCallArgs,
} from './attention.js';
export {
  Conv1D,
  Conv1D as Convolution1D,
  Conv2D,
  Conv2D as Convolution2D,
  Conv2DTranspose,
  Conv2DTranspose as Convolution2DTranspose,
  type ConvArgs,
  type ConvPadding,
  DepthwiseConv2D,
  type DepthwiseConvArgs,
} from './conv.js';
export {
  Activation,
  type ActivationArgs,
  Dense,
  type DenseArgs,
  Dropout,
  type DropoutArgs,
  Flatten,
  Lambda,
  type LambdaArgs,
  Permute,
  type PermuteArgs,
  RepeatVector,
  Reshape,
  type ReshapeArgs,
} from './core.js';
export { Embedding, type EmbeddingArgs } from './embedding.js';
export {
  Add,
  Average,
  Concatenate,
  type ConcatenateArgs,
  Maximum,
  Minimum,
  Multiply,
  Subtract,
} from './merge.js';
export {
  BatchNormalization,
  type BatchNormalizationArgs,
  LayerNormalization,
  type LayerNormalizationArgs,
} from './normalization.js';
// Keras's short aliases.
export {
  AveragePooling1D,
  AveragePooling1D as AvgPool1D,
  AveragePooling2D,
  AveragePooling2D as AvgPool2D,
  GlobalAveragePooling1D,
  GlobalAveragePooling1D as GlobalAvgPool1D,
  GlobalAveragePooling2D,
  GlobalAveragePooling2D as GlobalAvgPool2D,
  GlobalMaxPooling1D,
  GlobalMaxPooling1D as GlobalMaxPool1D,
  GlobalMaxPooling2D,
  GlobalMaxPooling2D as GlobalMaxPool2D,
  type GlobalPoolingArgs,
  MaxPooling1D,
  MaxPooling1D as MaxPool1D,
  MaxPooling2D,
  MaxPooling2D as MaxPool2D,
  type PoolingArgs,
  ZeroPadding2D,
  type ZeroPaddingArgs,
} from './pooling.js';
export { GRU, type GRUArgs, LSTM, type LSTMArgs, type RNNArgs, SimpleRNN } from './recurrent.js';
export {
  deserialize,
  get,
  type LayerClass,
  registerLayer,
  type SerializedLayer,
  serialize,
} from './serialization.js';
