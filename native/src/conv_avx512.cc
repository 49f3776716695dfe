// Convolution/pooling kernel table for the AVX-512 instruction set; see conv_impl.h.
#define TF_VB 64
#include "conv_impl.h"

const tapeflow::ConvKernelTable* tapeflow::conv_kernels_avx512() { return &convTable; }
