#include "counters_mapping.h"

extern "C" {
#include "core/counters.h"
#include "core/limits.h"
}

Napi::ArrayBuffer CountersBuffer(Napi::Env env, const std::shared_ptr<CountersMapping>& m) {
  auto* share = new std::shared_ptr<CountersMapping>(m);
  Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(
      env, m->map().base, m->map().len,
      [](Napi::Env, void*, std::shared_ptr<CountersMapping>* s) { delete s; }, share);
  if (ab.IsEmpty()) delete share;  // not made: the finalizer will never run
  return ab;
}

Napi::Object CounterLayoutObject(Napi::Env env, Napi::ArrayBuffer buffer, size_t byte_offset,
                                 uint32_t workers, uint32_t objects) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("buffer", buffer);
  o.Set("byteOffset", Napi::Number::New(env, (double)byte_offset));
  o.Set("workers", Napi::Number::New(env, workers));
  o.Set("objects", Napi::Number::New(env, objects));
  o.Set("slots", Napi::Number::New(env, CIX_CNT__SLOTS));
  o.Set("portBase", Napi::Number::New(env, 0));
  o.Set("attachmentBase", Napi::Number::New(env, CIX_MAX_PORTS));
  return o;
}
