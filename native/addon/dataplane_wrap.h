// The Dataplane object seen from JavaScript: owns the C dataplane, its
// counter memory (an ArrayBuffer JS reads in place) and publishes plans.
#ifndef CIX_ADDON_DATAPLANE_WRAP_H
#define CIX_ADDON_DATAPLANE_WRAP_H

#include <napi.h>

extern "C" {
#include "host/dataplane.h"
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
  Napi::Value Close(const Napi::CallbackInfo& info);
  void Release();

  cix_dataplane* dp_ = nullptr;
  Napi::Reference<Napi::ArrayBuffer> counters_;
  size_t counters_offset_ = 0;
  bool busy_ = false;
};

#endif
