// Runs a replay off the event loop and settles a promise with its stats.
#ifndef CIX_ADDON_REPLAY_WORKER_H
#define CIX_ADDON_REPLAY_WORKER_H

#include <napi.h>

class DataplaneWrap;

// dataplane.replay({ports: [{id, input?, output?}], burst}) -> Promise<stats>
Napi::Value StartReplay(const Napi::CallbackInfo& info, DataplaneWrap* dp);

#endif
