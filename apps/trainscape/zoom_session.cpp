#include "zoom_session.hpp"

#include <cstdio>
#include <memory>

#include "observers.hpp"
#include "stop_request.hpp"
#include "trainscape/io/file.hpp"
#include "trainscape/io/hdf5_store.hpp"
#include "trainscape/problem.hpp"

namespace trainscape::app {

ZoomSummary run_zoom_session(const RunConfig& config, const Engine& engine, const ZoomSession& session) {
  const Problem problem = make_problem(config);
  ProgressDisplay progress(session.show_progress, stop_signal());
  SummaryPrinter summary(stdout);
  std::unique_ptr<io::Hdf5RunStore> store;
  std::unique_ptr<PngFrameWriter> png;
  ObserverList observers;
  if (session.journal != nullptr) observers.add(*session.journal);
  if (session.write_results) {
    // run.h5 is rewritten from the journal on every start (see tile_journal.hpp).
    store = std::make_unique<io::Hdf5RunStore>(session.run_file);
    png = std::make_unique<PngFrameWriter>(config.output.dir);
    observers.add(*store);
    observers.add(*png);
  }
  observers.add(progress);
  for (ZoomObserver* o : session.extra) observers.add(*o);
  if (session.print_summary) observers.add(summary);

  ZoomSummary result;
  try {
    result = run_zoom(config, problem, engine, observers, session.plan);
  } catch (const Interrupted& e) {
    throw stopped_error(e.what(), session.kept, session.resume_command);
  }
  if (store) {
    store->close();
    io::sync_file(session.run_file);
    if (session.journal != nullptr) session.journal->remove();
  }
  if (session.journal != nullptr) {
    for (const auto& f : session.journal->set_aside()) {
      std::fprintf(stderr, "trainscape: warning: %s was corrupt; recomputed its tile\n", f.c_str());
    }
  }
  return result;
}

}  // namespace trainscape::app
