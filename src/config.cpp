#include "trainscape/config.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <optional>
#include <sstream>

#include "trainscape/error.hpp"
#include "trainscape/window.hpp"

namespace trainscape {

// ---- enums ---------------------------------------------------------------------------------------

namespace {
template <class E>
struct EnumName {
  E value;
  const char* name;
};
constexpr EnumName<ModelKind> kModelKindNames[] = {{ModelKind::Mlp, "mlp"},
                                                   {ModelKind::RippleQuadratic, "ripple_quadratic"}};
constexpr EnumName<Nonlinearity> kNonlinearityNames[] = {
    {Nonlinearity::Tanh, "tanh"}, {Nonlinearity::Relu, "relu"}, {Nonlinearity::Identity, "identity"}};
constexpr EnumName<DataRng> kDataRngNames[] = {{DataRng::Native, "native"}, {DataRng::Jax, "jax"}};
constexpr EnumName<JaxErfInv> kJaxErfInvNames[] = {{JaxErfInv::LibmFma, "libm_fma"},
                                                   {JaxErfInv::LibmPlain, "libm_plain"},
                                                   {JaxErfInv::CephesFma, "cephes_fma"},
                                                   {JaxErfInv::CephesPlain, "cephes_plain"}};
constexpr EnumName<Arithmetic> kArithmeticNames[] = {{Arithmetic::Direct, "direct"},
                                                     {Arithmetic::Perturbation, "perturbation"}};
constexpr EnumName<Precision> kPrecisionNames[] = {{Precision::Float64, "float64"}, {Precision::Float32, "float32"}};
constexpr EnumName<PhaseSpaceKind> kPhaseSpaceNames[] = {
    {PhaseSpaceKind::LrVsLr, "lr_vs_lr"},
    {PhaseSpaceKind::OffsetAtInitVsLr, "offset_at_init_vs_lr"},
    {PhaseSpaceKind::OffsetEveryStepVsLr, "offset_every_step_vs_lr"},
    {PhaseSpaceKind::Axes, "axes"}};
constexpr EnumName<Optimizer> kOptimizerNames[] = {{Optimizer::Gd, "gd"},
                                                   {Optimizer::Momentum, "momentum"},
                                                   {Optimizer::Nesterov, "nesterov"},
                                                   {Optimizer::Adam, "adam"},
                                                   {Optimizer::AdamW, "adamw"}};
constexpr EnumName<Schedule> kScheduleNames[] = {
    {Schedule::Constant, "constant"}, {Schedule::Cosine, "cosine"}, {Schedule::WarmupCosine, "warmup_cosine"}};
constexpr EnumName<AxisParam> kAxisParamNames[] = {{AxisParam::Lr, "lr"},
                                                   {AxisParam::LrEven, "lr.even"},
                                                   {AxisParam::LrOdd, "lr.odd"},
                                                   {AxisParam::LrLayer, "lr.L"},
                                                   {AxisParam::InitOffset, "init_offset"},
                                                   {AxisParam::InitOffsetEveryStep, "init_offset_every_step"},
                                                   {AxisParam::InitScale, "init_scale"},
                                                   {AxisParam::Momentum, "momentum"},
                                                   {AxisParam::AdamBeta1, "adam_beta1"},
                                                   {AxisParam::AdamBeta2, "adam_beta2"},
                                                   {AxisParam::AdamEps, "adam_eps"},
                                                   {AxisParam::WeightDecay, "weight_decay"},
                                                   {AxisParam::Delta, "delta"},
                                                   {AxisParam::Wavelength, "wavelength"}};
constexpr EnumName<AxisScale> kAxisScaleNames[] = {{AxisScale::Log10, "log10"}, {AxisScale::Linear, "linear"}};
constexpr EnumName<Readout> kReadoutNames[] = {{Readout::Loss, "loss"}, {Readout::Probe, "probe"}};

template <class E, std::size_t N>
const char* enum_to_string(const EnumName<E> (&table)[N], E v) {
  for (const auto& entry : table) {
    if (entry.value == v) return entry.name;
  }
  return "?";
}
template <class E, std::size_t N>
bool enum_from_string(const EnumName<E> (&table)[N], const std::string& name, E& out) {
  for (const auto& entry : table) {
    if (name == entry.name) {
      out = entry.value;
      return true;
    }
  }
  return false;
}
template <class E, std::size_t N>
std::string enum_choices(const EnumName<E> (&table)[N]) {
  std::string s;
  for (const auto& entry : table) {
    if (!s.empty()) s += " | ";
    s += entry.name;
  }
  return s;
}
}  // namespace

const char* to_string(ModelKind v) { return enum_to_string(kModelKindNames, v); }
const char* to_string(Nonlinearity v) { return enum_to_string(kNonlinearityNames, v); }
const char* to_string(DataRng v) { return enum_to_string(kDataRngNames, v); }
const char* to_string(Precision v) { return enum_to_string(kPrecisionNames, v); }
const char* to_string(PhaseSpaceKind v) { return enum_to_string(kPhaseSpaceNames, v); }
const char* to_string(Readout v) { return enum_to_string(kReadoutNames, v); }
const char* to_string(JaxErfInv v) { return enum_to_string(kJaxErfInvNames, v); }
const char* to_string(Optimizer v) { return enum_to_string(kOptimizerNames, v); }
const char* to_string(Schedule v) { return enum_to_string(kScheduleNames, v); }
const char* to_string(AxisParam v) { return enum_to_string(kAxisParamNames, v); }
const char* to_string(AxisScale v) { return enum_to_string(kAxisScaleNames, v); }
const char* to_string(Arithmetic v) { return enum_to_string(kArithmeticNames, v); }
bool from_string(const std::string& n, Arithmetic& out) { return enum_from_string(kArithmeticNames, n, out); }
bool from_string(const std::string& n, Optimizer& out) { return enum_from_string(kOptimizerNames, n, out); }
bool from_string(const std::string& n, Schedule& out) { return enum_from_string(kScheduleNames, n, out); }
bool from_string(const std::string& n, AxisParam& out) { return enum_from_string(kAxisParamNames, n, out); }
bool from_string(const std::string& n, AxisScale& out) { return enum_from_string(kAxisScaleNames, n, out); }

// ---- phase-space axes ----------------------------------------------------------------------------

AxisSpec resolve_axis(PhaseSpaceKind kind, bool x, AxisParam param, int layer, AxisScale scale) {
  switch (kind) {
    case PhaseSpaceKind::LrVsLr: return {x ? AxisParam::LrEven : AxisParam::LrOdd, 0, AxisScale::Log10};
    case PhaseSpaceKind::OffsetAtInitVsLr: return {x ? AxisParam::InitOffset : AxisParam::Lr, 0, AxisScale::Log10};
    case PhaseSpaceKind::OffsetEveryStepVsLr:
      return {x ? AxisParam::InitOffsetEveryStep : AxisParam::Lr, 0, AxisScale::Log10};
    case PhaseSpaceKind::Axes: break;
  }
  return {param, layer, scale};
}

AxisSpec x_axis(const PhaseSpaceConfig& p) { return resolve_axis(p.kind, true, p.x_param, p.x_layer, p.x_scale); }
AxisSpec y_axis(const PhaseSpaceConfig& p) { return resolve_axis(p.kind, false, p.y_param, p.y_layer, p.y_scale); }

std::string axis_param_name(AxisParam param, int layer) {
  if (param == AxisParam::LrLayer) return "lr." + std::to_string(layer);
  return to_string(param);
}
bool from_string(const std::string& n, ModelKind& out) { return enum_from_string(kModelKindNames, n, out); }
bool from_string(const std::string& n, Nonlinearity& out) { return enum_from_string(kNonlinearityNames, n, out); }
bool from_string(const std::string& n, DataRng& out) { return enum_from_string(kDataRngNames, n, out); }
bool from_string(const std::string& n, Precision& out) { return enum_from_string(kPrecisionNames, n, out); }
bool from_string(const std::string& n, PhaseSpaceKind& out) { return enum_from_string(kPhaseSpaceNames, n, out); }
bool from_string(const std::string& n, Readout& out) { return enum_from_string(kReadoutNames, n, out); }
bool from_string(const std::string& n, JaxErfInv& out) { return enum_from_string(kJaxErfInvNames, n, out); }

// ---- derived quantities ----------------------------------------------------------------------------

std::int64_t parameter_count(const ModelConfig& m) {
  const std::int64_t n = m.width;
  return n * n + static_cast<std::int64_t>(m.depth - 2) * n * n + n * m.target_dim;
}

int dataset_size(const ModelConfig& model, const DataConfig& data) {
  switch (data.size.kind) {
    case DataSize::Kind::Single: return 1;
    case DataSize::Kind::Count: return data.size.count;
    case DataSize::Kind::Params: break;
  }
  // trunc() as Python's int() does in the notebook; clamp before converting so that a huge ratio
  // is reported by validate_config instead of overflowing.
  double n = model.nonlinearity == Nonlinearity::Identity
                 ? static_cast<double>(model.width) * data.ratio
                 : data.ratio * static_cast<double>(parameter_count(model)) / model.target_dim;
  n = std::trunc(n);
  if (!(n < 2e9)) return 2000000000;
  return static_cast<int>(n);
}

// ---- scalar parsing and formatting ------------------------------------------------------------------

namespace {

constexpr long long kMaxSteps = 10000000;
constexpr int kMaxDatasetSize = 10000000;
constexpr double kMaxAbsLog10 = 300.0;  // 10^300 is still a finite double
constexpr int kMaxLayerIndex = 64;      // model.depth <= 64

// Messages are one line of bounded length whatever the input holds: values, keys and file names
// are shown through these helpers, never raw. Raw text may contain newlines (block scalars,
// escapes, a --set given a multi-line argument), control bytes or invalid UTF-8 (binary files),
// or be huge (long scalars, deep nesting, aliases that repeat a node exponentially often).
constexpr std::size_t kMaxShownValue = 80;  ///< bytes of a value shown in a message
constexpr std::size_t kMaxShownName = 200;  ///< bytes of a key, file name or --set text

/// Length of the valid UTF-8 sequence starting at s[i], or 0 if there is none.
std::size_t utf8_sequence_length(const std::string& s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b = byte(i);
  std::size_t n = 0;
  unsigned min = 0;
  if (b >= 0xC2 && b <= 0xDF) n = 2, min = 0x80;
  else if (b >= 0xE0 && b <= 0xEF) n = 3, min = 0x800;
  else if (b >= 0xF0 && b <= 0xF4) n = 4, min = 0x10000;
  else return 0;
  if (i + n > s.size()) return 0;
  unsigned code = b & (0x3Fu >> (n - 1));
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    code = (code << 6) | (byte(i + k) & 0x3Fu);
  }
  // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not valid UTF-8.
  if (code < min || (code >= 0xD800 && code <= 0xDFFF) || code > 0x10FFFF) return 0;
  return n;
}

/// `s` as it may appear inside a one-line message: control characters and bytes that are not
/// UTF-8 escaped C-style (\n, \t, \x01, \xe9), valid UTF-8 kept, cut after `max` bytes with "...".
std::string printable(const std::string& s, std::size_t max) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (out.size() >= max) return out + "...";
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7F) {
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (const std::size_t n = c >= 0x80 ? utf8_sequence_length(s, i) : 0; n > 0) {
      out.append(s, i, n);
      i += n - 1;
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

/// The tag of `n` as written in YAML (core-schema tags as "!!int"), or "" when it has none worth
/// showing (plain, quoted and untagged nodes).
std::string shown_tag(const YAML::Node& n) {
  const std::string& tag = n.Tag();
  if (tag.empty() || tag == "?" || tag == "!") return "";
  static const std::string core = "tag:yaml.org,2002:";
  if (tag.rfind(core, 0) == 0) return "!!" + tag.substr(core.size());
  return tag[0] == '!' ? tag : "!<" + tag + ">";  // a local tag as written, a global one verbatim
}

/// Appends `n` in flow style to `out`, giving up once `out` is longer than `budget`: the caller
/// cuts the text there. Aliases are expanded (a message shows values, not anchors); the budget
/// bounds both the time spent on an exponentially aliased value and the recursion depth (each
/// level writes at least one byte).
void append_node(const YAML::Node& n, std::size_t budget, std::string& out) {
  if (out.size() > budget) return;
  if (const std::string tag = shown_tag(n); !tag.empty()) out += printable(tag, kMaxShownValue) + " ";
  switch (n.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null: out += "~"; return;
    case YAML::NodeType::Scalar: out += printable(n.Scalar(), budget); return;
    case YAML::NodeType::Sequence: {
      out += "[";
      bool first = true;
      for (const auto& item : n) {
        if (out.size() > budget) return;
        out += first ? "" : ", ";
        first = false;
        append_node(item, budget, out);
      }
      out += "]";
      return;
    }
    case YAML::NodeType::Map: {
      out += "{";
      bool first = true;
      for (const auto& kv : n) {
        if (out.size() > budget) return;
        out += first ? "" : ", ";
        first = false;
        append_node(kv.first, budget, out);
        out += ": ";
        append_node(kv.second, budget, out);
      }
      out += "}";
      return;
    }
  }
}

/// A YAML node as one short line of text, for messages.
std::string node_text(const YAML::Node& n) {
  if (!n.IsDefined() || (n.IsNull() && shown_tag(n).empty())) return "(empty)";
  std::string out;
  append_node(n, kMaxShownValue, out);
  if (out.size() <= kMaxShownValue) return out;
  // Cut at a character boundary (printable() output is ASCII or whole UTF-8 sequences).
  std::size_t cut = kMaxShownValue;
  while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
  return out.substr(0, cut) + "...";
}

/// A mapping key (section or key name) as shown in messages.
std::string key_text(const YAML::Node& key) {
  return key.IsScalar() ? printable(key.Scalar(), kMaxShownName) : node_text(key);
}

// Explicit tags must agree with what a field reads: `!!str 3` is a string, not a number, and
// custom tags (`!thing 3`) have no meaning in a config. Plain nodes carry the tag "?", quoted
// and block scalars "!".
const std::string kCoreTag = "tag:yaml.org,2002:";

bool is_plain_scalar(const YAML::Node& n, bool allow_float = false) {
  if (!n.IsDefined() || !n.IsScalar()) return false;
  const std::string& tag = n.Tag();
  return tag == "?" || tag == kCoreTag + "int" || (allow_float && tag == kCoreTag + "float");
}

/// A sequence node (intervals, [cols, rows], [x, y]) without a tag that says otherwise.
bool is_sequence(const YAML::Node& n) {
  return n.IsDefined() && n.IsSequence() && (n.Tag() == "?" || n.Tag() == kCoreTag + "seq");
}

/// A mapping node (the document, a section) without a tag that says otherwise.
bool is_mapping(const YAML::Node& n) {
  return n.IsDefined() && n.IsMap() && (n.Tag() == "?" || n.Tag() == kCoreTag + "map");
}

/// Strict decimal integer (optional sign, digits only).
bool parse_int64(const YAML::Node& n, long long& out) {
  if (!is_plain_scalar(n)) return false;
  const std::string& s = n.Scalar();
  std::size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  if (i == s.size()) return false;
  for (std::size_t k = i; k < s.size(); ++k) {
    if (s[k] < '0' || s[k] > '9') return false;
  }
  errno = 0;
  char* end = nullptr;
  out = std::strtoll(s.c_str(), &end, 10);
  return errno == 0 && end == s.c_str() + s.size();
}

bool parse_int_in(const YAML::Node& n, long long lo, long long hi, int& out) {
  long long v = 0;
  if (!parse_int64(n, v) || v < lo || v > hi) return false;
  out = static_cast<int>(v);
  return true;
}

/// A finite decimal number (integers accepted); rejects hex floats, inf and nan spellings.
bool parse_finite_double(const YAML::Node& n, double& out) {
  if (!is_plain_scalar(n, /*allow_float=*/true)) return false;
  const std::string& s = n.Scalar();
  if (s.empty()) return false;
  for (char c : s) {
    const bool ok = (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E';
    if (!ok) return false;
  }
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(v)) return false;
  out = v;
  return true;
}

bool parse_word(const YAML::Node& n, std::string& out) {
  if (!n.IsDefined() || !n.IsScalar()) return false;
  if (const std::string& tag = n.Tag(); tag != "?" && tag != "!" && tag != kCoreTag + "str") return false;
  out = n.Scalar();
  return true;
}

/// Shortest decimal text that reads back to exactly v.
std::string format_double(double v) {
  char buf[40];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  std::string s = buf;
  // Keep doubles recognisable as such ("6.0", not "6") for readers in other languages.
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

/// One value as a number, several as a flow list: the YAML a number-or-list key reads back.
std::string format_list(const std::vector<double>& values) {
  if (values.size() == 1) return format_double(values[0]);
  std::string text = "[";
  for (std::size_t i = 0; i < values.size(); ++i) text += (i ? ", " : "") + format_double(values[i]);
  return text + "]";
}

std::string quote_string(const std::string& s) {
  YAML::Emitter e;
  e << YAML::DoubleQuoted << s;
  return e.c_str();
}

// ---- the field table: one description per key, used for reading, writing and documentation ----

struct Field {
  std::string key;
  std::string meaning;                           ///< one line for the reference
  std::string rule;                              ///< what a valid value is, for messages and docs
  std::function<bool(const YAML::Node&)> parse;  ///< false: the value breaks `rule`
  std::function<std::string()> emit;             ///< the current value as YAML flow text
};

struct Section {
  std::string name;
  std::vector<Field> fields;
};

Field int_field(const std::string& key, const std::string& meaning, int& target, long long lo, long long hi) {
  std::ostringstream rule;
  rule << "must be an integer in [" << lo << ", " << hi << "]";
  return {key, meaning, rule.str(), [&target, lo, hi](const YAML::Node& n) { return parse_int_in(n, lo, hi, target); },
          [&target] { return std::to_string(target); }};
}

template <class E, std::size_t N>
Field enum_field(const std::string& key, const std::string& meaning, E& target, const EnumName<E> (&table)[N]) {
  return {key, meaning, "must be one of: " + enum_choices(table),
          [&target, &table](const YAML::Node& n) {
            std::string w;
            return parse_word(n, w) && enum_from_string(table, w, target);
          },
          [&target, &table] { return std::string(enum_to_string(table, target)); }};
}

/// A coordinate: a number, or a decimal string of any length ("1.12384387943491861234567890123").
/// `head` is the value rounded to double (as strtod rounds it), `tail` the digits beyond it
/// (config.hpp, Interval); load_config clears the tails unless training.arithmetic is perturbation.
bool parse_coordinate(const YAML::Node& n, double& head, WideTail& tail) {
  if (!n.IsDefined() || !n.IsScalar()) return false;
  const std::string& tag = n.Tag();
  const bool quoted = tag == "!" || tag == kCoreTag + "str";
  if (!quoted && !is_plain_scalar(n, /*allow_float=*/true)) return false;
  const std::optional<Wide> exact = Wide::parse(n.Scalar());
  if (!exact) return false;
  const double rounded = std::strtod(n.Scalar().c_str(), nullptr);
  if (!std::isfinite(rounded)) return false;
  head = rounded;
  const Wide rest = *exact - Wide(rounded);
  tail = {rest.limbs()[0], rest.limbs()[1], rest.limbs()[2]};
  return true;
}

/// A coordinate as YAML: the shortest double when it has no tail, else a quoted decimal string
/// with 50 significant digits (qd's ~62 hold them, so the text reads back to the same text).
std::string format_coordinate(double head, const WideTail& tail) {
  if (tail == WideTail{}) return format_double(head);
  return "\"" + Wide(head, tail).decimal(50) + "\"";
}

Field interval_field(const std::string& key, const std::string& meaning, Interval& target) {
  return {
      key, meaning,
      "must be [lo, hi], numbers or decimal strings, with lo < hi, both in [-300, 300] (log10 exponents, or values on a linear axis)",
      [&target](const YAML::Node& n) {
        if (!is_sequence(n) || n.size() != 2) return false;
        Interval v;
        if (!parse_coordinate(n[0], v.lo, v.lo_tail) || !parse_coordinate(n[1], v.hi, v.hi_tail)) return false;
        if (!(v.lo_exact() < v.hi_exact()) || std::fabs(v.lo) > kMaxAbsLog10 || std::fabs(v.hi) > kMaxAbsLog10)
          return false;
        target = v;
        return true;
      },
      [&target] {
        return "[" + format_coordinate(target.lo, target.lo_tail) + ", " +
               format_coordinate(target.hi, target.hi_tail) + "]";
      }};
}

/// A number in [0, 1) (the decay rates).
Field unit_field(const std::string& key, const std::string& meaning, double& target) {
  return {key, meaning, "must be a number in [0, 1)",
          [&target](const YAML::Node& n) {
            double v = 0;
            if (!parse_finite_double(n, v) || !(v >= 0.0 && v < 1.0)) return false;
            target = v;
            return true;
          },
          [&target] { return format_double(target); }};
}

/// An axis parameter: one of kAxisParamNames, with "lr.<L>" (L a layer index) for LrLayer.
Field axis_param_field(const std::string& key, const std::string& meaning, AxisParam& target, int& layer) {
  std::string names;
  for (const auto& entry : kAxisParamNames) {
    if (entry.value == AxisParam::LrLayer) continue;
    names += (names.empty() ? "" : " | ") + std::string(entry.name);
  }
  return {key, meaning, "must be one of: " + names + " | lr.<layer index>",
          [&target, &layer](const YAML::Node& n) {
            std::string w;
            if (!parse_word(n, w)) return false;
            if (w.rfind("lr.", 0) == 0 && w.size() > 3 && w.size() <= 5 &&
                w.find_first_not_of("0123456789", 3) == std::string::npos) {
              target = AxisParam::LrLayer;
              layer = std::atoi(w.c_str() + 3);
              return layer < kMaxLayerIndex;
            }
            if (w == "lr.L" || !enum_from_string(kAxisParamNames, w, target)) return false;
            layer = 0;
            return true;
          },
          [&target, &layer] { return axis_param_name(target, layer); }};
}

std::vector<Section> describe(RunConfig& c) {
  std::vector<Section> sections;
  ModelConfig& m = c.model;
  sections.push_back(
      {"model",
       {enum_field("kind", "what is trained: mlp = the network, ripple_quadratic = the toy loss of docs/ripple.md",
                   m.kind, kModelKindNames),
        int_field("width", "hidden width n; the input dimension d equals n", c.model.width, 1, 4096),
        int_field("depth", "number of weight matrices L", c.model.depth, 2, 64),
        enum_field("nonlinearity", "hidden-layer nonlinearity (docs/model.md#network)", c.model.nonlinearity,
                   kNonlinearityNames),
        int_field("target_dim", "output dimension k", c.model.target_dim, 1, 4096),
        int_field("dim", "ripple_quadratic: number of parameters p", m.dim, 1, 65536),
        {"delta", "ripple_quadratic: ripple amplitude in x^2 (1 + delta cos(2 pi x / wavelength))",
         "must be a finite number in (-1, 1)",
         [&m](const YAML::Node& n) {
           double v = 0;
           if (!parse_finite_double(n, v) || !(v > -1.0 && v < 1.0)) return false;
           m.delta = v;
           return true;
         },
         [&m] { return format_double(m.delta); }},
        {"wavelength", "ripple_quadratic: the ripple's period in x", "must be a finite number > 0",
         [&m](const YAML::Node& n) {
           double v = 0;
           if (!parse_finite_double(n, v) || !(v > 0.0)) return false;
           m.wavelength = v;
           return true;
         },
         [&m] { return format_double(m.wavelength); }},
        {"x0", "ripple_quadratic: the start, one value for every coordinate or [x_1, ..., x_p]",
         "must be a finite number or a list of 1..65536 of them (one per coordinate)",
         [&m](const YAML::Node& n) {
           double v = 0;
           if (parse_finite_double(n, v)) {
             m.x0 = {v};
             return true;
           }
           if (!is_sequence(n) || n.size() < 1 || n.size() > 65536) return false;
           std::vector<double> values;
           for (const auto& item : n) {
             if (!parse_finite_double(item, v)) return false;
             values.push_back(v);
           }
           m.x0 = values;
           return true;
         },
         [&m] { return format_list(m.x0); }}}});

  DataConfig& d = c.data;
  sections.push_back(
      {"data",
       {{"size", "dataset size N: params = ratio x parameters / k (identity: width x ratio), single = 1, or N",
         "must be params, single, or a dataset size in [1, 10000000]",
         [&d](const YAML::Node& n) {
           std::string w;
           int count = 0;
           if (parse_int_in(n, 1, kMaxDatasetSize, count)) {
             d.size = {DataSize::Kind::Count, count};
             return true;
           }
           if (!parse_word(n, w)) return false;
           if (w == "params") d.size = {DataSize::Kind::Params, 0};
           else if (w == "single") d.size = {DataSize::Kind::Single, 0};
           else return false;
           return true;
         },
         [&d] {
           switch (d.size.kind) {
             case DataSize::Kind::Params: return std::string("params");
             case DataSize::Kind::Single: return std::string("single");
             case DataSize::Kind::Count: break;
           }
           return std::to_string(d.size.count);
         }},
        {"ratio", "dataset size relative to the parameter count (with size: params)",
         "must be a finite number > 0 and <= 1e6",
         [&d](const YAML::Node& n) {
           double v = 0;
           if (!parse_finite_double(n, v) || !(v > 0.0) || v > 1e6) return false;
           d.ratio = v;
           return true;
         },
         [&d] { return format_double(d.ratio); }},
        enum_field(
            "rng",
            "generator of X, Y, initial weights and minibatches: native (random.hpp) or jax (the notebook's exact arrays for seed 0)",
            d.rng, kDataRngNames),
        {"seed", "seed of that generator", "must be an integer in [-9223372036854775808, 9223372036854775807]",
         [&d](const YAML::Node& n) {
           long long v = 0;
           if (!parse_int64(n, v)) return false;
           d.seed = v;
           return true;
         },
         [&d] { return std::to_string(d.seed); }},
        enum_field(
            "jax_erf_inv",
            "rng: jax only: log1p and multiply-add flavour of XLA's erf_inv in normal draws (docs/jax-rng.md#erf_inv-variants)",
            d.jax_erf_inv, kJaxErfInvNames)}});

  TrainingConfig& t = c.training;
  sections.push_back(
      {"training",
       {int_field("steps", "gradient-descent steps T per pixel", t.steps, 1, kMaxSteps),
        {"batch", "rows per gradient step; the recorded loss is always full-batch",
         "must be full or a minibatch size in [1, 10000000]",
         [&t](const YAML::Node& n) {
           std::string w;
           int size = 0;
           if (parse_int_in(n, 1, kMaxDatasetSize, size)) {
             t.batch = {false, size};
             return true;
           }
           if (!parse_word(n, w) || w != "full") return false;
           t.batch = {true, 0};
           return true;
         },
         [&t] { return t.batch.full ? std::string("full") : std::to_string(t.batch.size); }},
        enum_field("precision", "scalar type of training (measures are stored as float64)", t.precision,
                   kPrecisionNames),
        enum_field("arithmetic",
                   "direct = every pixel in the training precision; perturbation = float64 deviations from a "
                   "quad-double reference, for windows below float64's spacing (docs/deep-zoom.md)",
                   t.arithmetic, kArithmeticNames),
        int_field("certify_pixels",
                  "arithmetic: perturbation: pixels per frame trained again directly in quad-double to certify it "
                  "(docs/deep-zoom.md#certification)",
                  t.certify_pixels, 0, 4096),
        enum_field("readout",
                   "stored value: loss = the convergence measure, probe = the output at the probe input after training",
                   t.readout, kReadoutNames),
        enum_field("optimizer", "update rule (docs/optimizers.md#optimizers)", t.optimizer, kOptimizerNames),
        unit_field("momentum", "beta of momentum and nesterov", t.momentum),
        unit_field("adam_beta1", "first-moment decay of adam and adamw", t.adam_beta1),
        unit_field("adam_beta2", "second-moment decay of adam and adamw", t.adam_beta2),
        {"adam_eps", "denominator guard of adam and adamw", "must be a finite number > 0",
         [&t](const YAML::Node& n) {
           double v = 0;
           if (!parse_finite_double(n, v) || !(v > 0.0)) return false;
           t.adam_eps = v;
           return true;
         },
         [&t] { return format_double(t.adam_eps); }},
        {"weight_decay", "L2 weight decay: added to the gradient (gd, momentum, nesterov, adam) or decoupled (adamw)",
         "must be a finite number >= 0",
         [&t](const YAML::Node& n) {
           double v = 0;
           if (!parse_finite_double(n, v) || !(v >= 0.0)) return false;
           t.weight_decay = v;
           return true;
         },
         [&t] { return format_double(t.weight_decay); }},
        enum_field("schedule", "learning-rate schedule (docs/optimizers.md#schedules)", t.schedule, kScheduleNames),
        int_field("warmup_steps", "linear warm-up steps W of warmup_cosine (at most training.steps)", t.warmup_steps, 0,
                  kMaxSteps),
        {"lr", "learning rates of layers no axis sets: one for every layer, or [lr_0, ..., lr_{L-1}]",
         "must be a finite number > 0 or a list of them (one per layer)",
         [&t](const YAML::Node& n) {
           double v = 0;
           if (parse_finite_double(n, v)) {
             if (!(v > 0.0)) return false;
             t.lr = {v};
             return true;
           }
           if (!is_sequence(n) || n.size() < 1 || n.size() > 64) return false;
           std::vector<double> values;
           for (const auto& item : n) {
             if (!parse_finite_double(item, v) || !(v > 0.0)) return false;
             values.push_back(v);
           }
           t.lr = values;
           return true;
         },
         [&t] { return format_list(t.lr); }}}});

  PhaseSpaceConfig& p = c.phase_space;
  sections.push_back(
      {"phase_space",
       {enum_field(
            "kind",
            "axes: x_param against y_param; lr_vs_lr (= axes lr.even x lr.odd), offset_at_init_vs_lr (= init_offset x lr), offset_every_step_vs_lr (= init_offset_every_step x lr)",
            p.kind, kPhaseSpaceNames),
        axis_param_field("x_param", "kind: axes: the x hyperparameter (docs/optimizers.md#axes)", p.x_param, p.x_layer),
        axis_param_field("y_param", "kind: axes: the y hyperparameter", p.y_param, p.y_layer),
        enum_field("x_scale", "kind: axes: log10 (x holds exponents) or linear (x holds the values)", p.x_scale,
                   kAxisScaleNames),
        enum_field("y_scale", "kind: axes: log10 or linear, for y", p.y_scale, kAxisScaleNames),
        interval_field("x", "first window, x axis (log10 exponents, or values on a linear scale)", p.x),
        interval_field("y", "first window, y axis (log10 exponents, or values on a linear scale)", p.y)}});

  RenderConfig& r = c.render;
  sections.push_back({"render",
                      {{"resolution", "pixels per frame: n (square) or [cols, rows]",
                        "must be an integer or [cols, rows], each in [16, 65536]",
                        [&r](const YAML::Node& n) {
                          int cols = 0, rows = 0;
                          if (parse_int_in(n, 16, 65536, cols)) {
                            r.resolution = {cols, cols};
                            return true;
                          }
                          if (!is_sequence(n) || n.size() != 2) return false;
                          if (!parse_int_in(n[0], 16, 65536, cols) || !parse_int_in(n[1], 16, 65536, rows))
                            return false;
                          r.resolution = {cols, rows};
                          return true;
                        },
                        [&r] {
                          if (r.resolution.cols == r.resolution.rows) return std::to_string(r.resolution.cols);
                          return "[" + std::to_string(r.resolution.cols) + ", " + std::to_string(r.resolution.rows) +
                                 "]";
                        }}}});

  ZoomConfig& z = c.zoom;
  sections.push_back(
      {"zoom",
       {int_field("frames", "frames in the zoom sequence (frame 0 is the first window)", z.frames, 1, 100000),
        {"factor", "each frame is this many times narrower than the previous", "must be a finite number > 1 and <= 1e6",
         [&z](const YAML::Node& n) {
           double v = 0;
           if (!parse_finite_double(n, v) || !(v > 1.0) || v > 1e6) return false;
           z.factor = v;
           return true;
         },
         [&z] { return format_double(z.factor); }},
        {"target", "auto = the densest boundary of the previous frame, or a fixed centre [x, y] (log10)",
         "must be auto or [x, y], numbers or decimal strings, in [-300, 300] (log10 exponents, or values on a linear axis)",
         [&z](const YAML::Node& n) {
           std::string w;
           if (n.IsScalar() && parse_word(n, w) && w == "auto") {
             z.target = ZoomTarget{};
             return true;
           }
           if (!is_sequence(n) || n.size() != 2) return false;
           ZoomTarget v;
           v.automatic = false;
           if (!parse_coordinate(n[0], v.x, v.x_tail) || !parse_coordinate(n[1], v.y, v.y_tail)) return false;
           if (std::fabs(v.x) > kMaxAbsLog10 || std::fabs(v.y) > kMaxAbsLog10) return false;
           z.target = v;
           return true;
         },
         [&z] {
           if (z.target.automatic) return std::string("auto");
           return "[" + format_coordinate(z.target.x, z.target.x_tail) + ", " +
                  format_coordinate(z.target.y, z.target.y_tail) + "]";
         }}}});

  OutputConfig& o = c.output;
  sections.push_back(
      {"output",
       {{"dir", "run directory: frame_NNN.png and run.h5 (--out overrides)", "must be a non-empty path",
         [&o](const YAML::Node& n) {
           std::string w;
           if (!parse_word(n, w) || w.empty()) return false;
           o.dir = w;
           return true;
         },
         [&o] { return quote_string(o.dir); }},
        {"channels",
         "per-pixel values stored in run.h5: measure and class always, plus any of divergence_step, "
         "lyapunov, sharpness (docs/channels.md)",
         "must be a list of: measure | class | divergence_step | lyapunov | sharpness, each at most once",
         [&o](const YAML::Node& n) {
           if (!is_sequence(n) || n.size() > 16) return false;
           std::vector<std::string> names;
           for (const auto& item : n) {
             std::string w;
             if (!parse_word(item, w)) return false;
             names.push_back(w);
           }
           o.channels = names;  // each name is checked by validate_output
           return true;
         },
         [&o] {
           std::string text = "[";
           for (std::size_t i = 0; i < o.channels.size(); ++i) {
             text += (i ? ", " : "") + o.channels[i];
           }
           return text + "]";
         }}}});

  RuntimeConfig& rt = c.runtime;
  sections.push_back(
      {"runtime",
       {int_field("threads", "worker threads, 0 = all cores (--threads overrides); never changes a result", rt.threads,
                  0, 1024),
        {"tile", "tile side in pixels, the unit of work; auto = frame side / 8 within [8, 64]; never changes a result",
         "must be auto or an integer in [1, 4096]",
         [&rt](const YAML::Node& n) {
           std::string w;
           if (parse_int_in(n, 1, 4096, rt.tile)) return true;
           if (!parse_word(n, w) || w != "auto") return false;
           rt.tile = 0;
           return true;
         },
         [&rt] { return rt.tile == 0 ? std::string("auto") : std::to_string(rt.tile); }}}});
  return sections;
}

std::string section_names(const std::vector<Section>& sections) {
  std::string s;
  for (const auto& sec : sections) s += (s.empty() ? "" : ", ") + sec.name;
  return s;
}

std::string key_names(const Section& sec) {
  std::string s;
  for (const auto& f : sec.fields) s += (s.empty() ? "" : ", ") + f.key;
  return s;
}

const Section* find_section(const std::vector<Section>& sections, const std::string& name) {
  for (const auto& s : sections) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

const Field* find_field(const Section& sec, const std::string& key) {
  for (const auto& f : sec.fields) {
    if (f.key == key) return &f;
  }
  return nullptr;
}

std::string mark_text(const std::string& source, const YAML::Mark& m) {
  if (m.is_null()) return source;
  return source + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
}

void apply_value(const Section& sec, const Field& field, const YAML::Node& value, const std::string& where) {
  if (!field.parse(value)) {
    throw errors::config_value(sec.name + "." + field.key, node_text(value), field.rule, where);
  }
}

/// Follows the documents after the first without building them: whether any holds content, and
/// whether the parser is stuck. yaml-cpp 0.7 never consumes a ',' outside brackets (",", "[a]\n,"):
/// YAML::Load silently returns what precedes it, and every further HandleNextDocument call
/// returns another empty document at the same position, forever (so YAML::LoadAll never ends).
class DocumentProbe final : public YAML::EventHandler {
 public:
  YAML::Mark start;          ///< where the current document starts
  bool has_content = false;  ///< the current document holds more than a null node

  void OnDocumentStart(const YAML::Mark& mark) override {
    start = mark;
    has_content = false;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override { has_content = true; }
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {
    has_content = true;
  }
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    has_content = true;
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    has_content = true;
  }
  void OnMapEnd() override {}
};

/// True if the line of `mark` is indented with a tab: yaml-cpp then reports only a generic
/// error ("illegal map value") at the key, which does not say what is wrong.
bool tab_indented(const std::string& text, const YAML::Mark& mark) {
  if (mark.is_null() || mark.line < 0) return false;
  std::size_t at = 0;
  for (int line = 0; line < mark.line; ++line) {
    at = text.find('\n', at);
    if (at == std::string::npos) return false;
    ++at;
  }
  const std::size_t end = text.find_first_not_of(" \t", at);
  return text.substr(at, end == std::string::npos ? std::string::npos : end - at).find('\t') != std::string::npos;
}

/// Parses `text` as exactly one YAML document. Anything after it is an error rather than silently
/// dropped: a second document ("---"), text after a top-level flow collection ("{a: 1}\nb: 2"),
/// a stray ','. Empty documents after the first (a trailing "---") are harmless. `source`
/// prefixes messages; marks (line:column) are added when `with_marks` is set.
YAML::Node parse_document(const std::string& text, const std::string& source, bool with_marks,
                          const char* syntax_error) {
  const auto where = [&](const YAML::Mark& m) { return with_marks ? mark_text(source, m) : source; };
  YAML::Node first;
  try {
    first = YAML::Load(text);
    std::istringstream in(text);
    YAML::Parser parser(in);
    DocumentProbe probe;
    if (!parser.HandleNextDocument(probe)) return first;  // no document at all
    YAML::Mark previous = probe.start;
    while (parser.HandleNextDocument(probe)) {
      if (probe.has_content) {
        throw errors::in_config(where(probe.start),
                                "content after the end of the YAML document (a second document "
                                "or text after a closing bracket); a config is one document");
      }
      if (probe.start.pos == previous.pos) {
        // No progress: a token the parser cannot consume (see DocumentProbe).
        const std::size_t at = static_cast<std::size_t>(probe.start.pos);
        const char c = at < text.size() ? text[at] : '\0';
        throw errors::in_config(where(probe.start),
                                std::string(syntax_error) + ": unexpected " +
                                    (c > 0x20 && c < 0x7F ? std::string("'") + c + "'" : std::string("token")) +
                                    " (',' may only separate items inside [ ] or { })");
      }
      previous = probe.start;
    }
  } catch (const YAML::Exception& e) {
    // Keep yaml-cpp's own reason; its mark is 0-based.
    throw errors::in_config(
        where(e.mark),
        std::string(syntax_error) + ": " + printable(e.msg, kMaxShownName) +
            (tab_indented(text, e.mark) ? " (a tab in the indentation: YAML indents with spaces only)" : ""));
  }
  return first;
}

void read_document(const YAML::Node& root, const std::string& source, std::vector<Section>& sections) {
  if (!root.IsDefined() || (root.IsNull() && shown_tag(root).empty())) return;  // an empty file: all defaults
  if (!is_mapping(root)) {
    throw errors::in_config(mark_text(source, root.Mark()),
                            "expected a mapping of sections (" + section_names(sections) + "), got " + node_text(root));
  }
  std::map<std::string, int> seen_sections;
  for (auto it = root.begin(); it != root.end(); ++it) {
    // Names are matched as written and shown escaped (key_text).
    const std::string name = it->first.IsScalar() ? it->first.Scalar() : node_text(it->first);
    const std::string where = mark_text(source, it->first.Mark());
    const Section* sec = find_section(sections, name);
    if (!sec) {
      throw errors::in_config(where, "unknown section '" + key_text(it->first) +
                                         "' (expected one of: " + section_names(sections) + ")");
    }
    if (auto prev = seen_sections.find(name); prev != seen_sections.end()) {
      throw errors::in_config(where,
                              "duplicate section '" + name + "' (first at line " + std::to_string(prev->second) + ")");
    }
    seen_sections[name] = it->first.Mark().line + 1;
    const YAML::Node body = it->second;
    if (body.IsNull() && shown_tag(body).empty()) continue;
    if (!is_mapping(body)) {
      throw errors::in_config(mark_text(source, body.Mark()), "section '" + name + "' must be a mapping of keys (" +
                                                                  key_names(*sec) + "), got " + node_text(body));
    }
    std::map<std::string, int> seen_keys;
    for (auto kv = body.begin(); kv != body.end(); ++kv) {
      const std::string key = kv->first.IsScalar() ? kv->first.Scalar() : node_text(kv->first);
      const std::string key_where = mark_text(source, kv->first.Mark());
      const Field* field = find_field(*sec, key);
      if (!field) {
        throw errors::in_config(key_where, "unknown key '" + name + "." + key_text(kv->first) +
                                               "' (expected one of: " + key_names(*sec) + ")");
      }
      if (auto prev = seen_keys.find(key); prev != seen_keys.end()) {
        throw errors::in_config(key_where, "duplicate key '" + name + "." + key + "' (first at line " +
                                               std::to_string(prev->second) + ")");
      }
      seen_keys[key] = kv->first.Mark().line + 1;
      apply_value(*sec, *field, kv->second, mark_text(source, kv->second.Mark()));
    }
  }
}

void apply_override(const std::string& text, std::vector<Section>& sections) {
  const std::string where = "--set " + printable(text, kMaxShownName);
  const auto eq = text.find('=');
  if (eq == std::string::npos) {
    throw errors::in_config(where, "expected section.key=value");
  }
  const std::string path = text.substr(0, eq);
  const auto dot = path.find('.');
  if (dot == std::string::npos || path.find('.', dot + 1) != std::string::npos) {
    throw errors::in_config(where, "expected section.key=value, got key '" + printable(path, kMaxShownName) + "'");
  }
  const std::string name = path.substr(0, dot), key = path.substr(dot + 1);
  const Section* sec = find_section(sections, name);
  if (!sec) {
    throw errors::in_config(where, "unknown section '" + printable(name, kMaxShownName) +
                                       "' (expected one of: " + section_names(sections) + ")");
  }
  const Field* field = find_field(*sec, key);
  if (!field) {
    throw errors::in_config(where, "unknown key '" + printable(path, kMaxShownName) +
                                       "' (expected one of: " + key_names(*sec) + ")");
  }
  const YAML::Node value = parse_document(text.substr(eq + 1), where, false, "YAML syntax error in the value");
  apply_value(*sec, *field, value, where);
}

}  // namespace

// ---- public entry points ---------------------------------------------------------------------

RunConfig load_config(const std::string& yaml_text, const std::string& source_name,
                      const std::vector<std::string>& overrides) {
  RunConfig config;
  std::vector<Section> sections = describe(config);
  // The name comes from the command line and may hold anything a file name can.
  const std::string source = printable(source_name, kMaxShownName);
  const YAML::Node root = parse_document(yaml_text, source, true, "YAML syntax error");
  read_document(root, source, sections);
  for (const auto& o : overrides) apply_override(o, sections);
  if (config.training.arithmetic == Arithmetic::Direct) {
    // Direct training cannot use digits beyond a double: drop them, so that a direct run's
    // config, windows and results are exactly those of the rounded values.
    for (Interval* i : {&config.phase_space.x, &config.phase_space.y}) i->lo_tail = i->hi_tail = WideTail{};
    config.zoom.target.x_tail = config.zoom.target.y_tail = WideTail{};
  }
  try {
    validate_config(config);
  } catch (const ConfigError& e) {
    throw errors::in_config(source, e.what());
  }
  return config;
}

namespace {

/// The keys one model kind reads are refused with the other at any value but their default, and
/// the axes and settings that mean nothing for the toy loss are refused with it (docs/ripple.md#keys).
void validate_model(const RunConfig& c) {
  const ModelConfig& m = c.model;
  const ModelConfig model_defaults;
  const auto refuse = [&](bool changed, const std::string& key, const std::string& value, const char* reader) {
    if (changed) {
      throw errors::config_value(key, value,
                                 std::string("is read only with model.kind ") + reader + " (model.kind is " +
                                     to_string(m.kind) + "); remove it");
    }
  };
  if (m.kind == ModelKind::Mlp) {
    refuse(m.dim != model_defaults.dim, "model.dim", std::to_string(m.dim), "ripple_quadratic");
    refuse(m.delta != model_defaults.delta, "model.delta", format_double(m.delta), "ripple_quadratic");
    refuse(m.wavelength != model_defaults.wavelength, "model.wavelength", format_double(m.wavelength),
           "ripple_quadratic");
    refuse(m.x0 != model_defaults.x0, "model.x0", format_list(m.x0), "ripple_quadratic");
    for (const auto& [spec, axis] : {std::pair<AxisSpec, const char*>{x_axis(c.phase_space), "phase_space.x_param"},
                                     {y_axis(c.phase_space), "phase_space.y_param"}}) {
      if (spec.param == AxisParam::Delta || spec.param == AxisParam::Wavelength) {
        throw errors::config_value(axis, to_string(spec.param), "needs model.kind ripple_quadratic, not mlp");
      }
    }
    return;
  }
  // ripple_quadratic: the network's and the data's keys describe nothing that is trained.
  refuse(m.width != model_defaults.width, "model.width", std::to_string(m.width), "mlp");
  refuse(m.depth != model_defaults.depth, "model.depth", std::to_string(m.depth), "mlp");
  refuse(m.nonlinearity != model_defaults.nonlinearity, "model.nonlinearity", to_string(m.nonlinearity), "mlp");
  refuse(m.target_dim != model_defaults.target_dim, "model.target_dim", std::to_string(m.target_dim), "mlp");
  const DataConfig data_defaults;
  const DataConfig& d = c.data;
  refuse(d.size.kind != data_defaults.size.kind, "data.size",
         d.size.kind == DataSize::Kind::Single ? std::string("single") : std::to_string(d.size.count), "mlp");
  refuse(d.ratio != data_defaults.ratio, "data.ratio", format_double(d.ratio), "mlp");
  refuse(d.rng != data_defaults.rng, "data.rng", to_string(d.rng), "mlp");
  refuse(d.seed != data_defaults.seed, "data.seed", std::to_string(d.seed), "mlp");
  refuse(d.jax_erf_inv != data_defaults.jax_erf_inv, "data.jax_erf_inv", to_string(d.jax_erf_inv), "mlp");
  refuse(!c.training.batch.full, "training.batch", std::to_string(c.training.batch.size), "mlp");
  refuse(c.training.readout != Readout::Loss, "training.readout", to_string(c.training.readout), "mlp");
  if (c.training.lr.size() != 1) {
    throw errors::config_value("training.lr", format_list(c.training.lr),
                               "ripple_quadratic has one learning rate: give one number");
  }
  if (m.x0.size() != 1 && static_cast<int>(m.x0.size()) != m.dim) {
    throw errors::config_value("model.x0", std::to_string(m.x0.size()) + " values",
                               "must be one value or one per coordinate (model.dim = " + std::to_string(m.dim) + ")");
  }
  // l_0 = 0 would leave the convergence measure's ratios l_t / l_0 undefined (docs/ripple.md#start).
  bool all_zero = true;
  for (double v : m.x0) all_zero = all_zero && v == 0.0;
  if (all_zero) {
    throw errors::config_value("model.x0", format_list(m.x0),
                               "must not be 0 in every coordinate: x = 0 is the minimum, the loss is 0 at every step "
                               "and the convergence measure (a ratio to the first loss) is undefined");
  }
  if (c.phase_space.kind != PhaseSpaceKind::Axes) {
    throw errors::config_value("phase_space.kind", to_string(c.phase_space.kind),
                               "ripple_quadratic needs kind: axes (the named kinds span network-only axes)");
  }
  for (const auto& [spec, axis] : {std::pair<AxisSpec, const char*>{x_axis(c.phase_space), "phase_space.x_param"},
                                   {y_axis(c.phase_space), "phase_space.y_param"}}) {
    const AxisParam a = spec.param;
    if (a == AxisParam::LrEven || a == AxisParam::LrOdd || a == AxisParam::LrLayer || a == AxisParam::InitOffset ||
        a == AxisParam::InitOffsetEveryStep || a == AxisParam::InitScale) {
      throw errors::config_value(axis, axis_param_name(a, spec.layer),
                                 "is a network axis; ripple_quadratic's axes are lr, delta, wavelength and the "
                                 "optimizer's (momentum, adam_beta1, adam_beta2, adam_eps, weight_decay)");
    }
  }
}

void validate_training(const RunConfig& c) {
  const TrainingConfig& t = c.training;
  if (t.lr.size() != 1 && static_cast<int>(t.lr.size()) != c.model.depth) {
    throw errors::config_value(
        "training.lr", std::to_string(t.lr.size()) + " values",
        "must be one learning rate or one per layer (model.depth = " + std::to_string(c.model.depth) + ")");
  }
  if (t.warmup_steps > t.steps) {
    throw errors::config_value("training.warmup_steps", std::to_string(t.warmup_steps),
                               "must not exceed training.steps = " + std::to_string(t.steps));
  }
  if (t.arithmetic == Arithmetic::Perturbation && t.precision != Precision::Float64) {
    throw errors::config_value("training.arithmetic", "perturbation",
                               "needs training.precision float64 (its deviations are float64), not " +
                                   std::string(to_string(t.precision)));
  }
}

/// Every output.channels entry names a channel, once (quoted, so an empty name shows).
void validate_output(const OutputConfig& o) {
  std::string names;
  for (const char* name : kChannelNames) names += (names.empty() ? "" : " | ") + std::string(name);
  for (std::size_t i = 0; i < o.channels.size(); ++i) {
    const std::string& entry = o.channels[i];
    if (std::find(std::begin(kChannelNames), std::end(kChannelNames), entry) == std::end(kChannelNames)) {
      throw errors::config_value("output.channels", "entry " + std::to_string(i) + " '" + printable(entry, 40) + "'",
                                 "must be one of: " + names);
    }
    if (std::find(o.channels.begin(), o.channels.begin() + static_cast<std::ptrdiff_t>(i), entry) !=
        o.channels.begin() + static_cast<std::ptrdiff_t>(i)) {
      throw errors::config_value("output.channels", "entry " + std::to_string(i) + " '" + entry + "'",
                                 "must not repeat a channel");
    }
  }
}

bool is_lr(AxisParam p) {
  return p == AxisParam::Lr || p == AxisParam::LrEven || p == AxisParam::LrOdd || p == AxisParam::LrLayer;
}
bool is_offset(AxisParam p) { return p == AxisParam::InitOffset || p == AxisParam::InitOffsetEveryStep; }

/// Whether the two axes set some hyperparameter twice (an lr family member covering a layer the
/// other also covers, both offsets, or the same parameter).
bool overlap(const AxisSpec& a, const AxisSpec& b) {
  if (is_offset(a.param) && is_offset(b.param)) return true;
  if (!is_lr(a.param) || !is_lr(b.param)) return a.param == b.param;
  if (a.param == AxisParam::Lr || b.param == AxisParam::Lr) return true;
  // parity of the layers covered: 0 even, 1 odd; lr.L covers one layer
  const auto covers = [](const AxisSpec& s, int layer) {
    switch (s.param) {
      case AxisParam::LrEven: return layer % 2 == 0;
      case AxisParam::LrOdd: return layer % 2 == 1;
      case AxisParam::LrLayer: return layer == s.layer;
      default: return true;
    }
  };
  for (int layer = 0; layer < kMaxLayerIndex; ++layer) {
    if (covers(a, layer) && covers(b, layer)) return true;
  }
  return false;
}

/// The values axis `spec` takes over coordinates [lo, hi] must be valid for its parameter.
void check_axis_range(const AxisSpec& spec, const char* axis, double lo, double hi, const std::string& what) {
  const std::string key = std::string("phase_space.") + axis;
  const std::string name = axis_param_name(spec.param, spec.layer);
  const bool linear = spec.scale == AxisScale::Linear;
  const std::string range = "[" + format_double(lo) + ", " + format_double(hi) + "]";
  switch (spec.param) {
    case AxisParam::Momentum:
    case AxisParam::AdamBeta1:
    case AxisParam::AdamBeta2:
      if (linear ? (lo < 0.0 || hi >= 1.0) : hi >= 0.0) {
        throw errors::config_value(
            key, range + what,
            name + " must stay in [0, 1): " + (linear ? "a linear range within [0, 1)" : "log10 exponents below 0"));
      }
      break;
    case AxisParam::WeightDecay:
      if (linear && lo < 0.0) {
        throw errors::config_value(key, range + what, "weight_decay must be >= 0: a linear range from 0 up");
      }
      break;
    case AxisParam::Delta:
      if (linear ? (lo <= -1.0 || hi >= 1.0) : hi >= 0.0) {
        throw errors::config_value(key, range + what,
                                   std::string("delta must stay in (-1, 1): ") +
                                       (linear ? "a linear range within (-1, 1)" : "log10 exponents below 0"));
      }
      break;
    case AxisParam::InitOffset:
    case AxisParam::InitOffsetEveryStep:
    case AxisParam::InitScale: break;
    default:  // the learning rates, adam_eps and wavelength: positive, so a linear range must stay above 0
      if (linear && lo <= 0.0) {
        throw errors::config_value(key, range + what,
                                   name + " must be > 0: a linear range must not reach or cross 0 (or use log10)");
      }
      break;
  }
}

void validate_axes(const RunConfig& c) {
  const PhaseSpaceConfig& p = c.phase_space;
  if (p.kind != PhaseSpaceKind::Axes) {
    const PhaseSpaceConfig defaults;
    const bool changed = p.x_param != defaults.x_param || p.x_layer != defaults.x_layer ||
                         p.y_param != defaults.y_param || p.y_layer != defaults.y_layer ||
                         p.x_scale != defaults.x_scale || p.y_scale != defaults.y_scale;
    if (changed) {
      throw errors::config_value("phase_space.kind", to_string(p.kind),
                                 "x_param, y_param, x_scale and y_scale are read only with kind: axes "
                                 "(the named kinds fix their axes)");
    }
  }
  const AxisSpec x = x_axis(p), y = y_axis(p);
  if (overlap(x, y)) {
    throw errors::config_value("phase_space.y_param", axis_param_name(y.param, y.layer),
                               "sets the same hyperparameter as x_param = " + axis_param_name(x.param, x.layer) +
                                   "; choose two different ones");
  }
  const Optimizer opt = c.training.optimizer;
  for (const auto& [spec, axis] : {std::pair<AxisSpec, const char*>{x, "x_param"}, {y, "y_param"}}) {
    const std::string key = std::string("phase_space.") + axis;
    const std::string name = axis_param_name(spec.param, spec.layer);
    if (spec.param == AxisParam::LrLayer && spec.layer >= c.model.depth) {
      throw errors::config_value(key, name, "the layer must be below model.depth = " + std::to_string(c.model.depth));
    }
    if (spec.param == AxisParam::Momentum && opt != Optimizer::Momentum && opt != Optimizer::Nesterov) {
      throw errors::config_value(key, name,
                                 std::string("needs training.optimizer momentum or nesterov, not ") + to_string(opt));
    }
    const bool adam_param = spec.param == AxisParam::AdamBeta1 || spec.param == AxisParam::AdamBeta2 ||
                            spec.param == AxisParam::AdamEps;
    if (adam_param && opt != Optimizer::Adam && opt != Optimizer::AdamW) {
      throw errors::config_value(key, name,
                                 std::string("needs training.optimizer adam or adamw, not ") + to_string(opt));
    }
  }
  check_axis_range(x, "x", p.x.lo, p.x.hi, "");
  check_axis_range(y, "y", p.y.lo, p.y.hi, "");
  if (!c.zoom.target.automatic && c.zoom.frames > 1) {
    // Fixed-target frames are centred on the target: the first of them must stay valid too.
    const double hx = 0.5 * (p.x.hi - p.x.lo) / c.zoom.factor, hy = 0.5 * (p.y.hi - p.y.lo) / c.zoom.factor;
    const std::string what = " (zoom frame 1 around zoom.target)";
    check_axis_range(x, "x", c.zoom.target.x - hx, c.zoom.target.x + hx, what);
    check_axis_range(y, "y", c.zoom.target.y - hy, c.zoom.target.y + hy, what);
  }
}

}  // namespace

void validate_config(const RunConfig& c) {
  const int n = dataset_size(c.model, c.data);
  if (n < 1) {
    throw ConfigError("data: the dataset size is " + std::to_string(n) + " (ratio " + format_double(c.data.ratio) +
                      " x " + std::to_string(parameter_count(c.model)) + " parameters" +
                      (c.model.nonlinearity == Nonlinearity::Identity ? "" : " / target_dim") +
                      "); it must be at least 1: raise data.ratio");
  }
  if (n > kMaxDatasetSize) {
    throw ConfigError("data: the dataset size is " + std::to_string(n) + "; it must be at most " +
                      std::to_string(kMaxDatasetSize) + ": lower data.ratio");
  }
  if (!c.training.batch.full && c.training.batch.size > n) {
    throw errors::config_value("training.batch", std::to_string(c.training.batch.size),
                               "must not exceed the dataset size " + std::to_string(n));
  }
  validate_model(c);
  validate_training(c);
  validate_axes(c);
  validate_output(c.output);
  // Every frame of the zoom must be resolvable in the training precision; check the deepest.
  const Window first = Window::from_intervals(c.phase_space.x, c.phase_space.y);
  Window deepest = first;
  const double shrink = std::pow(c.zoom.factor, c.zoom.frames - 1);
  deepest.half_x /= shrink;
  deepest.half_y /= shrink;
  if (!c.zoom.target.automatic && c.zoom.frames > 1) {
    deepest.set_exact_centre(c.zoom.target.x_exact(), c.zoom.target.x, c.zoom.target.y_exact(), c.zoom.target.y);
  }
  check_resolvable(deepest, c.render.resolution.cols, c.render.resolution.rows, c.training.precision,
                   "zoom frame " + std::to_string(c.zoom.frames - 1) + " (phase_space window / zoom.factor^" +
                       std::to_string(c.zoom.frames - 1) + ")",
                   axis_scales(c.phase_space), c.training.arithmetic);
}

std::string to_yaml(const RunConfig& config) {
  RunConfig copy = config;
  std::ostringstream out;
  for (const auto& sec : describe(copy)) {
    out << sec.name << ": {";
    bool first = true;
    for (const auto& f : sec.fields) {
      out << (first ? "" : ", ") << f.key << ": " << f.emit();
      first = false;
    }
    out << "}\n";
  }
  return out.str();
}

bool is_runtime_key(const std::string& section, const std::string& key) {
  // output.channels decides what a run computes and stores: a journal or shard computed with
  // other channels cannot complete this run.
  return section == "runtime" || (section == "output" && key != "channels");
}

ChannelSet channel_set(const OutputConfig& output) {
  ChannelSet set;
  for (const std::string& name : output.channels) {
    if (name == "divergence_step") set.divergence_step = true;
    if (name == "lyapunov") set.lyapunov = true;
    if (name == "sharpness") set.sharpness = true;
  }
  return set;
}

std::vector<ConfigKeyDoc> config_reference() {
  RunConfig defaults;
  std::vector<ConfigKeyDoc> docs;
  for (const auto& sec : describe(defaults)) {
    for (const auto& f : sec.fields) docs.push_back({sec.name + "." + f.key, f.emit(), f.rule, f.meaning});
  }
  return docs;
}

}  // namespace trainscape
