// Kernel table for the AVX2 + FMA (-mavx2 -mfma) instruction set; see kernels_impl.h.
#include "kernels_impl.h"

namespace {

using SGemm = Gemm<float, 32, 6, 2>;
using DGemm = Gemm<double, 32, 6, 2>;

const tapeflow::KernelTable table = {
    "avx2",
    SGemm::table(),
    DGemm::table(),
    binaryImpl<float>,
    binaryImpl<double>,
    unaryImpl<float>,
    unaryImpl<double>,
    reduceRowsImpl<float>,
    reduceRowsImpl<double>,
    reduceColsImpl<float>,
    reduceColsImpl<double>,
    adamImpl,
    expInPlaceImpl,
};

}  // namespace

const tapeflow::KernelTable* tapeflow::kernels_avx2() { return &table; }
