#include "counters_map_wrap.h"

#include <string>

#include "napi_args.h"
#include "type_tags.h"

extern "C" {
#include "core/limits.h"
#include "host/counters_shm.h"
}

Napi::Function CountersMapWrap::Define(Napi::Env env) {
  return DefineClass(env, "CountersMap",
                     {InstanceMethod<&CountersMapWrap::Layout>("layout"),
                      InstanceMethod<&CountersMapWrap::Close>("close")});
}

CountersMapWrap::CountersMapWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<CountersMapWrap>(info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) {
    Napi::TypeError::New(env, "mapCounters: options object expected").ThrowAsJavaScriptException();
    return;
  }
  Napi::Object o = info[0].As<Napi::Object>();
  std::string path;
  int64_t workers, max_att;
  if (!ArgString(o, "mapCounters", "path", 4096, &path) ||
      !ArgInt(o, "mapCounters", "workers", 1, CIX_MAX_WORKERS, &workers) ||
      !ArgInt(o, "mapCounters", "maxAttachments", 1, CIX_MAX_ATTACHMENTS, &max_att))
    return;
  cix_counters_map m;
  char err[512];
  if (cix_counters_file_map(path.c_str(), (uint32_t)workers, (uint32_t)max_att, &m, err, sizeof(err))) {
    Napi::Error::New(env, err).ThrowAsJavaScriptException();
    return;
  }
  map_ = std::make_shared<CountersMapping>(m);
  Napi::ArrayBuffer ab = CountersBuffer(env, map_);
  if (ab.IsEmpty()) return;
  buffer_ = Napi::Persistent(ab);
  workers_ = (uint32_t)workers;
  objects_ = CIX_MAX_PORTS + (uint32_t)max_att;
  info.This().As<Napi::Object>().TypeTag(&kCountersMapTag);
}

Napi::Value CountersMapWrap::Layout(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckThis(info, kCountersMapTag, "CountersMap.layout")) return env.Undefined();
  if (!map_) {
    Napi::Error::New(env, "CountersMap: closed").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return CounterLayoutObject(env, buffer_.Value(), CIX_COUNTERS_HEADER_SIZE, workers_, objects_);
}

Napi::Value CountersMapWrap::Close(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckThis(info, kCountersMapTag, "CountersMap.close")) return env.Undefined();
  if (!map_) return env.Undefined();
  // Views over the buffer become empty: nothing in JS can reach the memory any more.
  Napi::ArrayBuffer ab = buffer_.Value();
  if (!ab.IsDetached()) ab.Detach();
  buffer_.Reset();
  map_.reset();  // the buffer's finalizer drops the last share and unmaps
  return env.Undefined();
}

Napi::Value MapCounters(const Napi::CallbackInfo& info, Napi::FunctionReference& ctor) {
  Napi::Env env = info.Env();
  if (info.Length() < 1) {
    Napi::TypeError::New(env, "mapCounters: options object expected").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return ctor.New({info[0]});
}
