// Kernel table for the baseline (SSE2 on x86-64, NEON/ASIMD on arm64) instruction set; see kernels_impl.h.
#include "kernels_impl.h"

namespace {

using SGemm = Gemm<float, 16, 4, 2>;
using DGemm = Gemm<double, 16, 4, 2>;

const tapeflow::KernelTable table = {
    "generic",
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

const tapeflow::KernelTable* tapeflow::kernels_generic() { return &table; }
