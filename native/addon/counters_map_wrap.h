// mapCounters({path, workers, maxAttachments}): the supervisor's view of a
// counters file another process (the dataplane) writes. layout() gives the
// same CounterLayout as Dataplane.layout(), over the shared mapping; the
// counts stay readable after the writer died. close() detaches the buffer
// (typed arrays over it read as empty from then on) and unmaps.
#ifndef CIX_ADDON_COUNTERS_MAP_WRAP_H
#define CIX_ADDON_COUNTERS_MAP_WRAP_H

#include <napi.h>

#include <memory>

#include "counters_mapping.h"

class CountersMapWrap : public Napi::ObjectWrap<CountersMapWrap> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit CountersMapWrap(const Napi::CallbackInfo& info);

 private:
  Napi::Value Layout(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);

  std::shared_ptr<CountersMapping> map_;
  Napi::Reference<Napi::ArrayBuffer> buffer_;
  uint32_t workers_ = 0;
  uint32_t objects_ = 0;
};

// The module function; `ctor` is CountersMapWrap::Define's class.
Napi::Value MapCounters(const Napi::CallbackInfo& info, Napi::FunctionReference& ctor);

#endif
