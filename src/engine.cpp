#include "trainscape/engine.hpp"

#include "trainscape/batched_engine.hpp"

#include "trainscape/error.hpp"
#include "trainscape/reference_engine.hpp"

namespace trainscape {

namespace {

/// Every engine, once: its name (as Engine::name() returns it) and how to make it.
struct EngineEntry {
  const char* name;
  std::unique_ptr<Engine> (*make)();
};
constexpr EngineEntry kEngines[] = {
    {"reference", [] { return std::unique_ptr<Engine>(std::make_unique<ReferenceEngine>()); }},
    {"batched", [] { return std::unique_ptr<Engine>(std::make_unique<BatchedEngine>()); }},
};

}  // namespace

std::vector<std::string> engine_names() {
  std::vector<std::string> names;
  for (const auto& e : kEngines) names.emplace_back(e.name);
  return names;
}

std::string engine_choices() {
  std::string text;
  for (const auto& e : kEngines) text += (text.empty() ? "" : " | ") + std::string(e.name);
  return text;
}

std::unique_ptr<Engine> make_engine(const std::string& name) {
  for (const auto& e : kEngines) {
    if (name == e.name) return e.make();
  }
  std::string known;
  for (const auto& n : engine_names()) known += (known.empty() ? "" : ", ") + n;
  throw ConfigError("unknown engine '" + name + "' (available: " + known + ")");
}

}  // namespace trainscape
