// A counters file mapping (host/counters_shm.h) shared between the object
// that made it (Dataplane, CountersMap) and the external ArrayBuffer that
// JavaScript reads it through. Whichever lets go last unmaps it, so neither
// a garbage-collected buffer under running workers nor a closed owner under
// a live typed array can touch unmapped memory.
#ifndef CIX_ADDON_COUNTERS_MAPPING_H
#define CIX_ADDON_COUNTERS_MAPPING_H

#include <napi.h>

#include <memory>

extern "C" {
#include "host/counters_shm.h"
}

class CountersMapping {
 public:
  explicit CountersMapping(const cix_counters_map& m) : map_(m) {}
  ~CountersMapping() { cix_counters_map_close(&map_); }
  CountersMapping(const CountersMapping&) = delete;
  CountersMapping& operator=(const CountersMapping&) = delete;

  const cix_counters_map& map() const { return map_; }
  uint64_t* counters() const { return map_.counters; }

 private:
  cix_counters_map map_;
};

// The whole mapping (header included) as an ArrayBuffer holding its own share.
Napi::ArrayBuffer CountersBuffer(Napi::Env env, const std::shared_ptr<CountersMapping>& m);

// What layout() returns (CounterLayout in src/native/binding.ts): where the
// block starts in `buffer` and how it is laid out (core/counters.h).
Napi::Object CounterLayoutObject(Napi::Env env, Napi::ArrayBuffer buffer, size_t byte_offset,
                                 uint32_t workers, uint32_t objects);

#endif
