#include "report_format.hpp"

#include <cmath>
#include <type_traits>

namespace trainscape::app {

namespace {

/// Whether `field` of `e` appears in the JSON: fields an estimator does not produce are left out
/// (porespy_median has no error bar; only box counting has an occupancy; only the sampling
/// estimators count samples), and so is an empty mode.
bool shown_in_json(const DimensionEstimate& e, const std::string& field) {
  const DimensionMethod m = e.method;
  if (field == "ci_low" || field == "ci_high" || field == "systematic" || field == "boot_low" || field == "boot_high" ||
      field == "fit_se") {
    return m != DimensionMethod::PorespyMedian;
  }
  if (field == "mode") return !e.mode.empty();
  if (field == "occupancy" || field == "saturated") return m == DimensionMethod::BoxcountFit;
  if (field == "samples") return m == DimensionMethod::Pair || m == DimensionMethod::Uncertainty;
  return true;
}

/// Bounds that the JSON shows as one [low, high] array under the key given here.
const char* interval_key(const std::string& high_field) {
  if (high_field == "ci_high") return "ci";
  if (high_field == "boot_high") return "bootstrap";
  if (high_field == "fit_max") return "fit_range";
  return nullptr;
}
bool is_interval_low(const std::string& field) {
  return field == "ci_low" || field == "boot_low" || field == "fit_min";
}


}  // namespace

std::string range_text(const DimensionEstimate& e) {
  if (!std::isfinite(e.fit_min) || !std::isfinite(e.fit_max)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g..%g px", e.fit_min, e.fit_max);
  return buf;
}

std::string json_number(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += ch;  // UTF-8 bytes pass through
        }
    }
  }
  return out + "\"";
}

std::string json_array(const std::vector<double>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + json_number(v[i]);
  return out + "]";
}

JsonObject& JsonObject::raw(const std::string& key, const std::string& json) {
  text_ += (first_ ? "" : ",") + std::string("\n") + std::string(static_cast<std::size_t>(indent_ + 2), ' ') +
           json_string(key) + ": " + json;
  first_ = false;
  return *this;
}

std::string JsonObject::done() const {
  return "{" + text_ + (first_ ? "" : "\n" + std::string(static_cast<std::size_t>(indent_), ' ')) + "}";
}

/// Every field of the estimate (visit_fields, in its order) that shown_in_json keeps.
std::string estimate_json(const DimensionEstimate& e, int indent) {
  JsonObject o(indent);
  double low = 0.0;  // the lower bound of the interval being written
  visit_fields(e, [&](const char* name, const auto& value) {
    using T = std::decay_t<decltype(value)>;
    if (!shown_in_json(e, name)) return;
    if constexpr (std::is_same_v<T, double>) {
      if (is_interval_low(name)) {
        low = value;
      } else if (const char* key = interval_key(name)) {
        o.raw(key, json_array({low, value}));
      } else {
        o.num(name, value);
      }
    } else if constexpr (std::is_same_v<T, bool>) {
      o.boolean(name, value);
    } else if constexpr (std::is_integral_v<T>) {
      o.integer(name, value);
    } else if constexpr (std::is_same_v<T, DimensionMethod>) {
      o.str(name, to_string(value));
    } else if constexpr (std::is_same_v<T, std::string>) {
      o.str(name, value);
    } else {
      static_assert(std::is_same_v<T, std::vector<double>>, "a new kind of field needs a JSON form");
      o.raw(name, json_array(value));
    }
  });
  return o.done();
}

void add_report(JsonObject& o, const DimensionReport& r, int indent) {
  o.raw("porespy_median", estimate_json(r.porespy_median, indent));
  o.raw("boxcount_fit", estimate_json(r.boxcount_fit, indent));
  o.raw("pair", estimate_json(r.pair, indent));
}

// ---- text ----------------------------------------------------------------------------------------

std::string interval_text(const DimensionEstimate& e) {
  if (!std::isfinite(e.dimension)) return "n/a";
  return format_estimate(e, 4);
}


void print_report_table(std::FILE* out, const DimensionReport& r) {
  std::fprintf(out, "%-16s %-27s %-14s %s\n", "estimator", "D [95% interval]", "fit range", "notes");
  for (const DimensionEstimate* e : {&r.porespy_median, &r.boxcount_fit, &r.pair}) {
    std::string notes = e->mode.empty() ? "" : e->mode;
    if (e->method == DimensionMethod::PorespyMedian)
      notes = "the paper's estimator (median of local slopes; no error bar)";
    if (!e->note.empty()) notes += (notes.empty() ? "" : "; ") + e->note;
    std::fprintf(out, "%-16s %-27s %-14s %s\n", to_string(e->method), interval_text(*e).c_str(), range_text(*e).c_str(),
                 notes.c_str());
  }
}

}  // namespace trainscape::app
