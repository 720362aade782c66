#include "live_spec.h"

#include <arpa/inet.h>

#include <cstring>
#include <string>

#include "napi_args.h"

extern "C" {
#include "core/limits.h"
}

namespace {

bool ParseDriver(Napi::Object p, const std::string& where, cix_live_port* out) {
  std::string driver, mode;
  if (!ArgString(p, where, "driver", 16, &driver) || !ArgString(p, where, "xdpMode", 16, &mode))
    return false;
  if (driver == "afxdp") {
    out->io.driver = CIX_LIVE_AFXDP;
  } else if (driver == "afpacket") {
    out->io.driver = CIX_LIVE_AFPACKET;
  } else {
    Napi::RangeError::New(p.Env(), where + ".driver must be 'afxdp' or 'afpacket'").ThrowAsJavaScriptException();
    return false;
  }
  if (mode == "auto") {
    out->io.xdp_mode = CIX_XDP_AUTO;
  } else if (mode == "native") {
    out->io.xdp_mode = CIX_XDP_NATIVE;
  } else if (mode == "skb") {
    out->io.xdp_mode = CIX_XDP_SKB;
  } else {
    Napi::RangeError::New(p.Env(), where + ".xdpMode must be 'auto', 'native' or 'skb'")
        .ThrowAsJavaScriptException();
    return false;
  }
  return true;
}

bool ParseAddresses(Napi::Object p, const std::string& where, cix_live_port* out) {
  Napi::Array addrs;
  if (!ArgArray(p, where, "addresses", &addrs)) return false;
  if (addrs.Length() > CIX_LIVE_MAX_ADDRS) {
    Napi::RangeError::New(p.Env(), where + ".addresses: at most " + std::to_string(CIX_LIVE_MAX_ADDRS))
        .ThrowAsJavaScriptException();
    return false;
  }
  for (uint32_t k = 0; k < addrs.Length(); k++) {
    Napi::Value a = addrs.Get(k);
    std::string at = where + ".addresses[" + std::to_string(k) + "]";
    in_addr ip;
    if (!a.IsString() || inet_pton(AF_INET, a.As<Napi::String>().Utf8Value().c_str(), &ip) != 1) {
      Napi::TypeError::New(p.Env(), at + " must be a dotted-quad IPv4 address").ThrowAsJavaScriptException();
      return false;
    }
    out->io.addrs[k] = ip.s_addr;  // network byte order, as live.h wants
  }
  out->io.n_addrs = addrs.Length();
  return true;
}

bool ParsePort(Napi::Object p, const std::string& where, cix_live_port* out) {
  std::memset(out, 0, sizeof(*out));
  int64_t id;
  std::string name, ifname;
  if (!ArgInt(p, where, "id", 0, CIX_MAX_PORTS - 1, &id) ||
      !ArgString(p, where, "name", CIX_LIVE_NAME_MAX - 1, &name) ||
      !ArgString(p, where, "interface", CIX_IFNAMSIZ - 1, &ifname) || !ParseDriver(p, where, out) ||
      !ParseAddresses(p, where, out))
    return false;

  out->io.port = (uint16_t)id;
  std::memcpy(out->io.ifname, ifname.c_str(), ifname.size() + 1);
  std::memcpy(out->name, name.c_str(), name.size() + 1);
  return true;
}

const char* DriverName(cix_live_driver d) { return d == CIX_LIVE_AFXDP ? "afxdp" : "afpacket"; }

}  // namespace

bool ParseLiveSpec(Napi::Env env, Napi::Value v, LiveSpec* out) {
  if (!v.IsObject()) {
    Napi::TypeError::New(env, "start: run spec object expected").ThrowAsJavaScriptException();
    return false;
  }
  Napi::Object o = v.As<Napi::Object>();
  Napi::Array ports, cpus;
  int64_t workers, burst;
  if (!ArgArray(o, "start", "ports", &ports) || !ArgInt(o, "start", "workers", 1, CIX_MAX_WORKERS, &workers) ||
      !ArgInt(o, "start", "burst", 1, CIX_MAX_BURST, &burst) || !ArgArray(o, "start", "cpus", &cpus))
    return false;
  if (ports.Length() == 0 || ports.Length() > CIX_MAX_PORTS) {
    Napi::RangeError::New(env, "start.ports: 1.." + std::to_string(CIX_MAX_PORTS) + " ports expected")
        .ThrowAsJavaScriptException();
    return false;
  }
  out->workers = (uint32_t)workers;
  out->burst = (uint32_t)burst;
  out->ports.resize(ports.Length());
  for (uint32_t i = 0; i < ports.Length(); i++) {
    std::string where = "start.ports[" + std::to_string(i) + "]";
    Napi::Object p;
    if (!ArgElementObject(ports, "start.ports", i, &p) || !ParsePort(p, where, &out->ports[i])) return false;
  }
  if (cpus.Length() != 0 && cpus.Length() != (uint32_t)workers) {
    Napi::RangeError::New(env, "start.cpus: empty or one per worker").ThrowAsJavaScriptException();
    return false;
  }
  for (uint32_t i = 0; i < cpus.Length(); i++) {
    Napi::Value c = cpus.Get(i);
    double d = c.IsNumber() ? c.As<Napi::Number>().DoubleValue() : -1;
    if (!(d >= 0 && d < 1 << 20) || d != (double)(int32_t)d) {
      Napi::RangeError::New(env, "start.cpus[" + std::to_string(i) + "] must be a CPU number")
          .ThrowAsJavaScriptException();
      return false;
    }
    out->cpus.push_back((int32_t)d);
  }
  return true;
}

Napi::Array LiveStatus(Napi::Env env, const cix_live* l) {
  uint32_t n = cix_live_n_ports(l), workers = cix_live_workers(l);
  Napi::Array ports = Napi::Array::New(env, n);
  for (uint32_t i = 0; i < n; i++) {
    cix_live_port_info st;
    cix_live_describe_port(l, i, &st);
    Napi::Object p = Napi::Object::New(env);
    p.Set("id", Napi::Number::New(env, st.port));
    p.Set("name", st.name);
    p.Set("interface", st.ifname);
    p.Set("driver", DriverName(st.driver));
    p.Set("mode", st.mode);
    Napi::Array socks = Napi::Array::New(env, workers);
    for (uint32_t q = 0; q < workers; q++) {
      Napi::Object s = Napi::Object::New(env);
      s.Set("queue", Napi::Number::New(env, q));
      s.Set("worker", Napi::Number::New(env, q));
      s.Set("mode", cix_live_socket_mode(l, i, q));
      socks.Set(q, s);
    }
    p.Set("sockets", socks);
    ports.Set(i, p);
  }
  return ports;
}

Napi::Array LiveSocketStatsArray(Napi::Env env, const cix_live* l) {
  std::vector<cix_live_socket_stats> stats(cix_live_n_ports(l) * cix_live_workers(l));
  uint32_t n = cix_live_collect_socket_stats(l, stats.data(), (uint32_t)stats.size());
  Napi::Array a = Napi::Array::New(env, n);
  for (uint32_t i = 0; i < n && i < stats.size(); i++) {
    const cix_live_socket_stats& s = stats[i];
    Napi::Object o = Napi::Object::New(env);
    o.Set("port", Napi::Number::New(env, s.port));
    o.Set("queue", Napi::Number::New(env, s.queue));
    o.Set("worker", Napi::Number::New(env, s.worker));
    const cix_live_driver_stats& d = s.driver;
    o.Set("rxEmptyPolls", Napi::BigInt::New(env, d.rx_empty_polls));
    o.Set("fillShortfall", Napi::BigInt::New(env, d.fill_shortfall));
    o.Set("txKicks", Napi::BigInt::New(env, d.tx_kicks));
    o.Set("rxKicks", Napi::BigInt::New(env, d.rx_kicks));
    o.Set("rxDropped", Napi::BigInt::New(env, d.rx_dropped));
    o.Set("rxInvalid", Napi::BigInt::New(env, d.rx_invalid));
    o.Set("txInvalid", Napi::BigInt::New(env, d.tx_invalid));
    o.Set("rxRingFull", Napi::BigInt::New(env, d.rx_ring_full));
    o.Set("fillRingEmpty", Napi::BigInt::New(env, d.fill_ring_empty));
    o.Set("txRingEmpty", Napi::BigInt::New(env, d.tx_ring_empty));
    a.Set(i, o);
  }
  return a;
}
