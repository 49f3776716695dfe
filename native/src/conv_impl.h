// Convolution and pooling kernels shared by every ISA translation unit (conv_*.cc), each including this
// file after defining TF_VB (vector width in bytes) and compiling it with its own -m flags. Same rule as
// kernels_impl.h: no out-of-line standard-library templates, so no instruction of a newer ISA can leak.
//
// Why direct kernels: a first convolution layer has few input channels (1 for grayscale images), so the
// im2col reduction K = FH*FW*C is tiny (9 for 3x3x1). A GEMM over K = 9 spends its time packing and
// storing tiles; here every output pixel keeps its CO-wide row in vector registers and each tap is one
// broadcast times the filter row, so the pass runs at the speed of writing the output. The filter
// gradient is the same loop turned around: each tap's CO-wide gradient row is an accumulator.

#include <cmath>
#include <cstdint>
#include <cstring>

#include "conv_kernels.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#endif

namespace {

using tapeflow::ConvGeom;

inline int64_t cmin(int64_t a, int64_t b) { return a < b ? a : b; }

template <typename T>
struct Conv {
  typedef T V __attribute__((vector_size(TF_VB)));
  static constexpr int L = TF_VB / (int)sizeof(T);

  static inline V load(const T* p) {
    V v;
    std::memcpy(&v, p, sizeof(V));
    return v;
  }
  static inline void store(T* p, V v) { std::memcpy(p, &v, sizeof(V)); }
  // One broadcast instruction (GCC lowers a lane-by-lane fill to a masked insert per lane).
  static inline V splat(T s) {
#if defined(__AVX512F__)
    if constexpr (TF_VB == 64) {
      if constexpr (sizeof(T) == 4) return (V)_mm512_set1_ps(s);
      else return (V)_mm512_set1_pd(s);
    }
#endif
#if defined(__AVX__)
    if constexpr (TF_VB == 32) {
      if constexpr (sizeof(T) == 4) return (V)_mm256_set1_ps(s);
      else return (V)_mm256_set1_pd(s);
    }
#endif
#if defined(__SSE2__)
    if constexpr (TF_VB == 16) {
      if constexpr (sizeof(T) == 4) return (V)_mm_set1_ps(s);
      else return (V)_mm_set1_pd(s);
    }
#endif
    V v;
#pragma GCC unroll 16
    for (int l = 0; l < L; l++) v[l] = s;
    return v;
  }

  // Walks output pixels in order (a pixel = one (n, oh, ow)) and yields the input values under every tap,
  // in filter order (kh, kw, ci), 0 outside the image. Counters advance instead of dividing per pixel, and
  // pixels whose window lies inside the image read through precomputed tap offsets.
  struct Taps {
    const T* x;
    const ConvGeom& g;
    int64_t n, oh, ow;
    const int64_t* offsets;  // [Kk] input offsets of the taps from the window's corner
    Taps(const T* x_, const ConvGeom& g_, int64_t p, const int64_t* offsets_) : x(x_), g(g_), offsets(offsets_) {
      const int64_t plane = g.OH * g.OW;
      n = p / plane;
      oh = (p % plane) / g.OW;
      ow = p % g.OW;
    }
    void next() {
      if (++ow == g.OW) {
        ow = 0;
        if (++oh == g.OH) {
          oh = 0;
          n++;
        }
      }
    }
    // The window corner of this pixel when it and the next count - 1 pixels lie in one output row with
    // their windows inside the image (then tap t of pixel i is at corner + i * SW * C + offsets[t]).
    const T* run(int64_t count) const {
      const int64_t ih0 = oh * g.SH - g.padTop, iw0 = ow * g.SW - g.padLeft;
      if (ow + count > g.OW || ih0 < 0 || iw0 < 0 || ih0 + (g.FH - 1) * g.DH >= g.H ||
          iw0 + (count - 1) * g.SW + (g.FW - 1) * g.DW >= g.W)
        return nullptr;
      return x + n * g.H * g.W * g.C + (ih0 * g.W + iw0) * g.C;
    }
    void gather(T* taps) const {
      const int64_t ih0 = oh * g.SH - g.padTop, iw0 = ow * g.SW - g.padLeft;
      const int64_t Kk = g.FH * g.FW * g.C;
      const T* image = x + n * g.H * g.W * g.C;
      const bool inside = ih0 >= 0 && iw0 >= 0 && ih0 + (g.FH - 1) * g.DH < g.H && iw0 + (g.FW - 1) * g.DW < g.W;
      if (inside) {
        const T* corner = image + (ih0 * g.W + iw0) * g.C;
        for (int64_t t = 0; t < Kk; t++) taps[t] = corner[offsets[t]];
        return;
      }
      int64_t t = 0;
      for (int64_t kh = 0; kh < g.FH; kh++) {
        const int64_t ih = ih0 + kh * g.DH;
        const bool rowIn = ih >= 0 && ih < g.H;
        for (int64_t kw = 0; kw < g.FW; kw++) {
          const int64_t iw = iw0 + kw * g.DW;
          if (rowIn && iw >= 0 && iw < g.W) {
            const T* src = image + (ih * g.W + iw) * g.C;
            for (int64_t c = 0; c < g.C; c++) taps[t++] = src[c];
          } else {
            for (int64_t c = 0; c < g.C; c++) taps[t++] = T(0);
          }
        }
      }
    }
  };

  // Offsets of every tap from the window's corner, in filter order.
  static const int64_t* tapOffsets(const ConvGeom& g, int64_t* out) {
    int64_t t = 0;
    for (int64_t kh = 0; kh < g.FH; kh++)
      for (int64_t kw = 0; kw < g.FW; kw++)
        for (int64_t c = 0; c < g.C; c++) out[t++] = (kh * g.DH * g.W + kw * g.DW) * g.C + c;
    return out;
  }

  // y[p, co0 : co0 + NV*L] for pixels [p0, p1): fp is the filter's [Kk, COp] zero-padded copy. PX pixels
  // at a time, so that PX * NV independent accumulator chains hide the FMA latency (a single pixel's
  // chain over 9 taps would wait on every add) and each filter row loaded serves PX pixels.
  template <int NV>
  static void forwardChunk(const T* x, const T* fp, int64_t COp, const T* biasp, int act, T* y,
                           const ConvGeom& g, int64_t co0, int64_t p0, int64_t p1, T* taps, const int64_t* offsets) {
    constexpr int PX = NV <= 2 ? 4 : 2;
    const int64_t Kk = g.FH * g.FW * g.C;
    const int64_t width = cmin(NV * L, g.CO - co0);
    V bias[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; v++) bias[v] = biasp ? load(biasp + co0 + v * L) : V{};
    const int64_t pixelStep = g.SW * g.C;
    Taps walk(x, g, p0, offsets);
    for (int64_t p = p0; p < p1; p += PX) {
      const int px = (int)cmin(PX, p1 - p);
      V acc[PX][NV];
#pragma GCC unroll 4
      for (int i = 0; i < PX; i++)
#pragma GCC unroll 4
        for (int v = 0; v < NV; v++) acc[i][v] = bias[v];
      const T* f = fp + co0;
      // Inside the image (almost every pixel of a large one) the taps are broadcast straight from x;
      // elsewhere they are gathered first, with zeros for the padding.
      const T* corner = px == PX ? walk.run(PX) : nullptr;
      if (corner != nullptr) {
        for (int i = 0; i < PX; i++) walk.next();
        for (int64_t t = 0; t < Kk; t++, f += COp) {
          V w[NV];
#pragma GCC unroll 4
          for (int v = 0; v < NV; v++) w[v] = load(f + v * L);
          const T* tap = corner + offsets[t];
#pragma GCC unroll 4
          for (int i = 0; i < PX; i++) {
            const V a = splat(tap[i * pixelStep]);
#pragma GCC unroll 4
            for (int v = 0; v < NV; v++) acc[i][v] += a * w[v];
          }
        }
      } else {
        for (int i = 0; i < PX; i++) {
          if (i < px) {
            walk.gather(taps + i * Kk);
            walk.next();
          } else {
            std::memset(taps + i * Kk, 0, sizeof(T) * Kk);
          }
        }
        for (int64_t t = 0; t < Kk; t++, f += COp) {
          V w[NV];
#pragma GCC unroll 4
          for (int v = 0; v < NV; v++) w[v] = load(f + v * L);
#pragma GCC unroll 4
          for (int i = 0; i < PX; i++) {
            const V a = splat(taps[i * Kk + t]);
#pragma GCC unroll 4
            for (int v = 0; v < NV; v++) acc[i][v] += a * w[v];
          }
        }
      }
      for (int i = 0; i < px; i++) {
        if (act == tapeflow::ACT_RELU) {
          // NaN stays NaN, as the relu op does (a NaN compares unequal to itself).
#pragma GCC unroll 4
          for (int v = 0; v < NV; v++) acc[i][v] = (acc[i][v] > V{} || acc[i][v] != acc[i][v]) ? acc[i][v] : V{};
        }
        T* out = y + (p - p0 + i) * g.CO + co0;
        if (width == NV * L) {
#pragma GCC unroll 4
          for (int v = 0; v < NV; v++) store(out + v * L, acc[i][v]);
        } else {
          alignas(64) T tmp[NV * L];
#pragma GCC unroll 4
          for (int v = 0; v < NV; v++) store(tmp + v * L, acc[i][v]);
          std::memcpy(out, tmp, sizeof(T) * width);
        }
      }
    }
  }

  static void forward(const T* x, const T* fp, int64_t COp, const T* biasp, int act, T* y, const ConvGeom& g,
                      int64_t p0, int64_t p1, T* taps) {
    int64_t* offsets = new int64_t[g.FH * g.FW * g.C];
    tapOffsets(g, offsets);
    // Four vectors per chunk keep 4 accumulators live while the filter rows stream from L1.
    for (int64_t co0 = 0; co0 < g.CO; co0 += 4 * L) {
      const int64_t left = g.CO - co0;
      if (left > 3 * L) forwardChunk<4>(x, fp, COp, biasp, act, y, g, co0, p0, p1, taps, offsets);
      else if (left > 2 * L) forwardChunk<3>(x, fp, COp, biasp, act, y, g, co0, p0, p1, taps, offsets);
      else if (left > L) forwardChunk<2>(x, fp, COp, biasp, act, y, g, co0, p0, p1, taps, offsets);
      else forwardChunk<1>(x, fp, COp, biasp, act, y, g, co0, p0, p1, taps, offsets);
    }
    delete[] offsets;
  }

  // df[t0 : t0 + TG, co0 : co0 + NV*L] += sum over pixels [p0, p1) of x_tap * dz[p, co], and with the first
  // group of taps the bias gradient row df[Kk, co] += sum of dz[p, co]; df is [Kk + 1, COp]. dz is dy, or
  // dy where mask > 0 (relu's gradient from its output) when a mask is given: the masked gradient is never
  // written out. TG * NV accumulators stay in registers; taps past Kk read as 0 and are not written.
  template <int NV, int TG>
  static void filterChunk(const T* x, const T* dy, const T* mask, T* df, int64_t COp, const ConvGeom& g,
                          int64_t co0, int64_t t0, int64_t p0, int64_t p1, T* taps, const int64_t* offsets) {
    const int64_t Kk = g.FH * g.FW * g.C;
    const int64_t width = cmin(NV * L, g.CO - co0);
    const int64_t tn = cmin(TG, Kk - t0);
    const bool withBias = t0 == 0;
    V acc[TG][NV], bias[NV];
#pragma GCC unroll 16
    for (int t = 0; t < TG; t++)
#pragma GCC unroll 4
      for (int v = 0; v < NV; v++) acc[t][v] = V{};
#pragma GCC unroll 4
    for (int v = 0; v < NV; v++) bias[v] = V{};
    alignas(64) T row[NV * L];
    alignas(64) T mrow[NV * L];
    Taps walk(x, g, p0, offsets);
    for (int64_t p = p0; p < p1; p++, walk.next()) {
      // The taps straight from x inside the image, gathered (zeros for padding) elsewhere.
      const T* corner = walk.run(1);
      const T* tapBase = taps;
      const int64_t* tapAt = offsets;
      if (corner != nullptr) tapBase = corner;
      else {
        walk.gather(taps);
        tapAt = nullptr;
      }
      const T* d = dy + (p - p0) * g.CO + co0;
      const T* m = mask != nullptr ? mask + (p - p0) * g.CO + co0 : nullptr;
      V dv[NV];
      if (width == NV * L) {
#pragma GCC unroll 4
        for (int v = 0; v < NV; v++) dv[v] = load(d + v * L);
        if (m != nullptr) {
#pragma GCC unroll 4
          for (int v = 0; v < NV; v++) dv[v] = load(m + v * L) > V{} ? dv[v] : V{};
        }
      } else {
        std::memset(row, 0, sizeof(row));
        std::memcpy(row, d, sizeof(T) * width);
#pragma GCC unroll 4
        for (int v = 0; v < NV; v++) dv[v] = load(row + v * L);
        if (m != nullptr) {
          std::memset(mrow, 0, sizeof(mrow));
          std::memcpy(mrow, m, sizeof(T) * width);
#pragma GCC unroll 4
          for (int v = 0; v < NV; v++) dv[v] = load(mrow + v * L) > V{} ? dv[v] : V{};
        }
      }
      if (withBias) {
#pragma GCC unroll 4
        for (int v = 0; v < NV; v++) bias[v] += dv[v];
      }
#pragma GCC unroll 16
      for (int t = 0; t < TG; t++) {
        const V a = splat(t < tn ? tapBase[tapAt != nullptr ? tapAt[t0 + t] : t0 + t] : T(0));
#pragma GCC unroll 4
        for (int v = 0; v < NV; v++) acc[t][v] += a * dv[v];
      }
    }
    for (int64_t t = 0; t < tn; t++) {
      T* out = df + (t0 + t) * COp + co0;
#pragma GCC unroll 4
      for (int v = 0; v < NV; v++) store(out + v * L, load(out + v * L) + acc[t][v]);
    }
    if (withBias) {
      T* out = df + Kk * COp + co0;
#pragma GCC unroll 4
      for (int v = 0; v < NV; v++) store(out + v * L, load(out + v * L) + bias[v]);
    }
  }

  template <int NV, int TG>
  static void filterTaps(const T* x, const T* dy, const T* mask, T* df, int64_t COp, const ConvGeom& g,
                         int64_t co0, int64_t p0, int64_t p1, T* taps, const int64_t* offsets) {
    const int64_t Kk = g.FH * g.FW * g.C;
    for (int64_t t0 = 0; t0 < Kk; t0 += TG)
      filterChunk<NV, TG>(x, dy, mask, df, COp, g, co0, t0, p0, p1, taps, offsets);
  }

  // Partial filter and bias gradients of pixels [p0, p1) added into df ([Kk + 1, COp], zero-padded columns).
  static void filter(const T* x, const T* dy, const T* mask, T* df, int64_t COp, const ConvGeom& g, int64_t p0,
                     int64_t p1, T* taps) {
    const int64_t Kk = g.FH * g.FW * g.C;
    int64_t* offsets = new int64_t[Kk];
    tapOffsets(g, offsets);
    // Two vectors of channels and 12 taps (or one vector and 24 taps, or 9 taps when that is all there
    // is) fill most of the vector registers with accumulators.
    for (int64_t co0 = 0; co0 < g.CO; co0 += 2 * L) {
      if (g.CO - co0 > L) {
        if (Kk <= 9) filterTaps<2, 9>(x, dy, mask, df, COp, g, co0, p0, p1, taps, offsets);
        else filterTaps<2, 12>(x, dy, mask, df, COp, g, co0, p0, p1, taps, offsets);
      } else {
        if (Kk <= 9) filterTaps<1, 9>(x, dy, mask, df, COp, g, co0, p0, p1, taps, offsets);
        else filterTaps<1, 24>(x, dy, mask, df, COp, g, co0, p0, p1, taps, offsets);
      }
    }
    delete[] offsets;
  }

  // Max pooling of output rows [r0, r1) (a row = one (n, oh)); argmax is the flat input index of each
  // winner (-1 for an empty window). NaN wins, as in PyTorch; ties keep the first position.
  static void maxPool(const T* x, T* y, int32_t* argmax, const ConvGeom& g, int64_t r0, int64_t r1) {
    const int64_t C = g.C;
    for (int64_t row = r0; row < r1; row++) {
      const int64_t n = row / g.OH, oh = row % g.OH;
      const int64_t ih0 = oh * g.SH - g.padTop;
      const int64_t image = n * g.H * g.W * C;
      for (int64_t ow = 0; ow < g.OW; ow++) {
        const int64_t iw0 = ow * g.SW - g.padLeft;
        T* out = y + ((n * g.OH + oh) * g.OW + ow) * C;
        int32_t* arg = argmax + ((n * g.OH + oh) * g.OW + ow) * C;
        bool first = true;
        for (int64_t kh = 0; kh < g.FH; kh++) {
          const int64_t ih = ih0 + kh * g.DH;
          if (ih < 0 || ih >= g.H) continue;
          for (int64_t kw = 0; kw < g.FW; kw++) {
            const int64_t iw = iw0 + kw * g.DW;
            if (iw < 0 || iw >= g.W) continue;
            const int64_t base = image + (ih * g.W + iw) * C;
            const T* src = x + base;
            if (first) {
              for (int64_t c = 0; c < C; c++) {
                out[c] = src[c];
                arg[c] = (int32_t)(base + c);
              }
              first = false;
              continue;
            }
            // Branch-free so that the compiler turns it into vector compares and blends.
            for (int64_t c = 0; c < C; c++) {
              const T v = src[c], best = out[c];
              const bool take = v > best || (v != v && best == best);
              out[c] = take ? v : best;
              arg[c] = take ? (int32_t)(base + c) : arg[c];
            }
          }
        }
        if (first) {
          for (int64_t c = 0; c < C; c++) {
            out[c] = -INFINITY;
            arg[c] = -1;
          }
        }
      }
    }
  }
};

// One pooled row of conv + max pool fused (addon.cc conv2dMaxPoolImpl): the max over the band of
// convolution rows [lo, lo + bandRows) already computed into `band`, with each winner's flat index into
// the whole convolution output (band index + base). Same rules as maxPool: NaN wins, ties keep the first.
template <typename T>
struct BandPool {
  typedef T V __attribute__((vector_size(TF_VB)));
  typedef int32_t IV __attribute__((vector_size(TF_VB)));  // lanes of float32's V (used for float only)
  static constexpr int L = TF_VB / (int)sizeof(T);

  // The cells of one pooling window that lie inside the band, in window order, as offsets into the band.
  struct WindowCells {
    static constexpr int64_t kOnStack = 64;
    int64_t onStack[kOnStack];
    int64_t* at;
    int64_t count = 0;
    explicit WindowCells(const ConvGeom& pg) : at(pg.FH * pg.FW <= kOnStack ? onStack : new int64_t[pg.FH * pg.FW]) {}
    ~WindowCells() {
      if (at != onStack) delete[] at;
    }
    // The window of pooled column qw over band rows [lo, hi) (window rows from `top`).
    void find(int64_t qw, int64_t lo, int64_t hi, int64_t top, const ConvGeom& pg, int64_t OW, int64_t C) {
      const int64_t left = qw * pg.SW - pg.padLeft;
      count = 0;
      for (int64_t kh = 0; kh < pg.FH; kh++) {
        const int64_t r = top + kh * pg.DH;
        if (r < lo || r >= hi) continue;
        for (int64_t kw = 0; kw < pg.FW; kw++) {
          const int64_t col = left + kw * pg.DW;
          if (col >= 0 && col < OW) at[count++] = ((r - lo) * OW + col) * C;
        }
      }
    }
  };

  static IV lanes() {
    IV lane;
    for (int l = 0; l < L; l++) lane[l] = l;
    return lane;
  }

  static void row(const T* band, int64_t lo, int64_t hi, int64_t top, int64_t base, T* out, int32_t* arg,
                  const ConvGeom& pg, int64_t OW, int64_t C) {
    // Each channel is a straight run of compares over the window's cells (the first seeds the max).
    WindowCells cells(pg);
    for (int64_t qw = 0; qw < pg.OW; qw++, out += C, arg += C) {
      cells.find(qw, lo, hi, top, pg, OW, C);
      const int64_t* at = cells.at;
      const int64_t count = cells.count;
      if (count == 0) {
        for (int64_t c = 0; c < C; c++) {
          out[c] = -INFINITY;
          arg[c] = -1;
        }
        continue;
      }
      int64_t c0 = 0;
      if constexpr (sizeof(T) == 4) {
        // Whole vectors of channels: compares and blends, the index vector riding along.
        const IV lane = lanes();
        for (; c0 + L <= C; c0 += L) {
          V best;
          std::memcpy(&best, band + at[0] + c0, sizeof(V));
          IV win = lane + (int32_t)(base + at[0] + c0);
          for (int64_t k = 1; k < count; k++) {
            V v;
            std::memcpy(&v, band + at[k] + c0, sizeof(V));
            const IV take = (v > best) | ((v != v) & (best == best));
            best = take ? v : best;
            win = take ? lane + (int32_t)(base + at[k] + c0) : win;
          }
          std::memcpy(out + c0, &best, sizeof(V));
          std::memcpy(arg + c0, &win, sizeof(IV));
        }
      }
      for (int64_t c = c0; c < C; c++) {
        T best = band[at[0] + c];
        int32_t win = (int32_t)(base + at[0] + c);
        for (int64_t k = 1; k < count; k++) {
          const T v = band[at[k] + c];
          if (v > best || (v != v && best == best)) {
            best = v;
            win = (int32_t)(base + at[k] + c);
          }
        }
        out[c] = best;
        arg[c] = win;
      }
    }
  }

  // The reverse of `row`: adds each pooled gradient dP[qw, c] (only where mask[qw, c] > 0 when a mask is
  // given) into the band at its winner, flat index win[qw, c] - base; the band holds the convolution's
  // rows [lo, hi) and must be zeroed first. Written cell by cell of each window (a compare selects the
  // winner's lanes), so that whole vectors move instead of one scattered element per channel.
  static void route(const T* dP, const T* mask, const int32_t* win, T* band, int64_t lo, int64_t hi, int64_t top,
                    int64_t base, const ConvGeom& pg, int64_t OW, int64_t C) {
    WindowCells cells(pg);
    for (int64_t qw = 0; qw < pg.OW; qw++, dP += C, win += C, mask = mask != nullptr ? mask + C : nullptr) {
      int64_t c0 = 0;
      if constexpr (sizeof(T) == 4) {
        cells.find(qw, lo, hi, top, pg, OW, C);
        const IV lane = lanes();
        for (; c0 + L <= C; c0 += L) {
          V g;
          IV w;
          std::memcpy(&g, dP + c0, sizeof(V));
          std::memcpy(&w, win + c0, sizeof(IV));
          if (mask != nullptr) {
            V m;
            std::memcpy(&m, mask + c0, sizeof(V));
            g = m > V{} ? g : V{};
          }
          for (int64_t k = 0; k < cells.count; k++) {
            const int64_t at = cells.at[k] + c0;
            V cell;
            std::memcpy(&cell, band + at, sizeof(V));
            cell += w == lane + (int32_t)(base + at) ? g : V{};
            std::memcpy(band + at, &cell, sizeof(V));
          }
        }
      }
      const int64_t size = (hi - lo) * OW * C;
      for (int64_t c = c0; c < C; c++) {
        const int64_t at = (int64_t)win[c] - base;
        if (at < 0 || at >= size) continue;  // an empty window (-1)
        if (mask != nullptr && !(mask[c] > T(0))) continue;
        band[at] += dP[c];
      }
    }
  }
};

template <typename T>
void routeBand(const T* dP, const T* mask, const int32_t* win, T* band, int64_t lo, int64_t hi, int64_t top,
               int64_t base, const ConvGeom& pg, int64_t OW, int64_t C) {
  BandPool<T>::route(dP, mask, win, band, lo, hi, top, base, pg, OW, C);
}

template <typename T>
void maxPoolBand(const T* band, int64_t lo, int64_t hi, int64_t top, int64_t base, T* out, int32_t* arg,
                 const ConvGeom& pg, int64_t OW, int64_t C) {
  BandPool<T>::row(band, lo, hi, top, base, out, arg, pg, OW, C);
}

template <typename T>
void convForward(const T* x, const T* fp, int64_t COp, const T* bias, int act, T* y, const ConvGeom& g,
                 int64_t p0, int64_t p1, T* taps) {
  Conv<T>::forward(x, fp, COp, bias, act, y, g, p0, p1, taps);
}
template <typename T>
void convFilter(const T* x, const T* dy, const T* mask, T* df, int64_t COp, const ConvGeom& g, int64_t p0,
                int64_t p1, T* taps) {
  Conv<T>::filter(x, dy, mask, df, COp, g, p0, p1, taps);
}
template <typename T>
void maxPoolRows(const T* x, T* y, int32_t* argmax, const ConvGeom& g, int64_t r0, int64_t r1) {
  Conv<T>::maxPool(x, y, argmax, g, r0, r1);
}

const tapeflow::ConvKernelTable convTable = {
    TF_VB,
    convForward<float>,
    convForward<double>,
    convFilter<float>,
    convFilter<double>,
    maxPoolRows<float>,
    maxPoolRows<double>,
    maxPoolBand<float>,
    maxPoolBand<double>,
    routeBand<float>,
    routeBand<double>,
};

}  // namespace
