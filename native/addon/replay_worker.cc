#include "replay_worker.h"

#include <string>
#include <vector>

#include "dataplane_wrap.h"

extern "C" {
#include "core/limits.h"
#include "host/replay.h"
}

namespace {

struct PortPaths {
  uint16_t id;
  std::string input, output;
  bool has_input, has_output;
};

class ReplayWorker : public Napi::AsyncWorker {
 public:
  ReplayWorker(Napi::Env env, DataplaneWrap* owner, Napi::Object owner_obj, std::vector<PortPaths> ports,
               uint32_t burst)
      : Napi::AsyncWorker(env),
        deferred_(Napi::Promise::Deferred::New(env)),
        owner_(owner),
        ports_(std::move(ports)),
        burst_(burst) {
    // Keeps the JS object (and so its counters) alive while the thread runs.
    owner_ref_ = Napi::Persistent(owner_obj);
    owner_->set_busy(true);
  }

  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    std::vector<cix_replay_port> ports;
    for (const auto& p : ports_)
      ports.push_back({p.id, p.has_input ? p.input.c_str() : nullptr,
                       p.has_output ? p.output.c_str() : nullptr});
    cix_replay_opts opts{ports.data(), (uint32_t)ports.size(), burst_, 0};
    char err[512] = "";
    if (cix_replay_run(owner_->dataplane(), &opts, &stats_, err, sizeof(err)) != 0) SetError(err);
  }

  void OnOK() override {
    Napi::Env env = Env();
    owner_->set_busy(false);
    Napi::Object o = Napi::Object::New(env);
    o.Set("framesRead", Napi::Number::New(env, (double)stats_.frames_read));
    o.Set("framesWritten", Napi::Number::New(env, (double)stats_.frames_written));
    o.Set("bursts", Napi::Number::New(env, (double)stats_.bursts));
    o.Set("firstNs", Napi::BigInt::New(env, stats_.first_ns));
    o.Set("lastNs", Napi::BigInt::New(env, stats_.last_ns));
    deferred_.Resolve(o);
  }

  void OnError(const Napi::Error& e) override {
    owner_->set_busy(false);
    deferred_.Reject(e.Value());
  }

 private:
  Napi::Promise::Deferred deferred_;
  DataplaneWrap* owner_;
  Napi::ObjectReference owner_ref_;
  std::vector<PortPaths> ports_;
  uint32_t burst_;
  cix_replay_stats stats_{};
};

}  // namespace

Napi::Value StartReplay(const Napi::CallbackInfo& info, DataplaneWrap* dp) {
  Napi::Env env = info.Env();
  if (!dp->dataplane()) {
    Napi::Error::New(env, "Dataplane: closed").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (dp->busy()) {
    Napi::Error::New(env, "Dataplane: a replay is already running").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (info.Length() < 1 || !info[0].IsObject()) {
    Napi::TypeError::New(env, "replay: options object expected").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Object o = info[0].As<Napi::Object>();
  Napi::Value pv = o.Get("ports");
  Napi::Value bv = o.Get("burst");
  if (!pv.IsArray() || !bv.IsNumber()) {
    Napi::TypeError::New(env, "replay: {ports: [...], burst} expected").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Array arr = pv.As<Napi::Array>();
  std::vector<PortPaths> ports;
  for (uint32_t i = 0; i < arr.Length(); i++) {
    Napi::Object p = arr.Get(i).As<Napi::Object>();
    Napi::Value id = p.Get("id"), in = p.Get("input"), out = p.Get("output");
    if (!id.IsNumber() || id.As<Napi::Number>().Uint32Value() >= CIX_MAX_PORTS) {
      Napi::TypeError::New(env, "replay: port id out of range").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    PortPaths pp{(uint16_t)id.As<Napi::Number>().Uint32Value(), in.IsString() ? in.As<Napi::String>().Utf8Value() : "",
                 out.IsString() ? out.As<Napi::String>().Utf8Value() : "", in.IsString(), out.IsString()};
    ports.push_back(std::move(pp));
  }
  auto* w = new ReplayWorker(env, dp, info.This().As<Napi::Object>(), std::move(ports),
                             bv.As<Napi::Number>().Uint32Value());
  Napi::Promise promise = w->Promise();
  w->Queue();
  return promise;
}
