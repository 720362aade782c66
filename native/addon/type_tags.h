// Type tags (napi_type_tag_object) of the objects this addon wraps: a
// method called with `this` set to anything else, another addon's wrapped
// object included, throws a TypeError instead of reading foreign memory.
#ifndef CIX_ADDON_TYPE_TAGS_H
#define CIX_ADDON_TYPE_TAGS_H

#include <napi.h>

// Random 128-bit values, one per class; never change them in place.
inline constexpr napi_type_tag kDataplaneTag = {0x6369785f64706c6eULL, 0x8f3a1c5e27b94d01ULL};
inline constexpr napi_type_tag kCountersMapTag = {0x6369785f636e746dULL, 0x4e2b7d90a61f3c55ULL};

// True when `this` carries the tag; otherwise throws a TypeError naming `what`.
inline bool CheckThis(const Napi::CallbackInfo& info, const napi_type_tag& tag, const char* what) {
  Napi::Value self = info.This();
  if (self.IsObject() && self.As<Napi::Object>().CheckTypeTag(&tag)) return true;
  Napi::TypeError::New(info.Env(), std::string(what) + ": called on an object that is not one")
      .ThrowAsJavaScriptException();
  return false;
}

#endif
