// The paper presets (configs/paper): each condition's problem is the notebook's (data.rng: jax,
// seed 0), with the notebook's dataset size, first values and minibatch indices, and its loss
// is the formula of docs/model.md#network and docs/model.md#loss written out independently here.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "trainscape/io/config_file.hpp"
#include "trainscape/problem.hpp"
#include "trainscape/reference_engine.hpp"
#include "trainscape/window.hpp"

using namespace trainscape;

namespace {
RunConfig preset(const std::string& name) {
  return io::load_config_file(std::string(TRAINSCAPE_SOURCE_DIR) + "/configs/paper/" + name + ".yaml");
}

/// docs/model.md#network for depth 2, written out: out = f(X W_0 / sqrt(d)) W_1 / n.
double loss_by_formula(const Problem& p) {
  const Eigen::MatrixXd z = p.X * p.weights[0] / std::sqrt(double(p.width));
  Eigen::MatrixXd h = z;
  for (Eigen::Index i = 0; i < z.size(); ++i) {
    if (p.nonlinearity == Nonlinearity::Tanh) h(i) = std::tanh(std::sqrt(2.0) * z(i));
    if (p.nonlinearity == Nonlinearity::Relu) h(i) = std::sqrt(2.0) * std::max(z(i), 0.0);
  }
  const Eigen::MatrixXd out = h * p.weights[1] / double(p.width);
  return (out - p.Y).array().square().mean();
}
}  // namespace

TEST_CASE("paper presets: dataset sizes, the notebook's arrays, and the loss formula", "[paper]") {
  struct Expect {
    const char* name;
    int n_data;
    double x00;  // X[0, 0] (docs/jax-rng.md#known-answers, FMA variant where it differs)
  };
  const Expect expected[] = {{"tanh_full", 272, 0.012877245180492047},  {"tanh_minibatch", 272, 0.012877245180492047},
                             {"relu", 272, 0.012877245180492047},       {"init_offset", 272, 0.012877245180492047},
                             {"deep_linear", 16, 0.031313708377454855}, {"tanh_single", 1, 0.14646465203823308}};
  for (const auto& e : expected) {
    for (const std::string suffix : {"", "_wide"}) {
      INFO(e.name << suffix);
      const RunConfig c = preset(e.name + suffix);
      const Problem p = make_problem(c);
      CHECK(p.n_data() == e.n_data);
      CHECK(p.X(0, 0) == e.x00);
      CHECK(p.weights[0](0, 1) == 0.5916661076542855);  // the same initial network in every panel
      CHECK(p.weights[0](0, 0) == 1.8020351263179202);  // FMA-Horner erf_inv (data.jax_erf_inv default)
      CHECK(p.weights[1](0, 0) == 0.481221237167072);
      CHECK(reference::loss_and_gradients(p, p.weights, nullptr) == Approx(loss_by_formula(p)).epsilon(1e-14));
    }
  }
  const Problem mb = make_problem(preset("tanh_minibatch"));
  REQUIRE(mb.minibatches.size() == 1000);
  CHECK(mb.minibatches[0] == std::vector<int>{247, 151, 53, 129, 239, 246, 2, 15, 58, 265, 213, 11, 36, 43, 125, 171});
  CHECK(mb.minibatches[1] ==
        std::vector<int>{155, 204, 245, 125, 239, 234, 191, 235, 27, 37, 93, 114, 51, 253, 211, 202});
  CHECK(make_problem(preset("tanh_full")).Y(0, 0) == -2.3967584431649946);
}

TEST_CASE("paper presets: the deepest frame is the paper's window", "[paper]") {
  struct Panel {
    const char* name;
    double x0, x1, y0, y1;  // docs/model.md#paper-panels, in the hyperparameters themselves
  };
  const Panel panels[] = {
      {"deep_linear", 1.90010080e2, 1.90011840e2, 4.77745244e0, 4.77749670e0},
      {"relu", 5.77622737e-1, 5.77625590e-1, 8.14432439e1, 8.14436463e1},
      {"tanh_single", 4.8298735e1, 4.8299146e1, 1.82066141e1, 1.82067690e1},
      {"tanh_minibatch", 2.67398835471957e-1, 2.67398835475071e-1, 1.74269509700711e2, 1.74269509702741e2},
      {"tanh_full", 1.329976231e1, 1.329978604e1, 2.003582269e2, 2.003585844e2},
      {"init_offset", 1.960618282403e-1, 1.960618285243e-1, 3.90254607863e1, 3.90254608429e1},
  };
  for (const auto& panel : panels) {
    INFO(panel.name);
    const RunConfig c = preset(panel.name);
    const Window first = Window::from_intervals(c.phase_space.x, c.phase_space.y);
    CHECK(2 * first.half_x >= 6.0);  // keyframes double until the window spans 6 decades
    CHECK(2 * first.half_x < 12.0);
    Window deepest = first;
    deepest.centre_x = c.zoom.target.x;
    deepest.centre_y = c.zoom.target.y;
    deepest.half_x /= std::pow(2.0, c.zoom.frames - 1);
    deepest.half_y /= std::pow(2.0, c.zoom.frames - 1);
    const int cols = c.render.resolution.cols, rows = c.render.resolution.rows;
    CHECK(cols % 2 == 1);  // odd, so that consecutive frames share pixels (KnownPixels)
    const Grid g(deepest, cols, rows);
    // Within a millionth of the window, or a few ulps for the deepest panel (3e-12 wide), where
    // the log10 centre written with 17 digits is itself that precise.
    const double ulp = 0x1.0p-52;
    const double tol_x = 1e-6 * (panel.x1 - panel.x0) + 8 * ulp * panel.x1;
    const double tol_y = 1e-6 * (panel.y1 - panel.y0) + 8 * ulp * panel.y1;
    CHECK(std::fabs(g.value_x(0) - panel.x0) < tol_x);
    CHECK(std::fabs(g.value_x(cols - 1) - panel.x1) < tol_x);
    CHECK(std::fabs(g.value_y(0) - panel.y0) < tol_y);
    CHECK(std::fabs(g.value_y(rows - 1) - panel.y1) < tol_y);
  }
  CHECK(preset("init_offset").phase_space.kind == PhaseSpaceKind::OffsetEveryStepVsLr);
}
