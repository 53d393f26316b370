// `trainscape plot RUN_DIR`: SVG figures of the run's box counts and dimensions (docs/watch.md#plots).
#include <cstdio>
#include <filesystem>
#include <string>

#include "../stored_run_input.hpp"
#include "commands.hpp"
#include "trainscape/error.hpp"
#include "trainscape/io/file.hpp"
#include "trainscape/plot.hpp"

namespace trainscape::app {

int run_plot_command(const PlotOptions& opt) {
  const RunInput input = open_run(opt.run_dir);
  DimensionReport sequence;
  const std::vector<DimensionReport> reports = frame_reports(input, sequence);
  const std::vector<Figure> figures = run_figures(input.run.frames, reports, sequence);

  const std::string out = opt.out.empty() ? opt.run_dir + "/plots" : opt.out;
  std::error_code ec;
  std::filesystem::create_directories(out, ec);
  if (ec || !std::filesystem::is_directory(out)) {
    throw errors::cannot_create(out, ec ? ec.message() : "exists and is not a directory");
  }
  for (const Figure& f : figures) {
    io::write_file_durably(out + "/" + f.name, f.svg);
    std::printf("wrote %s/%s\n", out.c_str(), f.name.c_str());
  }
  return 0;
}

}  // namespace trainscape::app
