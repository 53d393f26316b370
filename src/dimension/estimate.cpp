#include "trainscape/dimension/estimate.hpp"

#include <cmath>
#include <cstdio>

namespace trainscape {

const char* to_string(DimensionMethod method) {
  switch (method) {
    case DimensionMethod::PorespyMedian: return "porespy_median";
    case DimensionMethod::BoxcountFit: return "boxcount_fit";
    case DimensionMethod::Pair: return "pair";
    case DimensionMethod::Uncertainty: return "uncertainty";
  }
  return "unknown";
}

bool from_string(const std::string& name, DimensionMethod& out) {
  for (DimensionMethod m : {DimensionMethod::PorespyMedian, DimensionMethod::BoxcountFit, DimensionMethod::Pair,
                            DimensionMethod::Uncertainty}) {
    if (name == to_string(m)) {
      out = m;
      return true;
    }
  }
  return false;
}

bool DimensionEstimate::has_ci() const { return std::isfinite(ci_low) && std::isfinite(ci_high); }

std::string format_estimate(const DimensionEstimate& e, int digits) {
  if (!std::isfinite(e.dimension)) return "n/a";
  char buf[128];
  if (e.has_ci()) {
    std::snprintf(buf, sizeof buf, "%.*f [%.*f, %.*f]", digits, e.dimension, digits, e.ci_low, digits, e.ci_high);
  } else {
    std::snprintf(buf, sizeof buf, "%.*f", digits, e.dimension);
  }
  return buf;
}

}  // namespace trainscape
