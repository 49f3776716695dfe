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
// One GEMM of type T, whole (run) or in pieces for threads to deal out: op(A) and op(B) packed into
// panels (MR rows of op(A), NR columns of op(B), each `panelDepth(K)` deep), and tiles of C computed
// from packed panels (see Gemm in kernels_impl.h).
template <typename T>
struct GemmTable {
  int mr, nr;  // micro-tile sizes (threads split on multiples of these)
  void (*run)(const GemmArgs<T>&);
  // Packs op(A)'s row panels [p0, p1) into ap (panel p0 first, each mr * panelDepth(K) long).
  void (*packA)(const GemmArgs<T>& g, int64_t p0, int64_t p1, T* ap);
  // Packs depths [k0, k1) of op(B)'s column panel q into bp (panel q at bp + q * nr * panelDepth(K)).
  void (*packB)(const GemmArgs<T>& g, int64_t q, int64_t k0, int64_t k1, T* bp);
  // C[i0:i1, j0:j1] from packed panels: ap's first panel holds row i0, bp's first column j0 (multiples of
  // mr and nr).
  void (*tile)(const GemmArgs<T>& g, const T* ap, const T* bp, int64_t i0, int64_t i1, int64_t j0, int64_t j1);
  // C[i0:i1, j0:j1] read straight from op(A) and op(B), whose columns must be contiguous (csb == 1).
  void (*tileDirect)(const GemmArgs<T>& g, int64_t i0, int64_t i1, int64_t j0, int64_t j1);
};

// Packed panels are padded to a depth of whole cache lines so that every panel starts aligned.
inline int64_t panelDepth(int64_t K) { return (K + 15) & ~int64_t(15); }

struct KernelTable {
  const char* isa;
  GemmTable<float> sgemm;
  GemmTable<double> dgemm;
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
  // x[i] = exp(x[i]) for i < n, within 2 ulp of the correctly rounded value (the softmax family's).
  void (*exp_f64)(double* x, int64_t n);
};

const KernelTable* kernels_generic();
#if defined(__x86_64__) || defined(_M_X64)
const KernelTable* kernels_avx2();
const KernelTable* kernels_avx512();
#endif

}  // namespace tapeflow
