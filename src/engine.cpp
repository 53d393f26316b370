#include "trainscape/engine.hpp"

#include "trainscape/batched_engine.hpp"

#include "trainscape/error.hpp"
#include "trainscape/reference_engine.hpp"

namespace trainscape {

std::vector<std::string> engine_names() { return {"reference", "batched"}; }

std::unique_ptr<Engine> make_engine(const std::string& name) {
  if (name == "reference") return std::make_unique<ReferenceEngine>();
  if (name == "batched") return std::make_unique<BatchedEngine>();
  std::string known;
  for (const auto& n : engine_names()) known += (known.empty() ? "" : ", ") + n;
  throw ConfigError("unknown engine '" + name + "' (available: " + known + ")");
}

}  // namespace trainscape
