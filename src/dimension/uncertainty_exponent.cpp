#include "trainscape/dimension/uncertainty_exponent.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <utility>

#include "dimension/common.hpp"
#include "trainscape/error.hpp"
#include "trainscape/execution.hpp"

namespace trainscape {

using namespace dimension_detail;

namespace {
constexpr double kPi = 3.14159265358979323846;
}  // namespace

DimensionEstimate uncertainty_exponent_batch(const BatchPhaseFunction& phase, const UncertaintyOptions& o,
                                             double eps_floor) {
  if (o.points < 1) throw errors::config_value("points", std::to_string(o.points), "must be >= 1", "uncertainty");
  if (o.eps_per_decade < 1 || !(o.eps_min_exp <= o.eps_max_exp)) {
    throw ConfigError("uncertainty: the epsilon ladder needs eps_per_decade >= 1 and eps_min_exp <= eps_max_exp");
  }
  if (o.chunk < 1 || o.chunks_per_round < 1) throw ConfigError("uncertainty: chunk and chunks_per_round must be >= 1");

  DimensionEstimate e(DimensionMethod::Uncertainty);
  std::vector<double> eps;
  int dropped = 0;
  for (int k = 0;; ++k) {
    const double ex = o.eps_max_exp - static_cast<double>(k) / o.eps_per_decade;
    if (ex < o.eps_min_exp - 1e-9) break;
    const double v = std::pow(10.0, ex);
    if (v < eps_floor) {
      ++dropped;
      continue;
    }
    eps.push_back(v);
  }
  if (eps.size() > 63) throw ConfigError("uncertainty: at most 63 epsilons (" + std::to_string(eps.size()) + " asked)");
  const std::size_t K = eps.size();
  std::string notes;
  if (dropped > 0) {
    char buf[200];
    std::snprintf(buf, sizeof buf, "%d epsilons below %.3g dropped: the outcome cannot resolve them in this window",
                  dropped, eps_floor);
    notes = buf;
  }
  e.scales = eps;
  if (K == 0) {
    e.note = notes.empty() ? "no epsilon to evaluate" : notes;
    return e;
  }

  const CounterRng points_rng(o.seed, 0x5EED0001);
  const std::size_t per_point = K + 1;
  std::vector<std::uint64_t> masks;
  std::vector<std::int64_t> n_u(K, 0);
  const std::int64_t round_size = static_cast<std::int64_t>(o.chunk) * o.chunks_per_round;
  const int threads = resolve_thread_count(o.threads);
  std::int64_t done = 0;
  bool stopped = false;
  while (done < o.points) {
    const std::int64_t this_round = std::min(round_size, o.points - done);
    const int chunks = static_cast<int>((this_round + o.chunk - 1) / o.chunk);
    masks.resize(static_cast<std::size_t>(done + this_round), 0);
    parallel_for_each(chunks, threads, [&](std::int64_t ci) {
      const std::int64_t j0 = done + ci * o.chunk;
      const std::int64_t cnt = std::min<std::int64_t>(o.chunk, done + this_round - j0);
      const std::size_t n = static_cast<std::size_t>(cnt) * per_point;
      std::vector<double> u(n), v(n);
      std::vector<std::uint8_t> out(n, 0);
      for (std::int64_t p = 0; p < cnt; ++p) {
        const auto j = static_cast<std::uint64_t>(j0 + p);
        const double bu = points_rng.uniform(3 * j), bv = points_rng.uniform(3 * j + 1);
        const double theta = 2.0 * kPi * points_rng.uniform(3 * j + 2);
        const double cu = std::cos(theta), cv = std::sin(theta);
        const std::size_t at = static_cast<std::size_t>(p) * per_point;
        u[at] = bu;
        v[at] = bv;
        for (std::size_t k = 0; k < K; ++k) {
          u[at + 1 + k] = bu + eps[k] * cu;
          v[at + 1 + k] = bv + eps[k] * cv;
        }
      }
      phase(u.data(), v.data(), n, out.data());
      for (std::int64_t p = 0; p < cnt; ++p) {
        const std::size_t at = static_cast<std::size_t>(p) * per_point;
        const bool base = out[at] != 0;
        std::uint64_t m = 0;
        for (std::size_t k = 0; k < K; ++k) {
          if ((out[at + 1 + k] != 0) != base) m |= std::uint64_t{1} << k;
        }
        masks[static_cast<std::size_t>(j0 + p)] = m;
      }
    });
    for (std::int64_t j = done; j < done + this_round; ++j) {
      const std::uint64_t m = masks[static_cast<std::size_t>(j)];
      for (std::size_t k = 0; k < K; ++k) n_u[k] += (m >> k) & 1u;
    }
    done += this_round;
    if (o.target_uncertain > 0 &&
        std::all_of(n_u.begin(), n_u.end(), [&](std::int64_t c) { return c >= o.target_uncertain; })) {
      break;
    }
    if (done < o.points && o.progress && !o.progress(done, o.points)) {
      stopped = true;
      break;
    }
  }
  e.samples = done;
  const double M = static_cast<double>(done);
  for (std::size_t k = 0; k < K; ++k) {
    e.counts.push_back(static_cast<double>(n_u[k]));
    e.values.push_back(static_cast<double>(n_u[k]) / M);
  }
  e.local = local_dimensions(e.scales, e.values, FitKind::Pair);
  if (stopped) {
    const std::string s = "stopped after " + std::to_string(done) + " of " + std::to_string(o.points) + " points";
    notes = notes.empty() ? s : notes + "; " + s;
  }

  // The fitted epsilons, fixed from the full sample.
  const double fit_top = std::pow(10.0, o.fit_max_exp) * (1.0 + 1e-9);
  std::vector<std::size_t> fit_k;
  for (std::size_t k = 0; k < K; ++k) {
    if (eps[k] <= fit_top && n_u[k] >= o.min_uncertain && n_u[k] > 0) fit_k.push_back(k);
  }
  auto fit_with = [&](const std::vector<std::size_t>& ks, const std::vector<double>& nu) {
    std::vector<double> x, y, w;
    for (std::size_t k : ks) {
      if (!(nu[k] > 0)) continue;
      x.push_back(std::log(eps[k]));
      y.push_back(std::log(nu[k] / M));
      w.push_back(nu[k]);
    }
    if (x.size() < 3) return LineFit{};
    return fit_line(x, y, &w);
  };
  std::vector<double> nu_d(e.counts);
  double decades = 0;
  if (!fit_k.empty()) {
    e.fit_max = eps[fit_k.front()];
    e.fit_min = eps[fit_k.back()];
    decades = std::log10(e.fit_max / e.fit_min);
  }
  e.fit_points = static_cast<int>(fit_k.size());
  const LineFit main_fit = fit_with(fit_k, nu_d);
  const bool enough = static_cast<int>(fit_k.size()) >= o.min_eps && decades >= o.min_decades - 1e-9;
  if (!enough || !main_fit.ok) {
    char buf[400];
    std::snprintf(buf, sizeof buf,
                  "too few uncertain points: %zu epsilons <= %.3g with n_u >= %lld spanning %.2f decades (need %d "
                  "spanning %.1f)%s; raise the number of points",
                  fit_k.size(), fit_top, static_cast<long long>(o.min_uncertain), decades, o.min_eps, o.min_decades,
                  main_fit.ok ? (std::string(", provisional D = ") + std::to_string(2.0 - main_fit.slope)).c_str()
                              : "");
    e.note = notes.empty() ? buf : notes + "; " + buf;
    return e;
  }
  e.dimension = 2.0 - main_fit.slope;
  e.fit_se = main_fit.se;

  // Systematic (diagnostic): leave out the largest or the smallest fitted epsilon.
  std::vector<double> alt{e.dimension};
  if (fit_k.size() > 3) {
    const LineFit a = fit_with(std::vector<std::size_t>(fit_k.begin() + 1, fit_k.end()), nu_d);
    const LineFit b = fit_with(std::vector<std::size_t>(fit_k.begin(), fit_k.end() - 1), nu_d);
    if (a.ok) alt.push_back(2.0 - a.slope);
    if (b.ok) alt.push_back(2.0 - b.slope);
  }
  const auto mm = std::minmax_element(alt.begin(), alt.end());
  e.systematic = 0.5 * (*mm.second - *mm.first);

  // Poisson bootstrap over base points: only points uncertain at some fitted epsilon matter for
  // the slope (the total weight only shifts ln f by a constant).
  std::uint64_t fit_mask = 0;
  for (std::size_t k : fit_k) fit_mask |= std::uint64_t{1} << k;
  std::vector<std::uint64_t> live;
  for (std::uint64_t m : masks) {
    if (m & fit_mask) live.push_back(m & fit_mask);
  }
  const CounterRng boot_rng(o.seed, 0x5EED0002);
  std::uint64_t counter = 0;
  std::vector<double> reps, nu(K);
  for (int r = 0; r < o.resamples; ++r) {
    std::fill(nu.begin(), nu.end(), 0.0);
    for (std::uint64_t m : live) {
      const int w = boot_rng.poisson1(counter++);
      if (w == 0) continue;
      for (std::size_t k : fit_k) {
        if ((m >> k) & 1u) nu[k] += w;
      }
    }
    const LineFit f = fit_with(fit_k, nu);
    reps.push_back(f.ok ? 2.0 - f.slope : kNaN);
  }
  const auto ci = percentile_interval(std::move(reps), o.confidence);
  e.boot_low = e.ci_low = ci.first;
  e.boot_high = e.ci_high = ci.second;
  e.note = notes;
  return e;
}

DimensionEstimate uncertainty_exponent(const PhaseFunction& phase, const UncertaintyOptions& options) {
  const BatchPhaseFunction batch = [&phase](const double* u, const double* v, std::size_t n, std::uint8_t* out) {
    for (std::size_t i = 0; i < n; ++i) out[i] = phase(u[i], v[i]) ? 1 : 0;
  };
  return uncertainty_exponent_batch(batch, options, 0.0);
}

}  // namespace trainscape
