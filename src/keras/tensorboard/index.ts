/** TensorBoard event files (TFRecord framing, Event protobufs) and Keras's TensorBoard callback. */
export { TensorBoard, type TensorBoardOptions } from './callback.js';
export { crc32c, maskCrc, maskedCrc32c } from './crc32c.js';
export { FILE_VERSION, fileVersionEvent, type Scalar, scalarsEvent } from './events.js';
export { ProtoWriter } from './protobuf.js';
export { encodeRecord } from './records.js';
export { EventFileWriter } from './writer.js';
