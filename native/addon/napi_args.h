// Reading option objects from JavaScript. TypeScript checked them already
// (src/dataplane), so a failure here is a programming error: it throws a
// TypeError or RangeError naming the field, and never crashes.
#ifndef CIX_ADDON_NAPI_ARGS_H
#define CIX_ADDON_NAPI_ARGS_H

#include <napi.h>

#include <cstdint>
#include <string>

// An integer in [lo, hi] at o[key]; `where` prefixes the message ("start: ports[1]").
inline bool ArgInt(Napi::Object o, const std::string& where, const char* key, int64_t lo, int64_t hi,
                   int64_t* out) {
  Napi::Value v = o.Get(key);
  if (!v.IsNumber()) {
    Napi::TypeError::New(o.Env(), where + "." + key + " must be a number").ThrowAsJavaScriptException();
    return false;
  }
  double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= (double)lo && d <= (double)hi) || d != (double)(int64_t)d) {
    Napi::RangeError::New(o.Env(), where + "." + key + " must be an integer in " + std::to_string(lo) +
                                        ".." + std::to_string(hi))
        .ThrowAsJavaScriptException();
    return false;
  }
  *out = (int64_t)d;
  return true;
}

// A string of 1..max_len bytes (UTF-8) at o[key].
inline bool ArgString(Napi::Object o, const std::string& where, const char* key, size_t max_len,
                      std::string* out) {
  Napi::Value v = o.Get(key);
  if (!v.IsString()) {
    Napi::TypeError::New(o.Env(), where + "." + key + " must be a string").ThrowAsJavaScriptException();
    return false;
  }
  *out = v.As<Napi::String>().Utf8Value();
  if (out->empty() || out->size() > max_len || out->find('\0') != std::string::npos) {
    Napi::RangeError::New(o.Env(), where + "." + key + " must be 1.." + std::to_string(max_len) +
                                        " bytes without NUL")
        .ThrowAsJavaScriptException();
    return false;
  }
  return true;
}

// An array at o[key].
inline bool ArgArray(Napi::Object o, const std::string& where, const char* key, Napi::Array* out) {
  Napi::Value v = o.Get(key);
  if (!v.IsArray()) {
    Napi::TypeError::New(o.Env(), where + "." + key + " must be an array").ThrowAsJavaScriptException();
    return false;
  }
  *out = v.As<Napi::Array>();
  return true;
}

// An object at a[i].
inline bool ArgElementObject(Napi::Array a, const std::string& where, uint32_t i, Napi::Object* out) {
  Napi::Value v = a.Get(i);
  if (!v.IsObject()) {
    Napi::TypeError::New(a.Env(), where + "[" + std::to_string(i) + "] must be an object")
        .ThrowAsJavaScriptException();
    return false;
  }
  *out = v.As<Napi::Object>();
  return true;
}

#endif
