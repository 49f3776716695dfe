// tapeflow native kernels: the table of per-ISA entry points.
//
// Each instruction-set variant (generic/SSE2, AVX2+FMA, AVX-512) is its own translation unit compiled with
// its own -m flags from the same templates (kernels_impl.h); addon.cc picks one table at load time with
// __builtin_cpu_supports. Only the functions below cross translation units, so no code built for a newer
// ISA can be reached on a CPU that lacks it.
#pragma once
#include <cstdint>

namespace tapeflow {

template <typename T>
struct GemmArgs {
  int64_t M, N, K;
  const T* a;  // element (i, k) of op(A) at a[i * rsa + k * csa]
  int64_t rsa, csa;
  const T* b;  // element (k, j) of op(B) at b[k * rsb + j * csb]
  int64_t rsb, csb;
  T* c;  // row-major, element (i, j) at c[i * ldc + j]
  int64_t ldc;
  bool accumulate;  // C += op(A) op(B) instead of C = op(A) op(B)
};

constexpr int kMaxRank = 12;

// An elementwise loop over `rank` collapsed axes; strides in elements (0 for broadcast axes).
struct EwDesc {
  int rank;
  int64_t shape[kMaxRank];
  const void* a;
  int64_t as[kMaxRank];
  const void* b;
  int64_t bs[kMaxRank];
  void* out;  // contiguous
};

enum BinaryKind : int { B_ADD = 0, B_SUB, B_MUL, B_DIV, B_MAXIMUM, B_MINIMUM, B_POW, B_RELU_BACKPROP, B_COUNT };
enum UnaryKind : int {
  U_NEG = 0, U_ABS, U_EXP, U_LOG, U_SQRT, U_RSQRT, U_SQUARE, U_RECIPROCAL, U_TANH, U_SIGMOID, U_RELU,
  U_STEP, U_EXPM1, U_LOG1P, U_IDENTITY, U_SIN, U_COS, U_FLOOR, U_CEIL, U_COUNT
};
enum ReduceKind : int { R_SUM = 0, R_MAX, R_MIN, R_PROD, R_COUNT };

// The float32 Adam step's arrays and coefficients (dst may be src).
struct AdamArgs {
  const float* src;
  float* dst;
  const float* g;
  float* m;
  float* v;
  float b1, b2, c1, c2, stepSize, rootInv, eps;
};
struct KernelTable {
  const char* isa;
  int smr, snr, dmr, dnr;  // micro-tile sizes (threads split on multiples of these)
  void (*sgemm)(const GemmArgs<float>&);
  void (*dgemm)(const GemmArgs<double>&);
  // Elementwise over the output's flat range [begin, end).
  void (*binary_f32)(int kind, const EwDesc&, int64_t begin, int64_t end);
  void (*binary_f64)(int kind, const EwDesc&, int64_t begin, int64_t end);
  void (*unary_f32)(int kind, const EwDesc&, int64_t begin, int64_t end);
  void (*unary_f64)(int kind, const EwDesc&, int64_t begin, int64_t end);
  // x viewed as [outer, inner] contiguous: out[o] = fold over x[o, :], for o in [begin, end).
  void (*reduce_rows_f32)(int kind, const float* x, int64_t inner, float* out, int64_t begin, int64_t end);
  void (*reduce_rows_f64)(int kind, const double* x, int64_t inner, double* out, int64_t begin, int64_t end);
  // x viewed as [outer, inner] contiguous: out[j] = fold over x[:, j], for j in [begin, end).
  void (*reduce_cols_f32)(int kind, const float* x, int64_t outer, int64_t inner, float* out, int64_t begin,
                          int64_t end);
  void (*reduce_cols_f64)(int kind, const double* x, int64_t outer, int64_t inner, double* out,
                          int64_t begin, int64_t end);
  // The float32 Adam step over [begin, end) (see kernels_impl.h).
  void (*adam_f32)(const AdamArgs&, int64_t begin, int64_t end);
};

const KernelTable* kernels_generic();
#if defined(__x86_64__) || defined(_M_X64)
const KernelTable* kernels_avx2();
const KernelTable* kernels_avx512();
#endif

}  // namespace tapeflow
