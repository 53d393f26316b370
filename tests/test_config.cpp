// Strict config loading: defaults, overrides, every class of bad input, and the round trip.
#include <catch2/catch.hpp>

#include <string>

#include "trainscape/config.hpp"
#include "trainscape/error.hpp"
#include "trainscape/window.hpp"

using namespace trainscape;

namespace {
std::string error_of(const std::string& yaml, const std::vector<std::string>& overrides = {}) {
  try {
    load_config(yaml, "test.yaml", overrides);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}
}  // namespace

TEST_CASE("an empty config gives the documented defaults", "[config]") {
  const RunConfig c = load_config("", "empty.yaml");
  CHECK(c.model.width == 16);
  CHECK(c.model.depth == 2);
  CHECK(c.model.nonlinearity == Nonlinearity::Tanh);
  CHECK(c.model.target_dim == 1);
  CHECK(c.data.size.kind == DataSize::Kind::Params);
  CHECK(c.data.ratio == 1.0);
  CHECK(c.data.seed == 0);
  CHECK(c.training.steps == 1000);
  CHECK(c.training.batch.full);
  CHECK(c.training.precision == Precision::Float64);
  CHECK(c.phase_space.x.lo == -3.0);
  CHECK(c.phase_space.y.hi == 6.0);
  CHECK(c.render.resolution.cols == 512);
  CHECK(c.zoom.frames == 8);
  CHECK(c.zoom.factor == 2.0);
  CHECK(c.zoom.target.automatic);
  CHECK(c.output.dir == "runs/example");
  CHECK(c.runtime.threads == 0);
  CHECK(c.runtime.tile == 0);                   // auto
  CHECK(dataset_size(c.model, c.data) == 272);  // the paper's N
  CHECK(parameter_count(c.model) == 272);
}

TEST_CASE("values are read from flow and block style", "[config]") {
  const RunConfig c = load_config(
      "model: {width: 8, depth: 3, nonlinearity: relu, target_dim: 2}\n"
      "data:\n  size: 40\n  seed: -7\n"
      "training: {steps: 50, batch: 16, precision: float32}\n"
      "phase_space: {x: [-1, 2.5], y: [0.5, 1]}\n"
      "render: {resolution: [64, 32]}\n"
      "zoom: {frames: 3, factor: 4, target: [1.0, 0.75]}\n"
      "output: {dir: out/here}\n"
      "runtime: {threads: 2, tile: 16}\n",
      "t.yaml");
  CHECK(c.model.width == 8);
  CHECK(c.model.depth == 3);
  CHECK(c.model.nonlinearity == Nonlinearity::Relu);
  CHECK(c.data.size.kind == DataSize::Kind::Count);
  CHECK(dataset_size(c.model, c.data) == 40);
  CHECK(c.data.seed == -7);
  CHECK(c.training.batch.size == 16);
  CHECK(c.training.precision == Precision::Float32);
  CHECK(c.phase_space.x.lo == -1.0);
  CHECK(c.phase_space.x.hi == 2.5);
  CHECK(c.render.resolution.cols == 64);
  CHECK(c.render.resolution.rows == 32);
  CHECK_FALSE(c.zoom.target.automatic);
  CHECK(c.zoom.target.y == 0.75);
  CHECK(c.output.dir == "out/here");
}

TEST_CASE("dataset size rules follow the notebook", "[config]") {
  ModelConfig m;
  DataConfig d;
  m.width = 16;
  d.ratio = 0.5;
  CHECK(dataset_size(m, d) == 136);
  m.target_dim = 3;  // 256 + 48 = 304 parameters / 3 outputs * 0.5
  CHECK(dataset_size(m, d) == 50);
  m.nonlinearity = Nonlinearity::Identity;  // N = width * ratio
  CHECK(dataset_size(m, d) == 8);
  d.size.kind = DataSize::Kind::Single;
  CHECK(dataset_size(m, d) == 1);
  m.depth = 4;
  m.target_dim = 1;
  CHECK(parameter_count(m) == 16 * 16 * 3 + 16);
}

TEST_CASE("overrides given with --set are applied in order and validated like the file", "[config]") {
  const RunConfig c = load_config("training: {steps: 10}\n", "t.yaml",
                                  {"training.steps=20", "render.resolution=[32, 16]", "training.steps=30",
                                   "zoom.target=[1, 2]", "data.size=single"});
  CHECK(c.training.steps == 30);
  CHECK(c.render.resolution.rows == 16);
  CHECK(c.zoom.target.x == 1.0);
  CHECK(c.data.size.kind == DataSize::Kind::Single);
  CHECK(error_of("", {"training.steps=abc"}) ==
        "--set training.steps=abc: training.steps = abc: must be an integer in [1, 10000000]");
  CHECK(
      error_of("", {"model.widht=3"}) ==
      "--set model.widht=3: unknown key 'model.widht' (expected one of: kind, width, depth, nonlinearity, target_dim, dim, delta, wavelength, x0)");
  CHECK(error_of("", {"steps=3"}) == "--set steps=3: expected section.key=value, got key 'steps'");
  CHECK(error_of("", {"training.steps"}) == "--set training.steps: expected section.key=value");
  CHECK_THAT(error_of("", {"render.resolution=[1, "}),
             Catch::StartsWith("--set render.resolution=[1, : YAML syntax error"));
}

TEST_CASE("unknown and duplicate keys and sections are errors with file and line", "[config]") {
  CHECK(
      error_of("model:\n  widht: 3\n") ==
      "test.yaml:2:3: unknown key 'model.widht' (expected one of: kind, width, depth, nonlinearity, target_dim, dim, delta, wavelength, x0)");
  CHECK(error_of("modle: {width: 3}\n") ==
        "test.yaml:1:1: unknown section 'modle' (expected one of: model, data, training, phase_space, render, "
        "zoom, output, runtime)");
  CHECK(error_of("model:\n  width: 3\n  width: 4\n") == "test.yaml:3:3: duplicate key 'model.width' (first at line 2)");
  CHECK(error_of("model: {width: 3}\nmodel: {depth: 3}\n") ==
        "test.yaml:2:1: duplicate section 'model' (first at line 1)");
  CHECK(error_of("- 1\n- 2\n") ==
        "test.yaml:1:1: expected a mapping of sections (model, data, training, phase_space, "
        "render, zoom, output, runtime), got [1, 2]");
  CHECK(error_of("model: 3\n") ==
        "test.yaml:1:8: section 'model' must be a mapping of keys (kind, width, depth, "
        "nonlinearity, target_dim, dim, delta, wavelength, x0), got 3");
}

TEST_CASE("wrong types and out-of-range values name key, value and rule", "[config]") {
  CHECK(error_of("model: {width: abc}\n") == "test.yaml:1:16: model.width = abc: must be an integer in [1, 4096]");
  CHECK(error_of("model: {width: 0}\n") == "test.yaml:1:16: model.width = 0: must be an integer in [1, 4096]");
  CHECK(error_of("model: {width: 2.5}\n") == "test.yaml:1:16: model.width = 2.5: must be an integer in [1, 4096]");
  CHECK(error_of("model: {width: \"16\"}\n") == "test.yaml:1:16: model.width = 16: must be an integer in [1, 4096]");
  CHECK(error_of("model: {width: 0x10}\n") == "test.yaml:1:16: model.width = 0x10: must be an integer in [1, 4096]");
  CHECK(error_of("model: {nonlinearity: sigmoid}\n") ==
        "test.yaml:1:23: model.nonlinearity = sigmoid: must be one of: tanh | relu | identity");
  CHECK(error_of("training: {steps: 0}\n") ==
        "test.yaml:1:19: training.steps = 0: must be an integer in [1, 10000000]");
  CHECK(error_of("training: {steps: -5}\n") ==
        "test.yaml:1:19: training.steps = -5: must be an integer in [1, 10000000]");
  CHECK(error_of("data: {ratio: .nan}\n") ==
        "test.yaml:1:15: data.ratio = .nan: must be a finite number > 0 and <= 1e6");
  CHECK(error_of("data: {ratio: .inf}\n") ==
        "test.yaml:1:15: data.ratio = .inf: must be a finite number > 0 and <= 1e6");
  CHECK(error_of("data: {ratio: 0}\n") == "test.yaml:1:15: data.ratio = 0: must be a finite number > 0 and <= 1e6");
  CHECK(error_of("zoom: {factor: 1}\n") == "test.yaml:1:16: zoom.factor = 1: must be a finite number > 1 and <= 1e6");
  CHECK(error_of("render: {resolution: 8}\n") ==
        "test.yaml:1:22: render.resolution = 8: must be an integer or [cols, rows], each in [16, 65536]");
  CHECK(error_of("zoom: {target: somewhere}\n") ==
        "test.yaml:1:16: zoom.target = somewhere: must be auto or [x, y], numbers or decimal strings, in [-300, 300] "
        "(log10 exponents, or values on a linear axis)");
  CHECK(error_of("model: {width: }\n") == "test.yaml:1:16: model.width = (empty): must be an integer in [1, 4096]");
}

TEST_CASE("inverted, empty and non-finite windows are refused", "[config]") {
  const std::string rule =
      "must be [lo, hi], numbers or decimal strings, with lo < hi, both in [-300, 300] (log10 exponents, or values on a linear axis)";
  CHECK(error_of("phase_space: {x: [6, -3]}\n") == "test.yaml:1:18: phase_space.x = [6, -3]: " + rule);
  CHECK(error_of("phase_space: {y: [1, 1]}\n") == "test.yaml:1:18: phase_space.y = [1, 1]: " + rule);
  CHECK(error_of("phase_space: {x: [.nan, 1]}\n") == "test.yaml:1:18: phase_space.x = [.nan, 1]: " + rule);
  CHECK(error_of("phase_space: {x: [0, 400]}\n") == "test.yaml:1:18: phase_space.x = [0, 400]: " + rule);
  CHECK(error_of("phase_space: {x: [1, 2, 3]}\n") == "test.yaml:1:18: phase_space.x = [1, 2, 3]: " + rule);
}

TEST_CASE("cross-key rules: batch size, dataset size and zoom depth", "[config]") {
  CHECK(error_of("data: {size: 10}\ntraining: {batch: 11}\n") ==
        "test.yaml: training.batch = 11: must not exceed the dataset size 10");
  CHECK_THAT(error_of("data: {ratio: 0.001}\n"), Catch::StartsWith("test.yaml: data: the dataset size is 0"));
  // 60 halvings of a 9-decade window at 512 pixels: far below float64's resolution.
  CHECK_THAT(
      error_of("zoom: {frames: 60}\n"),
      Catch::StartsWith("test.yaml: zoom frame 59 (phase_space window / zoom.factor^59) is too deep for float64"));
  CHECK_NOTHROW(load_config("zoom: {frames: 30}\n", "t.yaml"));
  CHECK_THROWS_AS(load_config("zoom: {frames: 30}\ntraining: {precision: float32}\n", "t.yaml"), ConfigError);
}

TEST_CASE("YAML syntax errors keep yaml-cpp's position", "[config]") {
  CHECK_THAT(error_of("model: {width: 3\n"), Catch::StartsWith("test.yaml:") && Catch::Contains("YAML syntax error"));
  CHECK_THAT(error_of("model:\n  width: [1, 2\n"), Catch::Contains("YAML syntax error"));
}

TEST_CASE("the resolved config round-trips through to_yaml exactly", "[config]") {
  const RunConfig c = load_config(
      "model: {width: 5, nonlinearity: identity}\n"
      "data: {ratio: 1.234567890123, seed: -9223372036854775808}\n"
      "training: {batch: 2}\n"
      "phase_space: {x: [0.1, 0.30000000000000004], y: [-2.5e-3, 1e-2]}\n"
      "render: {resolution: [17, 19]}\n"
      "zoom: {target: [0.2, 0.001], frames: 2}\n"
      "output: {dir: \"a dir, with {odd} chars\"}\n",
      "t.yaml");
  const std::string text = to_yaml(c);
  const RunConfig back = load_config(text, "resolved.yaml");
  CHECK(to_yaml(back) == text);
  CHECK(back.data.ratio == c.data.ratio);
  CHECK(back.data.seed == c.data.seed);
  CHECK(back.phase_space.x.hi == 0.30000000000000004);
  CHECK(back.phase_space.y.lo == -2.5e-3);
  CHECK(back.output.dir == "a dir, with {odd} chars");
  CHECK(back.render.resolution.cols == 17);
  CHECK_THAT(
      text,
      Catch::Contains(
          "model: {kind: mlp, width: 5, depth: 2, nonlinearity: identity, target_dim: 1, dim: 1, delta: 0.2, wavelength: 0.1, x0: 1.0}"));
  CHECK_THAT(to_yaml(RunConfig{}),
             Catch::Contains("phase_space: {kind: lr_vs_lr, x_param: lr.even, y_param: lr.odd, x_scale: log10, "
                             "y_scale: log10, x: [-3.0, 6.0], y: [-3.0, 6.0]}"));
}

TEST_CASE("the config reference lists every key once with its default and rule", "[config]") {
  const auto docs = config_reference();
  REQUIRE(docs.size() == 44);
  CHECK(docs[0].key == "model.kind");
  CHECK(docs[0].default_value == "mlp");
  CHECK(docs[1].key == "model.width");
  CHECK(docs[1].default_value == "16");
  CHECK(docs[1].rule == "must be an integer in [1, 4096]");
  CHECK(docs.back().key == "runtime.tile");
  CHECK(is_runtime_key("runtime", "threads"));
  CHECK_FALSE(is_runtime_key("model", "width"));
}

// The field table is the one list of keys: to_yaml writes, load_config reads and
// config_reference documents from it. With every key away from its default, the resolved text
// round-trips exactly, so no key can be read but not written (or the reverse).
TEST_CASE("every config key, set away from its default, round-trips through to_yaml", "[config]") {
  const RunConfig c = load_config(
      "model: {width: 5, depth: 3, nonlinearity: identity, target_dim: 2}\n"
      "data: {size: 40, ratio: 2.5, rng: jax, seed: -7, jax_erf_inv: cephes_plain}\n"
      "training: {steps: 12, batch: 4, precision: float32, readout: probe, optimizer: nesterov, momentum: 0.5,"
      " adam_beta1: 0.8, adam_beta2: 0.99, adam_eps: 1e-6, weight_decay: 0.25, schedule: warmup_cosine,"
      " warmup_steps: 3, lr: [0.2, 0.3, 0.4]}\n"
      "phase_space: {kind: axes, x_param: init_offset_every_step, y_param: momentum, x_scale: linear,"
      " y_scale: linear, x: [-1.0, 2.0], y: [0.5, 0.75]}\n"
      "render: {resolution: [17, 19]}\n"
      "zoom: {frames: 2, factor: 3.0, target: [0.2, 0.6]}\n"
      "output: {dir: elsewhere, channels: [sharpness, measure]}\n"
      "runtime: {threads: 3, tile: 5}\n",
      "all.yaml");
  const std::string text = to_yaml(c);
  CHECK(to_yaml(load_config(text, "resolved.yaml")) == text);
  // training.arithmetic: perturbation needs float64, so it (with certify_pixels) leaves its
  // default in a second config, which also carries decimal strings beyond a double through the
  // round trip.
  const RunConfig deep = load_config(
      "training: {arithmetic: perturbation, certify_pixels: 4}\n"
      "phase_space: {x: [\"-0.5000000000000000000000000001\", 1], y: [-1, \"2.00000000000000000000000000003\"]}\n"
      "zoom: {target: [\"0.1234567890123456789012345678901\", 0.25]}\n",
      "deep.yaml");
  const std::string deep_text = to_yaml(deep);
  CHECK(to_yaml(load_config(deep_text, "resolved.yaml")) == deep_text);
  CHECK_THAT(deep_text, Catch::Contains("target: [\"1.234567890123456789012345678901e-01\", 0.25]"));
  CHECK(deep.zoom.target.x_tail != WideTail{});
  CHECK(deep.zoom.target.y_tail == WideTail{});
  // Every key of the reference appears in the text with a value other than its default: a key
  // added to the table without a non-default value here fails this test.
  // The keys of model.kind ripple_quadratic (docs/ripple.md) are refused away from their defaults
  // with mlp, and the network's with ripple_quadratic: a second config covers them.
  const RunConfig ripple = load_config(
      "model: {kind: ripple_quadratic, dim: 2, delta: -0.25, wavelength: 0.3, x0: [0.5, -2.0]}\n"
      "phase_space: {kind: axes, x_param: wavelength, y_param: delta, x: [-2.0, 0.0], y: [-3.0, -1.0]}\n",
      "ripple.yaml");
  const std::string ripple_text = to_yaml(ripple);
  CHECK(to_yaml(load_config(ripple_text, "resolved.yaml")) == ripple_text);
  const std::string defaults = to_yaml(RunConfig{});
  for (const ConfigKeyDoc& doc : config_reference()) {
    INFO(doc.key);
    const std::string key = doc.key.substr(doc.key.find('.') + 1);
    const bool ripple_key = doc.key == "model.kind" || doc.key == "model.dim" || doc.key == "model.delta" ||
                            doc.key == "model.wavelength" || doc.key == "model.x0";
    CHECK_THAT(defaults, Catch::Contains(key + ": " + doc.default_value));
    const bool deep_key = doc.key == "training.arithmetic" || doc.key == "training.certify_pixels";
    // (Whole keys: "dim: 1" is also the end of "target_dim: 1".)
    for (const char* before : {"{", " "}) {
      CHECK_THAT(deep_key     ? deep_text
                 : ripple_key ? ripple_text
                              : text,
                 !Catch::Contains(before + key + ": " + doc.default_value));
    }
  }
}

TEST_CASE("decimal-string centres: kept with perturbation, rounded for direct, depth limits name the remedy",
          "[config][deep]") {
  const std::string deep_window =
      "phase_space: {x: [\"0.10000000000000000000000000000000000001\", \"0.10000000000000000000000000000000000002\"],"
      " y: [-1, 1]}\nrender: {resolution: 16}\nzoom: {frames: 1}\n";
  // Direct: the bounds round to the same double, so the window is empty, and the message says
  // what would do it.
  CHECK_THAT(error_of(deep_window), Catch::Contains("pixel spacing 0 log10 units") &&
                                        Catch::Contains("or training.arithmetic: perturbation for deeper windows"));
  // Perturbation: a window 1e-38 wide about 0.1 is fine, and the exact bounds are kept.
  const RunConfig c = load_config(deep_window + "training: {arithmetic: perturbation}\n", "deep.yaml");
  const Window w = Window::from_intervals(c.phase_space.x, c.phase_space.y);
  CHECK(w.half_x == Approx(0.5e-38).epsilon(1e-12));
  CHECK(w.exact_centre_x().decimal(40) == "1.00000000000000000000000000000000000015e-01");
  // A plain number with more digits than a double holds keeps them too (YAML reads it as a float).
  const RunConfig p = load_config("training: {arithmetic: perturbation}\nzoom: {target: [0.1, -1]}\n", "p.yaml");
  CHECK(p.zoom.target.x == 0.1);
  CHECK(p.zoom.target.x_exact().decimal(30) == "1e-01");
  // Direct runs drop the digits a double cannot hold: exactly the rounded config.
  const RunConfig d = load_config("zoom: {target: [\"0.10000000000000000000001\", -1]}\n", "d.yaml");
  CHECK(d.zoom.target.x == 0.1);
  CHECK(d.zoom.target.x_tail == WideTail{});
  // Too deep for float64: the message names perturbation.
  CHECK_THAT(error_of("render: {resolution: 512}\nzoom: {frames: 60, factor: 2, target: [0.5, 0.5]}\n"),
             Catch::Contains("or training.arithmetic: perturbation for deeper windows"));
  // Perturbation reaches 1e-35 pixel spacing, but not past its own floor.
  CHECK_NOTHROW(load_config(
      "training: {arithmetic: perturbation}\nrender: {resolution: 64}\nzoom: {frames: 121, factor: 2, target: [0.5, 0.5]}\n",
      "ok.yaml"));
  CHECK_THAT(error_of("training: {arithmetic: perturbation}\nrender: {resolution: 64}\n"
                      "zoom: {frames: 160, factor: 2, target: [0.5, 0.5]}\n"),
             Catch::Contains("too deep even for training.arithmetic: perturbation"));
  CHECK(error_of("training: {arithmetic: perturbation, precision: float32}\n") ==
        "test.yaml: training.arithmetic = perturbation: needs training.precision float64 (its deviations are float64), "
        "not float32");
}
