// Module entry: the Dataplane class, mapCounters and the fast path's fixed vocabulary
// (drop reasons, counter slots, limits) so TypeScript never hard-codes them.
#include <napi.h>

#include "counters_map_wrap.h"
#include "dataplane_wrap.h"

extern "C" {
#include "core/counters.h"
#include "core/drop.h"
#include "core/limits.h"
}

namespace {

// Per-environment state: the classes module functions construct.
struct AddonData {
  Napi::FunctionReference counters_map;
};

Napi::Value MapCountersFn(const Napi::CallbackInfo& info) {
  return MapCounters(info, info.Env().GetInstanceData<AddonData>()->counters_map);
}

Napi::Value DropReasons(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array a = Napi::Array::New(env, CIX_DROP__COUNT);
  for (unsigned r = 0; r < CIX_DROP__COUNT; r++) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", cix_drop_name(r));
    o.Set("help", cix_drop_help(r));
    a.Set(r, o);
  }
  return a;
}

Napi::Value CounterSlots(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array a = Napi::Array::New(env, CIX_CNT__USED);
  for (unsigned s = 0; s < CIX_CNT__USED; s++) a.Set(s, cix_counter_slot_name(s));
  return a;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto* data = new AddonData();
  data->counters_map = Napi::Persistent(CountersMapWrap::Define(env));
  env.SetInstanceData(data);
  exports.Set("Dataplane", DataplaneWrap::Define(env));
  exports.Set("mapCounters", Napi::Function::New(env, MapCountersFn));
  exports.Set("dropReasons", Napi::Function::New(env, DropReasons));
  exports.Set("counterSlots", Napi::Function::New(env, CounterSlots));
  Napi::Object limits = Napi::Object::New(env);
  limits.Set("maxPorts", CIX_MAX_PORTS);
  limits.Set("maxAttachments", CIX_MAX_ATTACHMENTS);
  limits.Set("maxWorkers", CIX_MAX_WORKERS);
  limits.Set("maxBurst", CIX_MAX_BURST);
  limits.Set("dropBase", (uint32_t)CIX_CNT_DROP_BASE);
  exports.Set("limits", limits);
  return exports;
}

}  // namespace

NODE_API_MODULE(cix, Init)
