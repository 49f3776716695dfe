// Convolution/pooling kernel table for the baseline (SSE2 on x86-64, NEON/ASIMD on arm64) instruction set; see conv_impl.h.
#define TF_VB 16
#include "conv_impl.h"

const tapeflow::ConvKernelTable* tapeflow::conv_kernels_generic() { return &convTable; }
