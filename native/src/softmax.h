// Row-wise softmax / logSoftmax, their backward passes and the fused sparse softmax cross-entropy
// (softmax.cc), registered on the addon's exports by Init in addon.cc.
#pragma once

#include <napi.h>

#include "kernels.h"

namespace tapeflow {
// `kernels` is the table chosen for this CPU, whose vectorised exp the row loops use.
void registerSoftmax(Napi::Env env, Napi::Object& exports, const KernelTable* kernels);
}  // namespace tapeflow
