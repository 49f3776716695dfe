// The kernel templates shared by every ISA translation unit (isa_*.cc). Each includes this file inside
// its own anonymous namespace after defining TF_VB (vector width in bytes) and the micro-tile sizes, and
// compiles it with its own -m flags. Nothing here may use out-of-line templates from the standard library
// (their instantiations are shared between translation units and could carry another ISA's
// instructions), so the helpers below are local.
//
// GEMM: the classic packed scheme. For each NC-wide column block of op(B) and each KC-deep slice, the
// slice is packed into NR-wide micro-panels (zero-padded); for each MC-tall row block of op(A) the block
// is packed into MR-tall micro-panels; then an MR x NR register-blocked micro-kernel (accumulators in
// vector registers, one broadcast of A times NR/L vectors of B per step, fused multiply-adds where the
// ISA has them) runs over every pair of micro-panels. Packing makes any strides (transposes included)
// cost the same.

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "kernels.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#endif

namespace {

using tapeflow::AdamArgs;
using tapeflow::EwDesc;
using tapeflow::GemmArgs;
using tapeflow::GemmTable;
using tapeflow::kMaxRank;
using tapeflow::panelDepth;

inline int64_t imin(int64_t a, int64_t b) { return a < b ? a : b; }

// Per-thread packing buffers, grown on demand and kept for the thread's life (the pool's threads persist).
template <typename T>
struct PackBuffers {
  static thread_local T* a;
  static thread_local int64_t aCap;
  static thread_local T* b;
  static thread_local int64_t bCap;
  static T* get(T*& p, int64_t& cap, int64_t need) {
    if (need > cap) {
      std::free(p);
      int64_t bytes = ((need * (int64_t)sizeof(T) + 63) / 64) * 64;
      p = static_cast<T*>(std::aligned_alloc(64, (size_t)bytes));
      cap = need;
    }
    return p;
  }
};
template <typename T>
thread_local T* PackBuffers<T>::a = nullptr;
template <typename T>
thread_local int64_t PackBuffers<T>::aCap = 0;
template <typename T>
thread_local T* PackBuffers<T>::b = nullptr;
template <typename T>
thread_local int64_t PackBuffers<T>::bCap = 0;

template <typename T, int VB, int MR, int NV>
struct Gemm {
  typedef T V __attribute__((vector_size(VB)));
  static constexpr int L = VB / (int)sizeof(T);
  static constexpr int NR = NV * L;
  // KC: a B micro-panel (KC x NR) takes about half of a 32 KiB L1; MC: an A block about 256 KiB of L2;
  // NC: a B block a few MiB (L3).
#ifndef TF_L1_PANEL
#define TF_L1_PANEL 32768
#endif
  static constexpr int64_t KC0 = TF_L1_PANEL / (NR * (int64_t)sizeof(T));
  static constexpr int64_t KC = KC0 < 128 ? 128 : KC0 > 512 ? 512 : KC0;
  static constexpr int64_t MC = ((262144 / (KC * (int64_t)sizeof(T))) / MR) * MR;
  static constexpr int64_t NC = ((4 << 20) / (KC * (int64_t)sizeof(T)) / NR) * NR;

  static void packA(const T* a, int64_t rsa, int64_t csa, int64_t mc, int64_t kc, T* __restrict dst) {
    for (int64_t i0 = 0; i0 < mc; i0 += MR) {
      const int64_t mr = imin(MR, mc - i0);
      const T* src = a + i0 * rsa;
      if (mr == MR && rsa == 1) {
        for (int64_t k = 0; k < kc; k++) {
          const T* s = src + k * csa;
#pragma GCC unroll 16
          for (int i = 0; i < MR; i++) dst[i] = s[i];
          dst += MR;
        }
      } else if (mr == MR) {
        for (int64_t k = 0; k < kc; k++) {
          const T* s = src + k * csa;
#pragma GCC unroll 16
          for (int i = 0; i < MR; i++) dst[i] = s[i * rsa];
          dst += MR;
        }
      } else {
        for (int64_t k = 0; k < kc; k++) {
          const T* s = src + k * csa;
          for (int i = 0; i < MR; i++) dst[i] = i < mr ? s[i * rsa] : T(0);
          dst += MR;
        }
      }
    }
  }

  static void packB(const T* b, int64_t rsb, int64_t csb, int64_t kc, int64_t nc, T* __restrict dst) {
    for (int64_t j0 = 0; j0 < nc; j0 += NR) {
      const int64_t nr = imin(NR, nc - j0);
      const T* src = b + j0 * csb;
      if (nr == NR && csb == 1) {
        for (int64_t k = 0; k < kc; k++) {
          std::memcpy(dst, src + k * rsb, sizeof(T) * NR);
          dst += NR;
        }
      } else if (nr == NR) {
        for (int64_t k = 0; k < kc; k++) {
          const T* s = src + k * rsb;
          for (int j = 0; j < NR; j++) dst[j] = s[j * csb];
          dst += NR;
        }
      } else {
        for (int64_t k = 0; k < kc; k++) {
          const T* s = src + k * rsb;
          for (int j = 0; j < NR; j++) dst[j] = j < nr ? s[j * csb] : T(0);
          dst += NR;
        }
      }
    }
  }

  // A broadcast from memory (one load-unit micro-op on x86), not a shuffle of a register.
  static inline V splat(const T* p) {
#if defined(__AVX512F__)
    if constexpr (VB == 64) {
      if constexpr (sizeof(T) == 4) return (V)_mm512_set1_ps(*p);
      else return (V)_mm512_set1_pd(*p);
    }
#endif
#if defined(__AVX__)
    if constexpr (VB == 32) {
      if constexpr (sizeof(T) == 4) return (V)_mm256_broadcast_ss(reinterpret_cast<const float*>(p));
      else return (V)_mm256_broadcast_sd(reinterpret_cast<const double*>(p));
    }
#endif
    V v;
#pragma GCC unroll 16
    for (int l = 0; l < L; l++) v[l] = *p;
    return v;
  }

  // C[mr x nr] (+)= the accumulators (the rest of the micro-tile is padding).
  static inline void store(V (&c)[MR][NV], T* C, int64_t ldc, bool acc, int64_t mr, int64_t nr) {
    if (mr == MR && nr == NR) {
#pragma GCC unroll 16
      for (int i = 0; i < MR; i++) {
#pragma GCC unroll 4
        for (int j = 0; j < NV; j++) {
          T* p = C + i * ldc + j * L;
          V v = c[i][j];
          if (acc) {
            V old;
            std::memcpy(&old, p, sizeof(V));
            v += old;
          }
          std::memcpy(p, &v, sizeof(V));
        }
      }
    } else {
      alignas(64) T tmp[MR * NR];
#pragma GCC unroll 16
      for (int i = 0; i < MR; i++)
#pragma GCC unroll 4
        for (int j = 0; j < NV; j++) std::memcpy(tmp + i * NR + j * L, &c[i][j], sizeof(V));
      for (int64_t i = 0; i < mr; i++)
        for (int64_t j = 0; j < nr; j++) {
          T* p = C + i * ldc + j;
          *p = acc ? *p + tmp[i * NR + j] : tmp[i * NR + j];
        }
    }
  }

  // C[mr x nr] (+)= Ap (MR x kc packed) * Bp (kc x NR packed).
  static inline void micro(int64_t kc, const T* __restrict Ap, const T* __restrict Bp, T* C, int64_t ldc,
                           bool acc, int64_t mr, int64_t nr) {
    V c[MR][NV];
#pragma GCC unroll 16
    for (int i = 0; i < MR; i++)
#pragma GCC unroll 4
      for (int j = 0; j < NV; j++) c[i][j] = V{};
    const T* A = static_cast<const T*>(__builtin_assume_aligned(Ap, 16));
    const T* B = static_cast<const T*>(__builtin_assume_aligned(Bp, VB));
    for (int64_t k = 0; k < kc; k++) {
      V b[NV];
#pragma GCC unroll 4
      for (int j = 0; j < NV; j++) b[j] = *reinterpret_cast<const V*>(B + j * L);
#pragma GCC unroll 16
      for (int i = 0; i < MR; i++) {
        const V a = splat(A + i);
#pragma GCC unroll 4
        for (int j = 0; j < NV; j++) c[i][j] += a * b[j];
      }
      A += MR;
      B += NR;
    }
    store(c, C, ldc, acc, mr, nr);
  }

  // A full MR x NR micro-tile straight from the operands, without packing: element (i, k) of op(A) at
  // a[i * rsa + k * csa] (broadcast, so any strides cost the same) and row k of op(B)'s NR columns
  // contiguous at b + k * rsb. For products small enough that packing (a copy of each operand per
  // thread) costs a large share of the multiply-adds.
  static inline void microDirect(int64_t kc, const T* a, int64_t rsa, int64_t csa, const T* b, int64_t rsb,
                                 T* C, int64_t ldc, bool acc) {
    V c[MR][NV];
#pragma GCC unroll 16
    for (int i = 0; i < MR; i++)
#pragma GCC unroll 4
      for (int j = 0; j < NV; j++) c[i][j] = V{};
    const T* rows[MR];
#pragma GCC unroll 16
    for (int i = 0; i < MR; i++) rows[i] = a + i * rsa;
    for (int64_t k = 0; k < kc; k++) {
      V bv[NV];
#pragma GCC unroll 4
      for (int j = 0; j < NV; j++) std::memcpy(&bv[j], b + j * L, sizeof(V));
      const int64_t ko = k * csa;
#pragma GCC unroll 16
      for (int i = 0; i < MR; i++) {
        const V av = splat(rows[i] + ko);
#pragma GCC unroll 4
        for (int j = 0; j < NV; j++) c[i][j] += av * bv[j];
      }
      b += rsb;
    }
    store(c, C, ldc, acc, MR, NR);
  }

  // A product at most one vector wide (a classifier's last layer: N = 10 classes): the packed scheme
  // would fill 10 of a micro-tile's NR columns and pack A for nothing. Here B is packed as K rows of one
  // vector and each group of 8 rows of A runs 8 independent accumulator chains straight from A.
  static constexpr int NM = 8;
  static void narrow(const GemmArgs<T>& g) {
    const int64_t M = g.M, N = g.N, K = g.K;
    T* Bp = PackBuffers<T>::get(PackBuffers<T>::b, PackBuffers<T>::bCap, K * L);
    for (int64_t k = 0; k < K; k++)
      for (int64_t j = 0; j < L; j++) Bp[k * L + j] = j < N ? g.b[k * g.rsb + j * g.csb] : T(0);
    const V* B = reinterpret_cast<const V*>(__builtin_assume_aligned(Bp, VB));
    for (int64_t i0 = 0; i0 < M; i0 += NM) {
      const int64_t rows = imin(NM, M - i0);
      const T* a = g.a + i0 * g.rsa;
      V acc[NM];
#pragma GCC unroll 8
      for (int r = 0; r < NM; r++) acc[r] = V{};
      if (rows == NM) {
        for (int64_t k = 0; k < K; k++) {
          const V bv = B[k];
          const T* ak = a + k * g.csa;
#pragma GCC unroll 8
          for (int r = 0; r < NM; r++) acc[r] += splat(ak + r * g.rsa) * bv;
        }
      } else {
        for (int64_t k = 0; k < K; k++) {
          const V bv = B[k];
          const T* ak = a + k * g.csa;
          for (int64_t r = 0; r < rows; r++) acc[r] += splat(ak + r * g.rsa) * bv;
        }
      }
      for (int64_t r = 0; r < rows; r++) {
        T* c = g.c + (i0 + r) * g.ldc;
        for (int64_t j = 0; j < N; j++) c[j] = g.accumulate ? c[j] + acc[r][j] : acc[r][j];
      }
    }
  }

  // The pieces of a GEMM whose tiles threads take one at a time (see GemmTable): packing over the whole
  // depth, and a tile computed from packed panels.
  static void packAPanels(const GemmArgs<T>& g, int64_t p0, int64_t p1, T* ap) {
    const int64_t depth = panelDepth(g.K);
    for (int64_t p = p0; p < p1 && p * MR < g.M; p++)
      packA(g.a + p * MR * g.rsa, g.rsa, g.csa, imin(MR, g.M - p * MR), g.K, ap + (p - p0) * MR * depth);
  }
  static void packBPanel(const GemmArgs<T>& g, int64_t q, int64_t k0, int64_t k1, T* bp) {
    const int64_t j0 = q * NR;
    packB(g.b + k0 * g.rsb + j0 * g.csb, g.rsb, g.csb, k1 - k0, imin(NR, g.N - j0),
          bp + q * NR * panelDepth(g.K) + k0 * NR);
  }
  static void tile(const GemmArgs<T>& g, const T* ap, const T* bp, int64_t i0, int64_t i1, int64_t j0, int64_t j1) {
    const int64_t depth = panelDepth(g.K);
    for (int64_t pc = 0; pc < g.K; pc += KC) {
      const int64_t kc = imin(KC, g.K - pc);
      const bool acc = g.accumulate || pc > 0;
      for (int64_t jr = j0; jr < j1; jr += NR) {
        const T* b = bp + (jr - j0) * depth + pc * NR;
        for (int64_t ir = i0; ir < i1; ir += MR)
          micro(kc, ap + (ir - i0) * depth + pc * MR, b, g.c + ir * g.ldc + jr, g.ldc, acc, imin(MR, i1 - ir),
                imin(NR, j1 - jr));
      }
    }
  }

  // C[i0:i1, j0:j1] straight from the operands (op(B)'s columns contiguous: csb == 1); micro-tiles cut
  // by the edges of C are packed first.
  static void tileDirect(const GemmArgs<T>& g, int64_t i0, int64_t i1, int64_t j0, int64_t j1) {
    alignas(64) T ap[MR * KC];
    T* bp = nullptr;
    for (int64_t pc = 0; pc < g.K; pc += KC) {
      const int64_t kc = imin(KC, g.K - pc);
      const bool acc = g.accumulate || pc > 0;
      for (int64_t jr = j0; jr < j1; jr += NR) {
        const int64_t nr = imin(NR, j1 - jr);
        const T* b = g.b + pc * g.rsb + jr;
        if (nr < NR) {
          bp = PackBuffers<T>::get(PackBuffers<T>::b, PackBuffers<T>::bCap, KC * NR);
          packB(b, g.rsb, 1, kc, nr, bp);
        }
        for (int64_t ir = i0; ir < i1; ir += MR) {
          const int64_t mr = imin(MR, i1 - ir);
          const T* a = g.a + ir * g.rsa + pc * g.csa;
          T* c = g.c + ir * g.ldc + jr;
          if (mr == MR && nr == NR) {
            microDirect(kc, a, g.rsa, g.csa, b, g.rsb, c, g.ldc, acc);
          } else {
            packA(a, g.rsa, g.csa, mr, kc, ap);
            if (nr == NR) {
              bp = PackBuffers<T>::get(PackBuffers<T>::b, PackBuffers<T>::bCap, KC * NR);
              packB(b, g.rsb, 1, kc, nr, bp);
            }
            micro(kc, ap, bp, c, g.ldc, acc, mr, nr);
          }
        }
      }
    }
  }

  static constexpr GemmTable<T> table() { return {MR, NR, run, packAPanels, packBPanel, tile, tileDirect}; }

  static void run(const GemmArgs<T>& g) {
    const int64_t M = g.M, N = g.N, K = g.K;
    if (M <= 0 || N <= 0) return;
    if (K <= 0) {
      if (!g.accumulate)
        for (int64_t i = 0; i < M; i++) std::memset(g.c + i * g.ldc, 0, sizeof(T) * N);
      return;
    }
    if (N <= L && K >= 8) return narrow(g);
    const int64_t ncMax = imin(NC, ((N + NR - 1) / NR) * NR);
    const int64_t kcMax = imin(KC, K);
    const int64_t mcMax = imin(MC, ((M + MR - 1) / MR) * MR);
    T* Bp = PackBuffers<T>::get(PackBuffers<T>::b, PackBuffers<T>::bCap, ncMax * kcMax);
    T* Ap = PackBuffers<T>::get(PackBuffers<T>::a, PackBuffers<T>::aCap, mcMax * kcMax);
    for (int64_t jc = 0; jc < N; jc += NC) {
      const int64_t nc = imin(NC, N - jc);
      for (int64_t pc = 0; pc < K; pc += KC) {
        const int64_t kc = imin(KC, K - pc);
        const bool acc = g.accumulate || pc > 0;
        packB(g.b + pc * g.rsb + jc * g.csb, g.rsb, g.csb, kc, nc, Bp);
        for (int64_t ic = 0; ic < M; ic += MC) {
          const int64_t mc = imin(MC, M - ic);
          packA(g.a + ic * g.rsa + pc * g.csa, g.rsa, g.csa, mc, kc, Ap);
          for (int64_t jr = 0; jr < nc; jr += NR) {
            const int64_t nr = imin(NR, nc - jr);
            const T* bp = Bp + jr * kc;
            for (int64_t ir = 0; ir < mc; ir += MR) {
              const int64_t mr = imin(MR, mc - ir);
              micro(kc, Ap + ir * kc, bp, g.c + (ic + ir) * g.ldc + jc + jr, g.ldc, acc, mr, nr);
            }
          }
        }
      }
    }
  }
};

// ---- elementwise ------------------------------------------------------------------------------------

template <typename T, typename F>
void ewBinary(const EwDesc& d, int64_t begin, int64_t end, F f) {
  const int r = d.rank;
  const int64_t inner = d.shape[r - 1];
  const T* A = static_cast<const T*>(d.a);
  const T* B = static_cast<const T*>(d.b);
  T* __restrict O = static_cast<T*>(d.out) + begin;
  int64_t idx[kMaxRank];
  int64_t rest = begin / inner;
  int64_t j = begin - rest * inner;
  int64_t ao = 0, bo = 0;
  for (int ax = r - 2; ax >= 0; --ax) {
    idx[ax] = rest % d.shape[ax];
    rest /= d.shape[ax];
    ao += idx[ax] * d.as[ax];
    bo += idx[ax] * d.bs[ax];
  }
  const int64_t ai = d.as[r - 1], bi = d.bs[r - 1];
  int64_t left = end - begin;
  while (left > 0) {
    const int64_t n = imin(inner - j, left);
    const T* __restrict pa = A + ao + j * ai;
    const T* __restrict pb = B + bo + j * bi;
    if (ai == 1 && bi == 1) {
      for (int64_t i = 0; i < n; i++) O[i] = f(pa[i], pb[i]);
    } else if (ai == 1 && bi == 0) {
      const T bv = *pb;
      for (int64_t i = 0; i < n; i++) O[i] = f(pa[i], bv);
    } else if (ai == 0 && bi == 1) {
      const T av = *pa;
      for (int64_t i = 0; i < n; i++) O[i] = f(av, pb[i]);
    } else {
      for (int64_t i = 0; i < n; i++) O[i] = f(pa[i * ai], pb[i * bi]);
    }
    O += n;
    left -= n;
    j = 0;
    for (int ax = r - 2; ax >= 0; --ax) {
      idx[ax]++;
      ao += d.as[ax];
      bo += d.bs[ax];
      if (idx[ax] < d.shape[ax]) break;
      ao -= d.as[ax] * d.shape[ax];
      bo -= d.bs[ax] * d.shape[ax];
      idx[ax] = 0;
    }
  }
}

template <typename T, typename F>
void ewUnary(const EwDesc& d, int64_t begin, int64_t end, F f) {
  const int r = d.rank;
  const int64_t inner = d.shape[r - 1];
  const T* A = static_cast<const T*>(d.a);
  T* __restrict O = static_cast<T*>(d.out) + begin;
  int64_t idx[kMaxRank];
  int64_t rest = begin / inner;
  int64_t j = begin - rest * inner;
  int64_t ao = 0;
  for (int ax = r - 2; ax >= 0; --ax) {
    idx[ax] = rest % d.shape[ax];
    rest /= d.shape[ax];
    ao += idx[ax] * d.as[ax];
  }
  const int64_t ai = d.as[r - 1];
  int64_t left = end - begin;
  while (left > 0) {
    const int64_t n = imin(inner - j, left);
    const T* __restrict pa = A + ao + j * ai;
    if (ai == 1) {
      for (int64_t i = 0; i < n; i++) O[i] = f(pa[i]);
    } else {
      for (int64_t i = 0; i < n; i++) O[i] = f(pa[i * ai]);
    }
    O += n;
    left -= n;
    j = 0;
    for (int ax = r - 2; ax >= 0; --ax) {
      idx[ax]++;
      ao += d.as[ax];
      if (idx[ax] < d.shape[ax]) break;
      ao -= d.as[ax] * d.shape[ax];
      idx[ax] = 0;
    }
  }
}

// JavaScript's Math.pow differs from C's pow on a NaN exponent and on (+-1) ** +-Infinity: both NaN.
inline double jsPow(double a, double b) {
  if (b != b) return b;
  if ((a == 1.0 || a == -1.0) && (b == INFINITY || b == -INFINITY)) return NAN;
  return ::pow(a, b);
}

template <typename T>
void binaryImpl(int kind, const EwDesc& d, int64_t begin, int64_t end) {
  switch (kind) {
    case tapeflow::B_ADD:
      return ewBinary<T>(d, begin, end, [](T a, T b) { return a + b; });
    case tapeflow::B_SUB:
      return ewBinary<T>(d, begin, end, [](T a, T b) { return a - b; });
    case tapeflow::B_MUL:
      return ewBinary<T>(d, begin, end, [](T a, T b) { return a * b; });
    case tapeflow::B_DIV:
      return ewBinary<T>(d, begin, end, [](T a, T b) { return a / b; });
    case tapeflow::B_MAXIMUM:
      return ewBinary<T>(d, begin, end, [](T a, T b) { return (a > b || a != a) ? a : b; });
    case tapeflow::B_MINIMUM:
      return ewBinary<T>(d, begin, end, [](T a, T b) { return (a < b || a != a) ? a : b; });
    case tapeflow::B_POW:
      return ewBinary<T>(d, begin, end, [](T a, T b) { return (T)jsPow((double)a, (double)b); });
    case tapeflow::B_RELU_BACKPROP:
      return ewBinary<T>(d, begin, end, [](T a, T b) { return b > T(0) ? a : T(0); });
    default:
      return;
  }
}

// Transcendentals are evaluated in double and rounded once, as the JS backend does.
template <typename T>
void unaryImpl(int kind, const EwDesc& d, int64_t begin, int64_t end) {
  switch (kind) {
    case tapeflow::U_NEG:
      return ewUnary<T>(d, begin, end, [](T a) { return -a; });
    case tapeflow::U_ABS:
      return ewUnary<T>(d, begin, end, [](T a) { return a < 0 ? -a : a == 0 ? T(0) : a; });
    case tapeflow::U_EXP:
      return ewUnary<T>(d, begin, end, [](T a) { return (T)::exp((double)a); });
    case tapeflow::U_LOG:
      return ewUnary<T>(d, begin, end, [](T a) { return (T)::log((double)a); });
    case tapeflow::U_SQRT:
      return ewUnary<T>(d, begin, end, [](T a) { return (T)::sqrt((double)a); });
    case tapeflow::U_RSQRT:
      return ewUnary<T>(d, begin, end, [](T a) { return (T)(1.0 / ::sqrt((double)a)); });
    case tapeflow::U_SQUARE:
      return ewUnary<T>(d, begin, end, [](T a) { return a * a; });
    case tapeflow::U_RECIPROCAL:
      return ewUnary<T>(d, begin, end, [](T a) { return T(1) / a; });
    case tapeflow::U_TANH:
      return ewUnary<T>(d, begin, end, [](T a) { return (T)::tanh((double)a); });
    case tapeflow::U_SIGMOID:
      return ewUnary<T>(d, begin, end, [](T a) {
        const double x = a;
        return (T)(x >= 0 ? 1.0 / (1.0 + ::exp(-x)) : ::exp(x) / (1.0 + ::exp(x)));
      });
    case tapeflow::U_RELU:
      return ewUnary<T>(d, begin, end, [](T a) { return a > 0 ? a : a == a ? T(0) : a; });
    case tapeflow::U_STEP:
      return ewUnary<T>(d, begin, end, [](T a) { return a > 0 ? T(1) : T(0); });
    case tapeflow::U_EXPM1:
      return ewUnary<T>(d, begin, end, [](T a) { return (T)::expm1((double)a); });
    case tapeflow::U_LOG1P:
      return ewUnary<T>(d, begin, end, [](T a) { return (T)::log1p((double)a); });
    case tapeflow::U_IDENTITY:
      return ewUnary<T>(d, begin, end, [](T a) { return a; });
    case tapeflow::U_SIN:
      return ewUnary<T>(d, begin, end, [](T a) { return (T)::sin((double)a); });
    case tapeflow::U_COS:
      return ewUnary<T>(d, begin, end, [](T a) { return (T)::cos((double)a); });
    case tapeflow::U_FLOOR:
      return ewUnary<T>(d, begin, end, [](T a) { return (T)::floor((double)a); });
    case tapeflow::U_CEIL:
      return ewUnary<T>(d, begin, end, [](T a) { return (T)::ceil((double)a); });
    default:
      return;
  }
}

// ---- reductions -------------------------------------------------------------------------------------
// Sums and products accumulate in double (as the JS backend does); max/min return NaN when any input is
// NaN and -Infinity/+Infinity for an empty fold.

template <typename T>
double sumRow(const T* x, int64_t n) {
  double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
#pragma GCC unroll 8
    for (int l = 0; l < 8; l++) acc[l] += (double)x[i + l];
  double s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
  for (; i < n; i++) s += (double)x[i];
  return s;
}

template <typename T, bool IsMax>
T extremeRow(const T* x, int64_t n) {
  T m[8];
  bool nan = false;
  for (int l = 0; l < 8; l++) m[l] = IsMax ? -INFINITY : INFINITY;
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
#pragma GCC unroll 8
    for (int l = 0; l < 8; l++) {
      const T v = x[i + l];
      nan |= v != v;
      m[l] = IsMax ? (v > m[l] ? v : m[l]) : (v < m[l] ? v : m[l]);
    }
  }
  T r = m[0];
  for (int l = 1; l < 8; l++) r = IsMax ? (m[l] > r ? m[l] : r) : (m[l] < r ? m[l] : r);
  for (; i < n; i++) {
    const T v = x[i];
    nan |= v != v;
    r = IsMax ? (v > r ? v : r) : (v < r ? v : r);
  }
  return nan ? (T)NAN : r;
}

template <typename T>
void reduceRowsImpl(int kind, const T* x, int64_t inner, T* out, int64_t begin, int64_t end) {
  for (int64_t o = begin; o < end; o++) {
    const T* row = x + o * inner;
    switch (kind) {
      case tapeflow::R_SUM:
        out[o] = (T)sumRow(row, inner);
        break;
      case tapeflow::R_MAX:
        out[o] = extremeRow<T, true>(row, inner);
        break;
      case tapeflow::R_MIN:
        out[o] = extremeRow<T, false>(row, inner);
        break;
      case tapeflow::R_PROD: {
        double p = 1;
        for (int64_t i = 0; i < inner; i++) p *= (double)row[i];
        out[o] = (T)p;
        break;
      }
      default:
        break;
    }
  }
}

template <typename T>
void reduceColsImpl(int kind, const T* x, int64_t outer, int64_t inner, T* out, int64_t begin, int64_t end) {
  constexpr int64_t BLK = 512;
  double acc[BLK];
  bool nan[BLK];
  for (int64_t j0 = begin; j0 < end; j0 += BLK) {
    const int64_t nb = imin(BLK, end - j0);
    const double init = kind == tapeflow::R_MAX ? -INFINITY : kind == tapeflow::R_MIN ? INFINITY
                        : kind == tapeflow::R_PROD ? 1.0 : 0.0;
    for (int64_t j = 0; j < nb; j++) {
      acc[j] = init;
      nan[j] = false;
    }
    for (int64_t r = 0; r < outer; r++) {
      const T* row = x + r * inner + j0;
      switch (kind) {
        case tapeflow::R_SUM:
          for (int64_t j = 0; j < nb; j++) acc[j] += (double)row[j];
          break;
        case tapeflow::R_PROD:
          for (int64_t j = 0; j < nb; j++) acc[j] *= (double)row[j];
          break;
        case tapeflow::R_MAX:
          for (int64_t j = 0; j < nb; j++) {
            const double v = row[j];
            nan[j] |= v != v;
            acc[j] = v > acc[j] ? v : acc[j];
          }
          break;
        case tapeflow::R_MIN:
          for (int64_t j = 0; j < nb; j++) {
            const double v = row[j];
            nan[j] |= v != v;
            acc[j] = v < acc[j] ? v : acc[j];
          }
          break;
        default:
          break;
      }
    }
    for (int64_t j = 0; j < nb; j++) out[j0 + j] = nan[j] ? (T)NAN : (T)acc[j];
  }
}

// ---- Adam ---------------------------------------------------------------------------------------------
// The float32 step of src/optimizers/rules/adam-simd.ts over [begin, end), as wide as the ISA allows:
//   m = b1 m + c1 g;  v = b2 v + c2 g g;  p = p - stepSize * (m / (sqrt(v) * rootInv + eps))
// Every operation is a correctly rounded IEEE one in the same order as the scalar loop and none is fused
// (fp-contract off: a multiply-add would round once instead of twice), so each ISA gives the same bits as
// the JS and WebAssembly kernels. dst may be src; the other arrays are distinct.
#if defined(__AVX512F__)
typedef float AdamVec __attribute__((vector_size(64)));
inline AdamVec adamSqrt(AdamVec x) { return (AdamVec)_mm512_sqrt_ps((__m512)x); }
#elif defined(__AVX__)
typedef float AdamVec __attribute__((vector_size(32)));
inline AdamVec adamSqrt(AdamVec x) { return (AdamVec)_mm256_sqrt_ps((__m256)x); }
#elif defined(__SSE2__)
typedef float AdamVec __attribute__((vector_size(16)));
inline AdamVec adamSqrt(AdamVec x) { return (AdamVec)_mm_sqrt_ps((__m128)x); }
#else
typedef float AdamVec __attribute__((vector_size(16)));
inline AdamVec adamSqrt(AdamVec x) {
  for (int l = 0; l < 4; l++) x[l] = std::sqrt(x[l]);
  return x;
}
#endif

__attribute__((optimize("fp-contract=off"))) void adamImpl(const AdamArgs& a, int64_t begin, int64_t end) {
  constexpr int L = sizeof(AdamVec) / sizeof(float);
  auto load = [](const float* p) {
    AdamVec x;
    std::memcpy(&x, p, sizeof(AdamVec));
    return x;
  };
  auto store = [](float* p, AdamVec x) { std::memcpy(p, &x, sizeof(AdamVec)); };
  const float b1 = a.b1, b2 = a.b2, c1 = a.c1, c2 = a.c2, stepSize = a.stepSize, rootInv = a.rootInv,
              eps = a.eps;
  int64_t i = begin;
  for (; i + L <= end; i += L) {
    const AdamVec gi = load(a.g + i);
    const AdamVec mi = load(a.m + i) * b1 + gi * c1;
    const AdamVec vi = load(a.v + i) * b2 + (gi * gi) * c2;
    store(a.m + i, mi);
    store(a.v + i, vi);
    store(a.dst + i, load(a.src + i) - stepSize * (mi / (adamSqrt(vi) * rootInv + eps)));
  }
  for (; i < end; i++) {
    const float gi = a.g[i];
    const float mi = a.m[i] * b1 + gi * c1;
    const float vi = a.v[i] * b2 + (gi * gi) * c2;
    a.m[i] = mi;
    a.v[i] = vi;
    a.dst[i] = a.src[i] - stepSize * (mi / (std::sqrt(vi) * rootInv + eps));
  }
}

// exp in double precision over GCC vectors of the unit's widest width (a call to libm's exp per element
// cost the fused sparse cross-entropy most of its time). x = k ln2 + r with |r| <= ln2/2 (Cody-Waite: ln2
// in a 32-bit high part whose product with k is exact, and a low part), exp(r) by its Taylor polynomial to
// degree 13 (truncation below 2^-57 relative), then 2^k as two factors 2^k1 2^k2 so that subnormal
// results come out right. NaN stays NaN, -inf and x < -746 give 0, x > 710 gives +inf.
#if defined(__AVX512F__)
typedef double ExpVec __attribute__((vector_size(64)));
typedef int64_t ExpInts __attribute__((vector_size(64)));
#elif defined(__AVX__)
typedef double ExpVec __attribute__((vector_size(32)));
typedef int64_t ExpInts __attribute__((vector_size(32)));
#else
typedef double ExpVec __attribute__((vector_size(16)));
typedef int64_t ExpInts __attribute__((vector_size(16)));
#endif

inline ExpVec splat(double d) {
  ExpVec v;
  for (size_t l = 0; l < sizeof(ExpVec) / sizeof(double); l++) v[l] = d;
  return v;
}

inline ExpVec expVec(ExpVec v) {
  constexpr double kLog2e = 1.4426950408889634, kLn2Hi = 0.693147180369123816490;
  constexpr double kLn2Lo = 1.90821492927058770002e-10;
  constexpr double kShift = 6755399441055744.0;  // 1.5 * 2^52: adding it rounds to an integer in the low bits
  const ExpVec lo = splat(-746.0), hi = splat(710.0);
  // Comparisons false for NaN, which passes through.
  v = v < lo ? lo : v;
  v = v > hi ? hi : v;
  const ExpVec t = v * kLog2e + kShift;
  const ExpVec k = t - kShift;
  const ExpVec r = (v - k * kLn2Hi) - k * kLn2Lo;
  ExpVec p = r * (1.0 / 6227020800.0) + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  const ExpVec shift = splat(kShift);
  const ExpInts ki = (ExpInts)t - (ExpInts)shift;  // k as an integer, |k| <= 1076
  const ExpInts k1 = ki >> 1, k2 = ki - k1;       // both in [-538, 538]
  const ExpVec s1 = (ExpVec)((k1 + 1023) << 52), s2 = (ExpVec)((k2 + 1023) << 52);
  return p * s1 * s2;
}

void expInPlaceImpl(double* x, int64_t n) {
  constexpr int L = sizeof(ExpVec) / sizeof(double);
  int64_t i = 0;
  for (; i + L <= n; i += L) {
    ExpVec v;
    std::memcpy(&v, x + i, sizeof v);
    v = expVec(v);
    std::memcpy(x + i, &v, sizeof v);
  }
  if (i < n) {
    // The tail through one more vector, so that every element takes the same arithmetic.
    ExpVec v = {};
    std::memcpy(&v, x + i, sizeof(double) * (n - i));
    v = expVec(v);
    std::memcpy(x + i, &v, sizeof(double) * (n - i));
  }
}

}  // namespace
