#pragma once
/// The run configuration: one plain struct per YAML section, with in-class defaults, loaded
/// strictly (unknown or duplicate keys, wrong types and out-of-range values are errors naming the
/// file, line, key, value and rule) and validated as a whole before anything starts.
///
/// YAML shape (every key optional; these are the defaults):
///   model:       {kind: mlp, width: 16, depth: 2, nonlinearity: tanh, target_dim: 1,
///                 dim: 1, delta: 0.2, wavelength: 0.1, x0: 1.0}
///   data:        {size: params, ratio: 1.0, rng: native, seed: 0}
///   training:    {steps: 1000, batch: full, precision: float64, readout: loss, optimizer: gd,
///                 momentum: 0.9, adam_beta1: 0.9, adam_beta2: 0.999, adam_eps: 1e-8,
///                 weight_decay: 0.0, schedule: constant, warmup_steps: 0, lr: 0.1}
///   phase_space: {kind: lr_vs_lr, x_param: lr.even, y_param: lr.odd, x_scale: log10,
///                 y_scale: log10, x: [-3.0, 6.0], y: [-3.0, 6.0]}
///   render:      {resolution: 512}
///   zoom:        {frames: 8, factor: 2.0, target: auto}
///   output:      {dir: runs/example, channels: [measure, class]}
///   runtime:     {threads: 0, tile: auto}
/// The README's config reference lists every key with its range; it is generated from the same
/// field table as the reader (see config_reference()).
#include <cstdint>
#include <string>
#include <vector>

#include "trainscape/wide.hpp"

namespace trainscape {

// ---- enums: each has to_string / from_string (from_string returns false on an unknown name) ----

/// What is trained: the paper's network (Mlp), or the toy loss of docs/ripple.md,
/// sum_i x_i^2 (1 + delta cos(2 pi x_i / wavelength)) over x in R^dim (RippleQuadratic).
enum class ModelKind { Mlp, RippleQuadratic };
/// The hidden-layer nonlinearity (docs/model.md#network).
enum class Nonlinearity { Tanh, Relu, Identity };
/// Which random generator draws X, Y, the initial weights and minibatch indices: native
/// (random.hpp) or jax (jax_random.hpp: the notebook's exact arrays for seed 0).
enum class DataRng { Native, Jax };
/// How the jax generator's normal draws evaluate XLA's float64 erf_inv
/// (docs/jax-rng.md#erf_inv-variants): the C library's log1p with fused (FMA) or plain
/// multiply-add Horner steps, or XLA:CPU's own Cephes log1p likewise. They differ only in the
/// last bits of some draws.
enum class JaxErfInv { LibmFma, LibmPlain, CephesFma, CephesPlain };
/// Scalar type the network is trained in. Measures are always stored as float64.
enum class Precision { Float64, Float32 };
/// The two hyperparameters an image spans (docs/model.md#phase-spaces).
///  - LrVsLr: x = learning rate of the even layers (W_0, W_2, ...), y = of the odd layers.
///  - OffsetAtInitVsLr: x = an offset added to every entry of W_0 once, at initialisation (the
///    paper's words); y = one learning rate for all layers.
///  - OffsetEveryStepVsLr: the same offset added to W_0 before EVERY step, ahead of the loss and
///    gradient (what the notebook did, and what produced the paper's 1.98 panel).
///  - Axes: x and y are the hyperparameters phase_space.x_param / y_param name (AxisParam), on a
///    log10 or linear scale; the three kinds above are aliases of particular axes
///    (axis_spec below, docs/optimizers.md#axes).
enum class PhaseSpaceKind { LrVsLr, OffsetAtInitVsLr, OffsetEveryStepVsLr, Axes };
/// The update rule of training (docs/optimizers.md#optimizers). Gd is the paper's.
enum class Optimizer { Gd, Momentum, Nesterov, Adam, AdamW };
/// The learning-rate schedule s(t) multiplying every learning rate at step t (docs/optimizers.md#schedules).
enum class Schedule { Constant, Cosine, WarmupCosine };
/// A hyperparameter an image axis can span (docs/optimizers.md#axes). LrLayer is "lr.L", with L
/// held beside it (x_layer / y_layer); the others are named as in the YAML.
enum class AxisParam {
  Lr,                   ///< lr: every layer's learning rate
  LrEven,               ///< lr.even: layers 0, 2, 4, ...
  LrOdd,                ///< lr.odd: layers 1, 3, ...
  LrLayer,              ///< lr.L: layer L only
  InitOffset,           ///< init_offset: added to every entry of W_0 once, at initialisation
  InitOffsetEveryStep,  ///< init_offset_every_step: added to W_0 before every step (the notebook)
  InitScale,            ///< init_scale: multiplies every initial weight matrix
  Momentum,             ///< momentum: beta of momentum / nesterov
  AdamBeta1,
  AdamBeta2,
  AdamEps,
  WeightDecay,
  Delta,      ///< delta: the ripple's relative amplitude (model.kind: ripple_quadratic only)
  Wavelength  ///< wavelength: the ripple's period in x (model.kind: ripple_quadratic only)
};
/// How an axis's range maps to values: Log10 (the range holds exponents) or Linear (the values).
enum class AxisScale { Log10, Linear };
/// How pixels are trained (docs/deep-zoom.md): Direct, each in the training precision (windows
/// no narrower than that precision resolves); Perturbation, each as a float64 deviation from a
/// reference trained in quad-double, for windows far below float64's spacing.
enum class Arithmetic { Direct, Perturbation };
/// What a pixel's stored value is (docs/model.md#readout).
///  - Loss: the signed convergence measure (< 0 trained, > 0 diverged).
///  - Probe: the network's first output at the fixed probe input after training (NaN or +-inf
///    when training blew up); the class is still the loss rule's.
enum class Readout { Loss, Probe };

const char* to_string(ModelKind v);
const char* to_string(Nonlinearity v);
const char* to_string(DataRng v);
const char* to_string(Precision v);
const char* to_string(PhaseSpaceKind v);
const char* to_string(Readout v);
const char* to_string(JaxErfInv v);
const char* to_string(Optimizer v);
const char* to_string(Schedule v);
const char* to_string(AxisParam v);  ///< LrLayer gives "lr.L" (the layer is held apart)
const char* to_string(AxisScale v);
const char* to_string(Arithmetic v);
bool from_string(const std::string& name, ModelKind& out);
bool from_string(const std::string& name, Nonlinearity& out);
bool from_string(const std::string& name, DataRng& out);
bool from_string(const std::string& name, Precision& out);
bool from_string(const std::string& name, PhaseSpaceKind& out);
bool from_string(const std::string& name, Readout& out);
bool from_string(const std::string& name, JaxErfInv& out);
bool from_string(const std::string& name, Optimizer& out);
bool from_string(const std::string& name, Schedule& out);
bool from_string(const std::string& name, AxisParam& out);  ///< "lr.L" for LrLayer
bool from_string(const std::string& name, AxisScale& out);
bool from_string(const std::string& name, Arithmetic& out);

// ---- small value types used by the sections ----

/// Dataset size rule (docs/model.md#dataset-size). YAML: `params` | `single` | a positive integer.
struct DataSize {
  enum class Kind { Params, Single, Count };
  Kind kind = Kind::Params;  ///< Params: N = ratio * n_params / target_dim (identity: width * ratio)
  int count = 0;             ///< N itself when kind == Count
};

/// Minibatch size. YAML: `full` | a positive integer (at most the dataset size).
struct BatchSize {
  bool full = true;
  int size = 0;  ///< rows per step when !full
};

/// A closed interval in log10 units, lo < hi. YAML: [lo, hi], each a number or a decimal string.
/// lo and hi are the values rounded to double; with training.arithmetic: perturbation the tails
/// hold the digits beyond (lo + lo_tail is the exact value), otherwise they are zero.
struct Interval {
  double lo = 0.0;
  double hi = 0.0;
  WideTail lo_tail{};
  WideTail hi_tail{};
  Wide lo_exact() const { return Wide(lo, lo_tail); }
  Wide hi_exact() const { return Wide(hi, hi_tail); }
};

/// Image size in pixels. YAML: `n` (square) or [cols, rows].
struct Resolution {
  int cols = 512;
  int rows = 512;
};

/// Where the zoom heads. YAML: `auto` or [x, y] in log10 units, each a number or a decimal
/// string (tails as for Interval).
struct ZoomTarget {
  bool automatic = true;
  double x = 0.0;
  double y = 0.0;
  WideTail x_tail{};
  WideTail y_tail{};
  Wide x_exact() const { return Wide(x, x_tail); }
  Wide y_exact() const { return Wide(y, y_tail); }
};

// ---- the sections ----

struct ModelConfig {
  ModelKind kind = ModelKind::Mlp;                 ///< mlp | ripple_quadratic (docs/ripple.md)
  int width = 16;                                  ///< hidden width n = input dimension d, 1..4096
  int depth = 2;                                   ///< number of weight matrices L, 2..64
  Nonlinearity nonlinearity = Nonlinearity::Tanh;  ///< tanh | relu | identity
  int target_dim = 1;                              ///< output dimension k, 1..4096
  // ripple_quadratic only (docs/ripple.md); mlp refuses values other than these defaults.
  int dim = 1;                  ///< parameters p, 1..65536
  double delta = 0.2;           ///< ripple amplitude, in (-1, 1)
  double wavelength = 0.1;      ///< ripple period, > 0
  std::vector<double> x0{1.0};  ///< start: one value for every coordinate, or one per coordinate
};

struct DataConfig {
  DataSize size;                               ///< params | single | <int>
  double ratio = 1.0;                          ///< dataset size / parameter count, used with size: params; > 0
  DataRng rng = DataRng::Native;               ///< native | jax
  std::int64_t seed = 0;                       ///< any 64-bit integer
  JaxErfInv jax_erf_inv = JaxErfInv::LibmFma;  ///< only with rng: jax
};

struct TrainingConfig {
  int steps = 1000;                            ///< gradient-descent steps T, 1..10^7
  BatchSize batch;                             ///< full | <int>
  Precision precision = Precision::Float64;    ///< float64 | float32
  Readout readout = Readout::Loss;             ///< loss | probe
  Arithmetic arithmetic = Arithmetic::Direct;  ///< direct | perturbation
  int certify_pixels = 16;              ///< perturbation: pixels per frame retrained directly in quad-double, 0..4096
  Optimizer optimizer = Optimizer::Gd;  ///< gd | momentum | nesterov | adam | adamw
  double momentum = 0.9;                ///< beta of momentum / nesterov, [0, 1)
  double adam_beta1 = 0.9;              ///< [0, 1)
  double adam_beta2 = 0.999;            ///< [0, 1)
  double adam_eps = 1e-8;               ///< > 0
  double weight_decay = 0.0;            ///< >= 0 (coupled; decoupled with adamw)
  Schedule schedule = Schedule::Constant;  ///< constant | cosine | warmup_cosine
  int warmup_steps = 0;                    ///< W of warmup_cosine, 0..steps
  /// Learning rates of the layers no axis sets: one value for every layer, or one per layer.
  std::vector<double> lr{0.1};
};

struct PhaseSpaceConfig {
  PhaseSpaceKind kind = PhaseSpaceKind::LrVsLr;
  AxisParam x_param = AxisParam::LrEven;  ///< with kind: axes only
  int x_layer = 0;                        ///< the L of x_param lr.L
  AxisParam y_param = AxisParam::LrOdd;
  int y_layer = 0;
  AxisScale x_scale = AxisScale::Log10;  ///< with kind: axes only; the aliases are log10
  AxisScale y_scale = AxisScale::Log10;
  Interval x{-3.0, 6.0};  ///< the x range: log10 exponents, or values on a linear scale
  Interval y{-3.0, 6.0};
};

/// One image axis as the engines see it: the parameter it sets (with the layer of lr.L) and its
/// scale. The three named kinds resolve to fixed axes: lr_vs_lr = (lr.even, lr.odd),
/// offset_at_init_vs_lr = (init_offset, lr), offset_every_step_vs_lr = (init_offset_every_step,
/// lr), all log10.
struct AxisSpec {
  AxisParam param = AxisParam::Lr;
  int layer = 0;
  AxisScale scale = AxisScale::Log10;
};
/// The axis `kind` gives (x: the x axis), reading param, layer and scale only for kind: axes.
AxisSpec resolve_axis(PhaseSpaceKind kind, bool x, AxisParam param, int layer, AxisScale scale);
AxisSpec x_axis(const PhaseSpaceConfig& p);
AxisSpec y_axis(const PhaseSpaceConfig& p);
/// "lr.3", "momentum", ...: the axis's parameter as written in the YAML.
std::string axis_param_name(AxisParam param, int layer);

struct RenderConfig {
  Resolution resolution;  ///< pixels per frame, each side 16..65536
};

struct ZoomConfig {
  int frames = 8;       ///< number of frames, 1..100000
  double factor = 2.0;  ///< width ratio of consecutive frames, > 1
  ZoomTarget target;    ///< auto | [x, y]
};

/// The per-pixel values a run stores beyond the measure and the class, which are always stored
/// (docs/channels.md). Plain flags; the names are kChannelNames.
struct ChannelSet {
  bool divergence_step = false;
  bool lyapunov = false;
  bool sharpness = false;
  bool any() const { return divergence_step || lyapunov || sharpness; }
  bool operator==(const ChannelSet& o) const {
    return divergence_step == o.divergence_step && lyapunov == o.lyapunov && sharpness == o.sharpness;
  }
  bool operator!=(const ChannelSet& o) const { return !(*this == o); }
};

/// Every channel name output.channels accepts, in their canonical order.
inline constexpr const char* kChannelNames[] = {"measure", "class", "divergence_step", "lyapunov", "sharpness"};

struct OutputConfig {
  std::string dir = "runs/example";  ///< run directory (frame_NNN.png, run.h5)
  /// output.channels as written (validate_config checks every entry); read through channel_set.
  std::vector<std::string> channels{"measure", "class"};
};

/// The extra channels `output` asks for. Assumes a validated config (unknown names are ignored).
ChannelSet channel_set(const OutputConfig& output);

struct RuntimeConfig {
  int threads = 0;  ///< worker threads, 0 = all cores; never changes a result bit
  int tile = 0;     ///< tile side in pixels, 1..4096, or 0 = auto (resolve_tile_side);
                    ///< never changes a result bit
};

/// The whole configuration. Plain data; copyable.
struct RunConfig {
  ModelConfig model;
  DataConfig data;
  TrainingConfig training;
  PhaseSpaceConfig phase_space;
  RenderConfig render;
  ZoomConfig zoom;
  OutputConfig output;
  RuntimeConfig runtime;
};

/// Parses `yaml_text` (the contents of the file named `source_name`, used in messages), applies
/// `overrides` ("section.key=value", value in YAML syntax, as given to --set, applied in order,
/// later ones win) and validates the result (validate_config). Throws ConfigError with a one-line
/// message such as
///   "quick.yaml:4:10: model.width = 0: must be an integer in [1, 4096]"
///   "--set training.steps=abc: training.steps = abc: must be an integer in [1, 10000000]".
RunConfig load_config(const std::string& yaml_text, const std::string& source_name,
                      const std::vector<std::string>& overrides = {});

/// Cross-key rules that a single field cannot check (window order, batch <= dataset size, the
/// deepest zoom frame still resolvable in the training precision, ...). Throws ConfigError.
void validate_config(const RunConfig& config);

/// The resolved configuration as YAML text, every section and key present, in the order of the
/// field table, doubles written with the shortest digits that read back to the same value:
/// load_config(to_yaml(c), ...) reproduces c exactly.
std::string to_yaml(const RunConfig& config);

/// Keys whose values say how a run is executed, not what it computes (runtime.*, output.*):
/// two configs equal but for these produce identical results.
bool is_runtime_key(const std::string& section, const std::string& key);

/// One row per key: "section.key", default (as YAML), and the rule, for --help and the README.
struct ConfigKeyDoc {
  std::string key;
  std::string default_value;
  std::string rule;
  std::string meaning;
};
std::vector<ConfigKeyDoc> config_reference();

/// Dataset size N implied by the model and data sections (docs/model.md#dataset-size):
/// single -> 1; <int> -> that count; params -> trunc(ratio * n_params / target_dim), except the
/// identity network, which uses trunc(width * ratio) as the notebook does. Never below 1 for a
/// valid config (validate_config refuses N < 1).
int dataset_size(const ModelConfig& model, const DataConfig& data);

/// Total number of weights: d*n + (L-2)*n*n + n*k with d = n.
std::int64_t parameter_count(const ModelConfig& model);

}  // namespace trainscape
