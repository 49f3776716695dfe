// Row-wise softmax, logSoftmax, their backward passes and the fused sparse softmax cross-entropy over
// contiguous [rows, cols] float32/float64 data: the same loops as src/backend/js/softmax.ts (the
// reference the conformance suite compares against). Each row is shifted by its maximum; arithmetic is
// in double and float32 results are rounded once on store. As in PyTorch, infinities get no special
// case: a row holding NaN or +inf, or only -inf, gives NaN. Single-threaded (rows are short next to the
// GEMMs around them); the exponentials run vectorised (KernelTable::exp_f64), the rest is scalar.
#include "softmax.h"

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace tapeflow {
namespace {

const KernelTable* kernels = nullptr;

template <typename T>
double rowMax(const T* x, int64_t n);

/**
 * e[r * cols + j] = exp(x[r, j] - top[r]) for the rows of x, in one vectorised pass; returns the rows'
 * maxima in `top` (NaN for a row holding NaN). Row sums are then taken in order, in double.
 */
template <typename T>
void shiftedExps(const T* x, int64_t rows, int64_t cols, std::vector<double>& top, std::vector<double>& e) {
  top.resize(rows);
  e.resize(rows * cols);
  for (int64_t r = 0; r < rows; r++) {
    const T* xr = x + r * cols;
    const double t = rowMax(xr, cols);
    top[r] = t;
    for (int64_t j = 0; j < cols; j++) e[r * cols + j] = (double)xr[j] - t;
  }
  kernels->exp_f64(e.data(), rows * cols);
}

struct View {
  napi_typedarray_type type;
  size_t length;
  void* data;
};

View view(const Napi::CallbackInfo& info, size_t i, const char* op, const char* what) {
  if (i >= info.Length() || !info[i].IsTypedArray()) {
    throw Napi::TypeError::New(info.Env(), std::string(op) + ": " + what + " must be a typed array");
  }
  View v{napi_float32_array, 0, nullptr};
  napi_value ab;
  size_t byteOffset;
  napi_get_typedarray_info(info.Env(), info[i], &v.type, &v.length, &v.data, &ab, &byteOffset);
  return v;
}

int64_t integer(const Napi::CallbackInfo& info, size_t i, const char* op, const char* what) {
  if (i >= info.Length() || !info[i].IsNumber()) {
    throw Napi::TypeError::New(info.Env(), std::string(op) + ": " + what + " must be a number");
  }
  const double d = info[i].As<Napi::Number>().DoubleValue();
  if (!(d >= 0) || d != std::floor(d)) {
    throw Napi::RangeError::New(info.Env(), std::string(op) + ": " + what + " must be a non-negative integer");
  }
  return (int64_t)d;
}

void requireFloat(const Napi::CallbackInfo& info, const View& v, const char* op, const char* what,
                  napi_typedarray_type type) {
  if (v.type != type || (type != napi_float32_array && type != napi_float64_array)) {
    throw Napi::TypeError::New(info.Env(), std::string(op) + ": " + what +
                                               " must be a Float32Array or Float64Array matching the output");
  }
}

void requireSpan(const Napi::CallbackInfo& info, const View& v, int64_t offset, int64_t n, const char* op,
                 const char* what) {
  if ((uint64_t)(offset + n) > v.length) {
    throw Napi::RangeError::New(info.Env(), std::string(op) + ": " + what + " holds " + std::to_string(v.length) +
                                                " elements, needs " + std::to_string(offset + n));
  }
}

/** The row's maximum; NaN as soon as one element is NaN. */
template <typename T>
double rowMax(const T* x, int64_t n) {
  double top = -INFINITY;
  for (int64_t j = 0; j < n; j++) {
    const double v = x[j];
    if (v > top || v != v) top = v;
    if (top != top) break;
  }
  return top;
}

template <typename T>
void softmaxRows(bool log, const T* x, int64_t rows, int64_t cols, T* out) {
  std::vector<double> top, e;
  shiftedExps(x, rows, cols, top, e);
  for (int64_t r = 0; r < rows; r++) {
    const T* xr = x + r * cols;
    const double* er = e.data() + r * cols;
    T* o = out + r * cols;
    double total = 0;
    for (int64_t j = 0; j < cols; j++) total += er[j];
    if (log) {
      const double lse = std::log(total);
      for (int64_t j = 0; j < cols; j++) o[j] = (T)((double)xr[j] - top[r] - lse);
    } else {
      for (int64_t j = 0; j < cols; j++) o[j] = (T)(er[j] / total);
    }
  }
}

template <typename T>
void softmaxGradRows(bool log, const T* y, const T* dy, int64_t rows, int64_t cols, T* out) {
  for (int64_t r = 0; r < rows; r++) {
    const T* yr = y + r * cols;
    const T* gr = dy + r * cols;
    T* o = out + r * cols;
    double s = 0;
    if (log) {
      for (int64_t j = 0; j < cols; j++) s += (double)gr[j];
      for (int64_t j = 0; j < cols; j++) o[j] = (T)((double)gr[j] - std::exp((double)yr[j]) * s);
    } else {
      for (int64_t j = 0; j < cols; j++) s += (double)gr[j] * (double)yr[j];
      for (int64_t j = 0; j < cols; j++) o[j] = (T)((double)yr[j] * ((double)gr[j] - s));
    }
  }
}

// The labels as int32, after checking their type, their length and that each is a class index; `op`
// names the op in the errors.
const int32_t* requireLabels(const Napi::CallbackInfo& info, const View& labels, int64_t offset, int64_t rows,
                             int64_t classes, const char* op) {
  if (labels.type != napi_int32_array)
    throw Napi::TypeError::New(info.Env(), std::string(op) + ": labels must be an Int32Array");
  requireSpan(info, labels, offset, rows, op, "labels");
  const int32_t* l = static_cast<const int32_t*>(labels.data) + offset;
  for (int64_t r = 0; r < rows; r++) {
    const int32_t k = l[r];
    if (k < 0 || k >= classes) {
      throw Napi::RangeError::New(info.Env(), std::string(op) + ": label " + std::to_string(k) + " at row " +
                                                  std::to_string(r) + " is out of range for " +
                                                  std::to_string(classes) + " classes (expected 0 <= label < " +
                                                  std::to_string(classes) + ")");
    }
  }
  return l;
}

template <typename T>
void crossEntropyRows(const T* x, const int32_t* labels, int64_t rows, int64_t cols, T* loss) {
  std::vector<double> top, e;
  shiftedExps(x, rows, cols, top, e);
  for (int64_t r = 0; r < rows; r++) {
    double total = 0;
    for (int64_t j = 0; j < cols; j++) total += e[r * cols + j];
    loss[r] = (T)(std::log(total) - ((double)x[r * cols + labels[r]] - top[r]));
  }
}

// dy[r * dyStride] scales row r: the stride is 0 for a loss's mean, whose one gradient every row shares.
template <typename T>
void crossEntropyGradRows(const T* x, const int32_t* labels, const T* dy, int64_t dyStride, int64_t rows,
                          int64_t cols, T* out) {
  std::vector<double> top, e;
  shiftedExps(x, rows, cols, top, e);
  for (int64_t r = 0; r < rows; r++) {
    const double* er = e.data() + r * cols;
    T* o = out + r * cols;
    double total = 0;
    for (int64_t j = 0; j < cols; j++) total += er[j];
    const double g = dy[r * dyStride];
    const int32_t label = labels[r];
    for (int64_t j = 0; j < cols; j++) {
      const double p = er[j] / total;
      o[j] = (T)(g * (j == label ? p - 1 : p));
    }
  }
}

// softmax(kind, x, xOffset, rows, cols, out): kind 0 softmax, 1 logSoftmax.
Napi::Value Softmax(const Napi::CallbackInfo& info) {
  const char* op = "softmax";
  const int64_t kind = integer(info, 0, op, "kind");
  const View x = view(info, 1, op, "x");
  const int64_t off = integer(info, 2, op, "offset"), rows = integer(info, 3, op, "rows"),
                cols = integer(info, 4, op, "cols");
  const View out = view(info, 5, op, "out");
  requireFloat(info, out, op, "out", out.type);
  requireFloat(info, x, op, "x", out.type);
  requireSpan(info, x, off, rows * cols, op, "x");
  requireSpan(info, out, 0, rows * cols, op, "out");
  if (out.type == napi_float32_array)
    softmaxRows(kind == 1, static_cast<const float*>(x.data) + off, rows, cols, static_cast<float*>(out.data));
  else
    softmaxRows(kind == 1, static_cast<const double*>(x.data) + off, rows, cols, static_cast<double*>(out.data));
  return info.Env().Undefined();
}

// softmaxGrad(kind, y, yOffset, dy, dyOffset, rows, cols, out)
Napi::Value SoftmaxGrad(const Napi::CallbackInfo& info) {
  const char* op = "softmaxGrad";
  const int64_t kind = integer(info, 0, op, "kind");
  const View y = view(info, 1, op, "y");
  const int64_t yOff = integer(info, 2, op, "y offset");
  const View dy = view(info, 3, op, "dy");
  const int64_t dyOff = integer(info, 4, op, "dy offset"), rows = integer(info, 5, op, "rows"),
                cols = integer(info, 6, op, "cols");
  const View out = view(info, 7, op, "out");
  requireFloat(info, out, op, "out", out.type);
  requireFloat(info, y, op, "y", out.type);
  requireFloat(info, dy, op, "dy", out.type);
  requireSpan(info, y, yOff, rows * cols, op, "y");
  requireSpan(info, dy, dyOff, rows * cols, op, "dy");
  requireSpan(info, out, 0, rows * cols, op, "out");
  if (out.type == napi_float32_array)
    softmaxGradRows(kind == 1, static_cast<const float*>(y.data) + yOff, static_cast<const float*>(dy.data) + dyOff,
                    rows, cols, static_cast<float*>(out.data));
  else
    softmaxGradRows(kind == 1, static_cast<const double*>(y.data) + yOff,
                    static_cast<const double*>(dy.data) + dyOff, rows, cols, static_cast<double*>(out.data));
  return info.Env().Undefined();
}

// sparseSoftmaxCrossEntropy(logits, offset, labels, labelsOffset, rows, classes, loss)
Napi::Value SparseSoftmaxCrossEntropy(const Napi::CallbackInfo& info) {
  const char* op = "sparseSoftmaxCrossEntropy";
  const View x = view(info, 0, op, "logits");
  const int64_t off = integer(info, 1, op, "offset");
  const View labels = view(info, 2, op, "labels");
  const int64_t labelsOff = integer(info, 3, op, "labels offset");
  const int64_t rows = integer(info, 4, op, "rows"), cols = integer(info, 5, op, "classes");
  const View loss = view(info, 6, op, "loss");
  requireFloat(info, loss, op, "loss", loss.type);
  requireFloat(info, x, op, "logits", loss.type);
  requireSpan(info, x, off, rows * cols, op, "logits");
  requireSpan(info, loss, 0, rows, op, "loss");
  const int32_t* l = requireLabels(info, labels, labelsOff, rows, cols, op);
  if (loss.type == napi_float32_array)
    crossEntropyRows(static_cast<const float*>(x.data) + off, l, rows, cols, static_cast<float*>(loss.data));
  else
    crossEntropyRows(static_cast<const double*>(x.data) + off, l, rows, cols, static_cast<double*>(loss.data));
  return info.Env().Undefined();
}

// sparseSoftmaxCrossEntropyGrad(logits, offset, labels, labelsOffset, dy, dyOffset, dyStride, rows, classes,
// out)
Napi::Value SparseSoftmaxCrossEntropyGrad(const Napi::CallbackInfo& info) {
  const char* op = "sparseSoftmaxCrossEntropyGrad";
  const View x = view(info, 0, op, "logits");
  const int64_t off = integer(info, 1, op, "offset");
  const View labels = view(info, 2, op, "labels");
  const int64_t labelsOff = integer(info, 3, op, "labels offset");
  const View dy = view(info, 4, op, "dy");
  const int64_t dyOff = integer(info, 5, op, "dy offset"), dyStride = integer(info, 6, op, "dy stride"),
                rows = integer(info, 7, op, "rows"), cols = integer(info, 8, op, "classes");
  const View out = view(info, 9, op, "out");
  requireFloat(info, out, op, "out", out.type);
  requireFloat(info, x, op, "logits", out.type);
  requireFloat(info, dy, op, "dy", out.type);
  requireSpan(info, x, off, rows * cols, op, "logits");
  requireSpan(info, dy, dyOff, rows == 0 ? 0 : (rows - 1) * dyStride + 1, op, "dy");
  requireSpan(info, out, 0, rows * cols, op, "out");
  const int32_t* l = requireLabels(info, labels, labelsOff, rows, cols, "sparseSoftmaxCrossEntropy");
  if (out.type == napi_float32_array)
    crossEntropyGradRows(static_cast<const float*>(x.data) + off, l, static_cast<const float*>(dy.data) + dyOff,
                         dyStride, rows, cols, static_cast<float*>(out.data));
  else
    crossEntropyGradRows(static_cast<const double*>(x.data) + off, l, static_cast<const double*>(dy.data) + dyOff,
                         dyStride, rows, cols, static_cast<double*>(out.data));
  return info.Env().Undefined();
}

}  // namespace

void registerSoftmax(Napi::Env env, Napi::Object& exports, const KernelTable* table) {
  kernels = table;
  exports.Set("softmax", Napi::Function::New(env, Softmax));
  exports.Set("softmaxGrad", Napi::Function::New(env, SoftmaxGrad));
  exports.Set("sparseSoftmaxCrossEntropy", Napi::Function::New(env, SparseSoftmaxCrossEntropy));
  exports.Set("sparseSoftmaxCrossEntropyGrad", Napi::Function::New(env, SparseSoftmaxCrossEntropyGrad));
}

}  // namespace tapeflow
