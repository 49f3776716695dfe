// Convolution/pooling kernel table for the AVX2+FMA instruction set; see conv_impl.h.
#define TF_VB 32
#include "conv_impl.h"

const tapeflow::ConvKernelTable* tapeflow::conv_kernels_avx2() { return &convTable; }
