#include "dataplane_wrap.h"

#include <cstring>
#include <string>

#include "live_spec.h"
#include "napi_args.h"
#include "replay_worker.h"
#include "type_tags.h"

extern "C" {
#include "core/counters.h"
#include "core/limits.h"
#include "core/tables.h"
}

namespace {

// Reads an integer property; the plan was built by our own TypeScript from a
// validated config, so a missing field is a programming error: TypeError.
bool GetInt(Napi::Object o, const char* key, int64_t lo, int64_t hi, int64_t* out) {
  Napi::Value v = o.Get(key);
  if (!v.IsNumber()) {
    Napi::TypeError::New(o.Env(), std::string("plan: ") + key + " must be a number")
        .ThrowAsJavaScriptException();
    return false;
  }
  int64_t n = v.As<Napi::Number>().Int64Value();
  if (n < lo || n > hi) {
    Napi::RangeError::New(o.Env(), std::string("plan: ") + key + " out of range")
        .ThrowAsJavaScriptException();
    return false;
  }
  *out = n;
  return true;
}

bool ThrowTables(Napi::Env env, int rc, const char* what) {
  if (rc == CIX_TABLES_OK) return false;
  Napi::Error::New(env, std::string("plan: ") + what + ": " + cix_tables_strerror(rc))
      .ThrowAsJavaScriptException();
  return true;
}

// Builds sealed tables from {ports: [{id, mtu}], attachments: [{id, port, kind, tags, peer}]}.
cix_tables* BuildTables(Napi::Env env, const cix_dataplane* dp, Napi::Object plan) {
  Napi::Value pv = plan.Get("ports");
  Napi::Value av = plan.Get("attachments");
  if (!pv.IsArray() || !av.IsArray()) {
    Napi::TypeError::New(env, "plan: ports and attachments must be arrays").ThrowAsJavaScriptException();
    return nullptr;
  }
  Napi::Array ports = pv.As<Napi::Array>();
  Napi::Array atts = av.As<Napi::Array>();
  if (atts.Length() > cix_dataplane_max_attachments(dp) || ports.Length() > CIX_MAX_PORTS) {
    Napi::RangeError::New(env, "plan: more ports or attachments than the dataplane holds")
        .ThrowAsJavaScriptException();
    return nullptr;
  }
  cix_tables* t = cix_tables_new(cix_dataplane_max_attachments(dp), atts.Length());
  if (!t) {
    Napi::Error::New(env, "plan: out of memory").ThrowAsJavaScriptException();
    return nullptr;
  }
  bool ok = true;
  for (uint32_t i = 0; ok && i < ports.Length(); i++) {
    Napi::Object p = ports.Get(i).As<Napi::Object>();
    int64_t id, mtu;
    ok = GetInt(p, "id", 0, CIX_MAX_PORTS - 1, &id) && GetInt(p, "mtu", 68, 65535, &mtu) &&
         !ThrowTables(env, cix_tables_set_port(t, (uint16_t)id, (uint16_t)mtu), "port");
  }
  for (uint32_t i = 0; ok && i < atts.Length(); i++) {
    Napi::Object a = atts.Get(i).As<Napi::Object>();
    cix_attachment_spec spec;
    std::memset(&spec, 0, sizeof(spec));
    int64_t id, port, kind;
    ok = GetInt(a, "id", 0, cix_dataplane_max_attachments(dp) - 1, &id) && GetInt(a, "port", 0, CIX_MAX_PORTS - 1, &port) &&
         GetInt(a, "kind", 0, CIX_MATCH_WHOLE_PORT, &kind);
    if (!ok) break;
    spec.id = (uint16_t)id;
    spec.port = (uint16_t)port;
    spec.kind = (uint8_t)kind;
    Napi::Value tv = a.Get("tags");
    if (!tv.IsArray() || tv.As<Napi::Array>().Length() > CIX_MAX_TAGS) {
      Napi::TypeError::New(env, "plan: tags must be an array of at most two").ThrowAsJavaScriptException();
      ok = false;
      break;
    }
    Napi::Array tags = tv.As<Napi::Array>();
    for (uint32_t k = 0; ok && k < tags.Length(); k++) {
      Napi::Object tg = tags.Get(k).As<Napi::Object>();
      int64_t tpid, vid, pcp, dei;
      ok = GetInt(tg, "tpid", 0, 0xffff, &tpid) && GetInt(tg, "vid", 0, 4095, &vid) &&
           GetInt(tg, "pcp", -1, 7, &pcp) && GetInt(tg, "dei", -1, 1, &dei);
      spec.tag[k] = {(uint16_t)tpid, (uint16_t)vid, (int8_t)pcp, (int8_t)dei};
    }
    ok = ok && !ThrowTables(env, cix_tables_add_attachment(t, &spec), "attachment");
  }
  for (uint32_t i = 0; ok && i < atts.Length(); i++) {
    Napi::Object a = atts.Get(i).As<Napi::Object>();
    int64_t id, peer;
    ok = GetInt(a, "id", 0, cix_dataplane_max_attachments(dp) - 1, &id) &&
         GetInt(a, "peer", -1, cix_dataplane_max_attachments(dp) - 1, &peer);
    if (ok && peer >= 0)
      ok = !ThrowTables(env, cix_tables_set_peer(t, (uint16_t)id, (uint16_t)peer), "peer");
  }
  if (ok) ok = !ThrowTables(env, cix_tables_seal(t), "seal");
  if (!ok) {
    cix_tables_free(t);
    return nullptr;
  }
  return t;
}

}  // namespace

Napi::Function DataplaneWrap::Define(Napi::Env env) {
  return DefineClass(env, "Dataplane",
                     {InstanceMethod<&DataplaneWrap::Publish>("publish"),
                      InstanceMethod<&DataplaneWrap::Layout>("layout"),
                      InstanceMethod<&DataplaneWrap::Replay>("replay"),
                      InstanceMethod<&DataplaneWrap::Start>("start"),
                      InstanceMethod<&DataplaneWrap::Stop>("stop"),
                      InstanceMethod<&DataplaneWrap::Running>("running"),
                      InstanceMethod<&DataplaneWrap::SocketStats>("socketStats"),
                      InstanceMethod<&DataplaneWrap::MissingBuffers>("missingBuffers"),
                      InstanceMethod<&DataplaneWrap::Close>("close")});
}

// new Dataplane({workers, maxAttachments, countersPath?})
DataplaneWrap::DataplaneWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<DataplaneWrap>(info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) {
    Napi::TypeError::New(env, "Dataplane: options object expected").ThrowAsJavaScriptException();
    return;
  }
  Napi::Object o = info[0].As<Napi::Object>();
  int64_t workers, max_att;
  if (!GetInt(o, "workers", 1, CIX_MAX_WORKERS, &workers) ||
      !GetInt(o, "maxAttachments", 1, CIX_MAX_ATTACHMENTS, &max_att))
    return;
  uint64_t* mem;
  Napi::Value path = o.Get("countersPath");
  if (!path.IsUndefined() && !path.IsNull()) {
    // A shared file the supervisor maps too (host/counters_shm.h).
    std::string file;
    if (!ArgString(o, "Dataplane", "countersPath", 4096, &file)) return;
    cix_counters_map m;
    char err[512];
    if (cix_counters_file_create(file.c_str(), (uint32_t)workers, (uint32_t)max_att, &m, err, sizeof(err))) {
      Napi::Error::New(env, err).ThrowAsJavaScriptException();
      return;
    }
    counters_file_ = std::make_shared<CountersMapping>(m);
    Napi::ArrayBuffer ab = CountersBuffer(env, counters_file_);
    if (ab.IsEmpty()) return;
    counters_ = Napi::Persistent(ab);
    counters_offset_ = CIX_COUNTERS_HEADER_SIZE;
    mem = counters_file_->counters();
  } else {
    size_t bytes = cix_dataplane_counters_size((uint32_t)workers, (uint32_t)max_att);
    // JS-owned memory, aligned here to a cache line so workers never share one.
    Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(env, bytes + 64);
    auto base = reinterpret_cast<uintptr_t>(ab.Data());
    counters_offset_ = (64 - (base & 63)) & 63;
    std::memset(ab.Data(), 0, bytes + 64);
    counters_ = Napi::Persistent(ab);
    mem = reinterpret_cast<uint64_t*>(base + counters_offset_);
  }
  dp_ = cix_dataplane_new((uint32_t)workers, (uint32_t)max_att, mem);
  if (!dp_) {
    Napi::Error::New(env, "Dataplane: cannot initialise").ThrowAsJavaScriptException();
    return;
  }
  info.This().As<Napi::Object>().TypeTag(&kDataplaneTag);
}

DataplaneWrap::~DataplaneWrap() { Release(); }

// Workers first (they use the tables and the counters), then the tables.
// The counter memory goes with the last of this object and its ArrayBuffer.
void DataplaneWrap::Release() {
  StopLive();
  cix_dataplane_free(dp_);
  dp_ = nullptr;
  counters_file_.reset();
}

void DataplaneWrap::StopLive() {
  if (!live_) return;
  missing_buffers_ = cix_live_stop(live_);
  live_ = nullptr;
}

// The method was called on a Dataplane of ours that is not closed.
bool DataplaneWrap::Open(const Napi::CallbackInfo& info, const char* what) {
  if (!CheckThis(info, kDataplaneTag, what)) return false;
  if (!dp_) {
    Napi::Error::New(info.Env(), "Dataplane: closed").ThrowAsJavaScriptException();
    return false;
  }
  return true;
}

// publish(plan) -> generation
Napi::Value DataplaneWrap::Publish(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Open(info, "Dataplane.publish")) return env.Undefined();
  if (info.Length() < 1 || !info[0].IsObject()) {
    Napi::TypeError::New(env, "publish: plan object expected").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  cix_tables* t = BuildTables(env, dp_, info[0].As<Napi::Object>());
  if (!t) return env.Undefined();
  uint64_t gen = cix_dataplane_publish(dp_, t);
  if (gen == 0) {
    cix_tables_free(t);
    Napi::Error::New(env, "publish: too many epochs wait for workers to move on; retry")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return Napi::Number::New(env, (double)gen);
}

// layout() -> where the counters are and how they are laid out
Napi::Value DataplaneWrap::Layout(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Open(info, "Dataplane.layout")) return env.Undefined();
  return CounterLayoutObject(env, counters_.Value(), counters_offset_, cix_dataplane_workers(dp_),
                             cix_dataplane_objects(dp_));
}

Napi::Value DataplaneWrap::Replay(const Napi::CallbackInfo& info) {
  if (!CheckThis(info, kDataplaneTag, "Dataplane.replay")) return info.Env().Undefined();
  if (live_) {
    Napi::Error::New(info.Env(), "Dataplane: live workers are running; stop() first").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  return StartReplay(info, this);
}

// start(spec) -> LivePortStatus[]. Synchronous: opening ports is quick, except
// that a socket bind may retry EBUSY for up to about a second after a
// previous owner released its queue.
Napi::Value DataplaneWrap::Start(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Open(info, "Dataplane.start")) return env.Undefined();
  if (live_) {
    Napi::Error::New(env, "start: already running; stop() first").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (busy_) {
    Napi::Error::New(env, "start: a replay is running").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  LiveSpec spec;
  if (!ParseLiveSpec(env, info.Length() > 0 ? info[0] : env.Undefined(), &spec)) return env.Undefined();
  cix_live_opts opts = spec.opts();
  char err[768] = "";
  if (cix_live_start(dp_, &opts, &live_, err, sizeof(err)) != 0) {
    live_ = nullptr;
    Napi::Error::New(env, err).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return LiveStatus(env, live_);
}

Napi::Value DataplaneWrap::Stop(const Napi::CallbackInfo& info) {
  if (!CheckThis(info, kDataplaneTag, "Dataplane.stop")) return info.Env().Undefined();
  StopLive();
  return info.Env().Undefined();
}

Napi::Value DataplaneWrap::Running(const Napi::CallbackInfo& info) {
  if (!CheckThis(info, kDataplaneTag, "Dataplane.running")) return info.Env().Undefined();
  return Napi::Boolean::New(info.Env(), live_ != nullptr);
}

Napi::Value DataplaneWrap::SocketStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckThis(info, kDataplaneTag, "Dataplane.socketStats")) return env.Undefined();
  if (!live_) return Napi::Array::New(env, 0);
  return LiveSocketStatsArray(env, live_);
}

// Buffers that were not back in the workers' pools when the last stop() freed them (0: all came home).
Napi::Value DataplaneWrap::MissingBuffers(const Napi::CallbackInfo& info) {
  if (!CheckThis(info, kDataplaneTag, "Dataplane.missingBuffers")) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), (double)missing_buffers_);
}

Napi::Value DataplaneWrap::Close(const Napi::CallbackInfo& info) {
  if (!CheckThis(info, kDataplaneTag, "Dataplane.close")) return info.Env().Undefined();
  if (busy_) {
    Napi::Error::New(info.Env(), "Dataplane: a replay is running").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  Release();
  return info.Env().Undefined();
}
