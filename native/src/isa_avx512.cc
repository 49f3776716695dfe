// Kernel table for the AVX-512 (-mavx512f -mavx512bw -mavx512vl -mfma) instruction set; see kernels_impl.h.
#include "kernels_impl.h"

namespace {

using SGemm = Gemm<float, 64, 8, 2>;
using DGemm = Gemm<double, 64, 8, 2>;

const tapeflow::KernelTable table = {
    "avx512",
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

const tapeflow::KernelTable* tapeflow::kernels_avx512() { return &table; }
