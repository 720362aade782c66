// The Dataplane object seen from JavaScript: owns the C dataplane, its
// counter memory (an ArrayBuffer JS reads in place, or a shared file
// mapping), publishes plans, and runs the live runtime (worker threads on
// real interfaces) or a replay.
#ifndef CIX_ADDON_DATAPLANE_WRAP_H
#define CIX_ADDON_DATAPLANE_WRAP_H

#include <napi.h>

#include <memory>

#include "counters_mapping.h"

extern "C" {
#include "host/dataplane.h"
#include "host/live.h"
}

class DataplaneWrap : public Napi::ObjectWrap<DataplaneWrap> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit DataplaneWrap(const Napi::CallbackInfo& info);
  ~DataplaneWrap() override;

  cix_dataplane* dataplane() { return dp_; }
  // A replay holds the dataplane's worker slot; close() and a second replay wait for it.
  bool busy() const { return busy_; }
  void set_busy(bool b) { busy_ = b; }

 private:
  Napi::Value Publish(const Napi::CallbackInfo& info);
  Napi::Value Layout(const Napi::CallbackInfo& info);
  Napi::Value Replay(const Napi::CallbackInfo& info);
  Napi::Value Start(const Napi::CallbackInfo& info);
  Napi::Value Stop(const Napi::CallbackInfo& info);
  Napi::Value Running(const Napi::CallbackInfo& info);
  Napi::Value SocketStats(const Napi::CallbackInfo& info);
  Napi::Value MissingBuffers(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  bool Open(const Napi::CallbackInfo& info, const char* what);
  void StopLive();
  void Release();

  cix_dataplane* dp_ = nullptr;
  cix_live* live_ = nullptr;
  uint64_t missing_buffers_ = 0;  // at the last stop: buffers not back in their pools
  Napi::Reference<Napi::ArrayBuffer> counters_;
  size_t counters_offset_ = 0;
  std::shared_ptr<CountersMapping> counters_file_;  // with countersPath
  bool busy_ = false;
};

#endif
