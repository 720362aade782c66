// The live run spec (LiveRunSpec in src/native/binding.ts) read into the C
// runtime's options, and the runtime's status and socket statistics turned
// back into JavaScript objects.
#ifndef CIX_ADDON_LIVE_SPEC_H
#define CIX_ADDON_LIVE_SPEC_H

#include <napi.h>

#include <cstdint>
#include <vector>

extern "C" {
#include "host/live.h"
}

struct LiveSpec {
  std::vector<cix_live_port> ports;
  std::vector<int32_t> cpus;
  uint32_t workers = 0;
  uint32_t burst = 0;

  // The C view; valid while this object lives.
  cix_live_opts opts() const {
    return {ports.data(), (uint32_t)ports.size(), workers, cpus.empty() ? nullptr : cpus.data(),
            (uint32_t)cpus.size(), burst};
  }
};

// false with a TypeError/RangeError pending that names the field.
bool ParseLiveSpec(Napi::Env env, Napi::Value v, LiveSpec* out);

// LivePortStatus[]: per port, its driver's mode and one entry per socket.
Napi::Array LiveStatus(Napi::Env env, const cix_live* l);

// LiveSocketStats[]: per (port, queue), counters as BigInt.
Napi::Array LiveSocketStatsArray(Napi::Env env, const cix_live* l);

#endif
