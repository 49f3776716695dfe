// tapeflow native convolution and pooling kernels: the per-ISA table (see conv_impl.h), chosen at load
// time next to the GEMM/elementwise table of kernels.h.
#pragma once
#include <cstdint>

namespace tapeflow {

// NHWC input [N, H, W, C], HWIO filter [FH, FW, C, CO], output [N, OH, OW, CO].
struct ConvGeom {
  int64_t N, H, W, C, FH, FW, CO, SH, SW, DH, DW, padTop, padBottom, padLeft, padRight, OH, OW;
};

enum ConvActivation : int { ACT_NONE = 0, ACT_RELU = 1 };

template <typename T>
using ConvForwardFn = void (*)(const T* x, const T* paddedFilter, int64_t COp, const T* paddedBias, int act,
                               T* y, const ConvGeom& g, int64_t p0, int64_t p1, T* taps);
template <typename T>
using ConvFilterFn = void (*)(const T* x, const T* dy, const T* mask, T* paddedGrad, int64_t COp,
                              const ConvGeom& g, int64_t p0, int64_t p1, T* taps);
template <typename T>
using MaxPoolFn = void (*)(const T* x, T* y, int32_t* argmax, const ConvGeom& g, int64_t r0, int64_t r1);

template <typename T>
using MaxPoolBandFn = void (*)(const T* band, int64_t lo, int64_t hi, int64_t top, int64_t base, T* out,
                               int32_t* argmax, const ConvGeom& pg, int64_t OW, int64_t C);

template <typename T>
using RouteBandFn = void (*)(const T* dP, const T* mask, const int32_t* argmax, T* band, int64_t lo, int64_t hi,
                             int64_t top, int64_t base, const ConvGeom& pg, int64_t OW, int64_t C);

struct ConvKernelTable {
  int vectorBytes;  // the filter copies are padded to a multiple of this many bytes per row
  // Direct convolution of output pixels [p0, p1) (a pixel = one (n, oh, ow)) into y, which points at pixel
  // p0's row (so that a caller can direct a band of pixels into a small buffer); bias may be null.
  ConvForwardFn<float> forward_f32;
  ConvForwardFn<double> forward_f64;
  // Adds the filter gradient of pixels [p0, p1) into rows [0, FH*FW*C) of a [FH*FW*C + 1, COp] buffer and
  // the bias gradient into its last row; with a mask, the gradient is dy where mask > 0 (relu's).
  ConvFilterFn<float> filter_f32;
  ConvFilterFn<double> filter_f64;
  // Max pooling of output rows [r0, r1) (a row = one (n, oh)), with the flat index of each winner.
  MaxPoolFn<float> maxpool_f32;
  MaxPoolFn<double> maxpool_f64;
  // One pooled row of conv + max pool fused: pooling over convolution rows [lo, hi) held in a band buffer
  // of [hi - lo, OW, C] (window rows from `top`), winners as flat indices band index + base.
  MaxPoolBandFn<float> maxpoolBand_f32;
  MaxPoolBandFn<double> maxpoolBand_f64;
  // Its gradient: one pooled row's gradient (masked where mask <= 0, when given) added into the zeroed band
  // at the winners.
  RouteBandFn<float> routeBand_f32;
  RouteBandFn<double> routeBand_f64;
};

const ConvKernelTable* conv_kernels_generic();
#if defined(__x86_64__) || defined(_M_X64)
const ConvKernelTable* conv_kernels_avx2();
const ConvKernelTable* conv_kernels_avx512();
#endif

}  // namespace tapeflow
