#pragma once
/// How the tool prints dimension estimates: a small JSON emitter (NaN and infinities become
/// null) driven by DimensionEstimate's field table (visit_fields), and the plain-text table.
/// Shared by the dimension and uncertainty commands.
#include <cstdio>
#include <string>
#include <vector>

#include "trainscape/dimension/estimate.hpp"

namespace trainscape::app {

std::string json_number(double v);
std::string json_string(const std::string& s);
std::string json_array(const std::vector<double>& v);

/// An object written key by key, at a given indentation.
class JsonObject {
 public:
  explicit JsonObject(int indent) : indent_(indent) {}
  JsonObject& raw(const std::string& key, const std::string& json);
  JsonObject& num(const std::string& key, double v) { return raw(key, json_number(v)); }
  JsonObject& integer(const std::string& key, long long v) { return raw(key, std::to_string(v)); }
  JsonObject& str(const std::string& key, const std::string& v) { return raw(key, json_string(v)); }
  JsonObject& boolean(const std::string& key, bool v) { return raw(key, v ? "true" : "false"); }
  std::string done() const;

 private:
  int indent_;
  std::string text_;
  bool first_ = true;
};

/// Every field of the estimate (visit_fields, in its order) that the estimator produces, as one
/// JSON object; intervals as [low, high] arrays (ci, bootstrap, fit_range).
std::string estimate_json(const DimensionEstimate& e, int indent);

/// The three image estimators of a report as keys of `o`.
void add_report(JsonObject& o, const DimensionReport& r, int indent);

/// "1.2345 [1.2011, 1.2702]" or "n/a".
std::string interval_text(const DimensionEstimate& e);

/// "MIN..MAX px", the default fit range, or "-".
std::string range_text(const DimensionEstimate& e);

/// The report as a table: estimator, D [interval], fit range, notes.
void print_report_table(std::FILE* out, const DimensionReport& r);

}  // namespace trainscape::app
