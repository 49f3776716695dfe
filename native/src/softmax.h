// Row-wise softmax / logSoftmax, their backward passes and the fused sparse softmax cross-entropy
// (softmax.cc), registered on the addon's exports by Init in addon.cc.
#pragma once

#include <napi.h>

namespace tapeflow {
void registerSoftmax(Napi::Env env, Napi::Object& exports);
}  // namespace tapeflow
