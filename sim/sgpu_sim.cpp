// sgpu_sim.cpp - the C ABI of sgpu_sim.h over the C++ harness, built into
// libsgpu_sim_<config>.so for libsgpu's sim: transport.
#include "sgpu_sim.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <new>
#include <string>
#include <vector>

#include "sgpu_harness.h"

#ifndef SGPU_SIM_CONFIG
#define SGPU_SIM_CONFIG "default"
#endif

struct sgpu_sim {
  SgpuHarness h;
  explicit sgpu_sim(const char *trace) : h(trace) {}
};

namespace {

// The live instances, in order of creation (sgpu_sim_instance).
std::mutex g_mu;
std::vector<sgpu_sim *> g_live;

// Why the last sgpu_sim_create of this thread failed.
thread_local char t_error[512];

struct EngineSettings {
  uint32_t hold;
  bool writes;
};

// Apply a settings list (sgpu_sim.h) to s; "" on success, else the reason, naming the setting.
std::string parse_engines(const char *spec, uint32_t engines, EngineSettings *s) {
  const std::string all(spec ? spec : "");
  const std::string known = " (known: reads, writes, hold=MASK)";
  size_t pos = 0;
  while (pos <= all.size()) {
    size_t end = all.find(',', pos);
    if (end == std::string::npos) end = all.size();
    const std::string tok = all.substr(pos, end - pos);
    if (tok == "reads") {
      s->writes = false;
    } else if (tok == "writes") {
      s->writes = true;
    } else if (tok.compare(0, 5, "hold=") == 0) {
      const std::string v = tok.substr(5);
      char *rest = nullptr;
      errno = 0;
      unsigned long long m = v.empty() ? 0 : std::strtoull(v.c_str(), &rest, 0);
      if (v.empty() || v[0] == '-' || v[0] == '+' || errno || *rest)
        return "bad engine mask in '" + tok + "' (a number: hold=3, hold=0x1)";
      const unsigned long long max = engines >= 64 ? ~0ull : (1ull << engines) - 1;
      if (m > max) {
        char b[160];
        std::snprintf(b, sizeof b, "'%s' names an engine the model lacks: it has %u (mask at most 0x%llX)",
                      tok.c_str(), engines, max);
        return b;
      }
      s->hold = static_cast<uint32_t>(m);
    } else if (tok.empty()) {
      if (all.empty()) break;
      return "empty setting in '" + all + "'" + known;
    } else {
      return "unknown setting '" + tok + "'" + known;
    }
    pos = end + 1;
  }
  return "";
}

std::string apply_engines(sgpu_sim *sim, const char *spec) {
  EngineSettings s{sim->h.engine_hold(), sim->h.engine_writes()};
  std::string e = parse_engines(spec, sim->h.engine_count(), &s);
  if (!e.empty()) return e;
  sim->h.set_engine_hold(s.hold);
  sim->h.set_engine_writes(s.writes);
  return "";
}

}  // namespace

extern "C" {

sgpu_sim *sgpu_sim_create(const char *trace_path) {
  t_error[0] = '\0';
  sgpu_sim *sim = nullptr;
  try {
    sim = new sgpu_sim(trace_path);
  } catch (...) {
    std::snprintf(t_error, sizeof t_error, "sgpu_sim: creating the model failed");
    return nullptr;
  }
  const char *env = std::getenv(SGPU_SIM_ENGINES_ENV);
  if (env && *env) {
    std::string e = apply_engines(sim, env);
    if (!e.empty()) {
      std::snprintf(t_error, sizeof t_error, "sgpu_sim: %s='%s': %s", SGPU_SIM_ENGINES_ENV, env,
                    e.c_str());
      std::fprintf(stderr, "%s\n", t_error);
      delete sim;
      return nullptr;
    }
  }
  try {
    std::lock_guard<std::mutex> lock(g_mu);
    g_live.push_back(sim);
  } catch (...) {
    std::snprintf(t_error, sizeof t_error, "sgpu_sim: out of memory");
    delete sim;
    return nullptr;
  }
  return sim;
}

void sgpu_sim_destroy(sgpu_sim *sim) {
  if (!sim) return;
  {
    std::lock_guard<std::mutex> lock(g_mu);
    g_live.erase(std::remove(g_live.begin(), g_live.end(), sim), g_live.end());
  }
  delete sim;
}

uint32_t sgpu_sim_abi_version(void) { return SGPU_SIM_ABI_VERSION; }

int sgpu_sim_read32(sgpu_sim *sim, uint32_t addr, uint32_t *data, uint32_t max_cycles) {
  return sim->h.read32(addr, data, max_cycles) ? 0 : -1;
}

int sgpu_sim_write32(sgpu_sim *sim, uint32_t addr, uint32_t data, uint32_t max_cycles) {
  (void)max_cycles;  // writes are posted: the bus takes one every cycle
  return sim->h.write32(addr, data) ? 0 : -1;
}

void sgpu_sim_step(sgpu_sim *sim, uint64_t n) { sim->h.step(n); }

uint64_t sgpu_sim_cycles(sgpu_sim *sim) { return sim->h.cycles(); }

const char *sgpu_sim_config(void) { return SGPU_SIM_CONFIG; }

int sgpu_sim_engines_set(sgpu_sim *sim, const char *settings, char *err, size_t errlen) {
  std::string e;
  try {
    e = apply_engines(sim, settings);
  } catch (...) {
    e = "out of memory";
  }
  if (e.empty()) return 0;
  if (err && errlen) std::snprintf(err, errlen, "engine settings '%s': %s", settings ? settings : "", e.c_str());
  return -1;
}

void sgpu_sim_engines_get(sgpu_sim *sim, sgpu_sim_engine_info *info) {
  info->engines = sim->h.engine_count();
  info->hold_mask = sim->h.engine_hold();
  info->writes = sim->h.engine_writes() ? 1u : 0u;
  info->items_done = sim->h.engine_items_done();
  info->owner_violations = sim->h.owner_violations();
}

sgpu_sim *sgpu_sim_instance(uint32_t index) {
  std::lock_guard<std::mutex> lock(g_mu);
  return index < g_live.size() ? g_live[index] : nullptr;
}

const char *sgpu_sim_error(void) { return t_error; }

}  // extern "C"
