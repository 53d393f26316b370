// `trainscape movie`, `render`, `plot` and `view` with the real binary on tiny runs: movie length
// and frame count (ffprobe), first and last video frames against the keyframes, render's bytes
// against zoom's, SVGs that parse, refusals of missing / corrupt / foreign runs, SIGINT.
#include "cli_support.hpp"

#include <H5Cpp.h>

#include <cmath>
#include <cstdio>
#include <set>

#include "trainscape/colour.hpp"
#include "trainscape/io/hdf5_store.hpp"
#include "xml_check.hpp"

using namespace cli_test;

namespace {

const std::string kQuickstart = std::string("'") + TRAINSCAPE_SOURCE_DIR + "/configs/quickstart.yaml'";
/// 16 x 16 pixels, 3 frames, 50 steps: about half a second.
const std::string kTinyRun = " --set render.resolution=16 --set zoom.frames=3 --set training.steps=50 -q";

/// The runs every test reads (made once): target: auto in auto/, a fixed target in fixed/.
const Scratch& runs() {
  static const Scratch s;
  static const bool made = [] {
    REQUIRE(s.run("zoom " + kQuickstart + " --out auto" + kTinyRun).code == 0);
    REQUIRE(s.run("zoom " + kQuickstart + " --out fixed --set \"zoom.target=[1.0, 1.2]\"" + kTinyRun).code == 0);
    return true;
  }();
  (void)made;
  return s;
}

std::string sh(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  for (std::size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  pclose(p);
  return out;
}

struct Probe {
  long frames = -1;
  double duration = -1;
  int width = 0, height = 0;
  std::string codec, pix_fmt;
};

Probe ffprobe(const fs::path& file) {
  const std::string text =
      sh("ffprobe -v error -count_frames -select_streams v:0 -show_entries "
         "stream=nb_read_frames,width,height,codec_name,pix_fmt:format=duration -of "
         "default=nw=1 '" +
         file.string() + "'");
  Probe p;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    const std::string key = line.substr(0, line.find('=')), value = line.substr(line.find('=') + 1);
    if (key == "nb_read_frames") p.frames = std::stol(value);
    if (key == "duration") p.duration = std::stod(value);
    if (key == "width") p.width = std::stoi(value);
    if (key == "height") p.height = std::stoi(value);
    if (key == "codec_name") p.codec = value;
    if (key == "pix_fmt") p.pix_fmt = value;
  }
  return p;
}

/// Every decoded frame of a video as RGB bytes, concatenated.
std::string decoded_rgb(const fs::path& file) {
  return sh("ffmpeg -v error -i '" + file.string() + "' -f rawvideo -pix_fmt rgb24 -");
}

/// Mean absolute difference (0..255) between video frame `index` and `expected` (display order:
/// the keyframe's colours with its top row, y_max, first).
double frame_error(const std::string& video, int index,
                   const trainscape::Image<std::array<std::uint8_t, 3>>& keyframe) {
  const std::size_t size = keyframe.data.size() * 3;
  REQUIRE(video.size() >= (static_cast<std::size_t>(index) + 1) * size);
  double sum = 0;
  for (int r = 0; r < keyframe.rows; ++r) {
    for (int c = 0; c < keyframe.cols; ++c) {
      for (int ch = 0; ch < 3; ++ch) {
        const auto got = static_cast<unsigned char>(
            video[index * size + (static_cast<std::size_t>(r) * keyframe.cols + c) * 3 + ch]);
        sum += std::fabs(static_cast<double>(got) - keyframe(keyframe.rows - 1 - r, c)[static_cast<std::size_t>(ch)]);
      }
    }
  }
  return sum / static_cast<double>(size);
}

/// The error H.264 in yuv420p leaves on these 16 x 16 frames of pixel-sized detail (the colour
/// planes are stored at half resolution): 8 to 14 measured, while a video frame compared with
/// the wrong keyframe scores 36 to 46.
constexpr double kEncodingError = 16.0;

}  // namespace

TEST_CASE("movie: length, frame count and codec as documented", "[watch][cli]") {
  const Scratch& s = runs();
  const Result r = s.run("movie auto --out auto/default.mp4");
  INFO(r.err);
  REQUIRE(r.code == 0);
  const Probe p = ffprobe(s.dir / "auto/default.mp4");
  CHECK(p.frames == 2 * 45 + 2 * 30);  // (3 - 1) x 1.5 s + 2 x 1 s at 30 fps
  CHECK(p.duration == Approx(5.0).margin(1e-3));
  CHECK(p.codec == "h264");
  CHECK(p.pix_fmt == "yuv420p");
  CHECK(p.width == 16);
  CHECK(p.height == 16);
  CHECK_FALSE(fs::exists(s.dir / "auto/default.mp4.partial"));

  REQUIRE(s.run("movie auto --out auto/short.mp4 --fps 10 --seconds-per-step 0.5 --hold 0 --size 32x24 -q").code == 0);
  const Probe q = ffprobe(s.dir / "auto/short.mp4");
  CHECK(q.frames == 10);
  CHECK(q.duration == Approx(1.0).margin(1e-3));
  CHECK(q.width == 32);
  CHECK(q.height == 24);
}

TEST_CASE("movie: first and last video frames are the first and last keyframes (auto and fixed target)",
          "[watch][cli]") {
  const Scratch& s = runs();
  for (const std::string dir : {"auto", "fixed"}) {
    INFO(dir);
    const trainscape::io::StoredRun run = trainscape::io::read_run((s.dir / dir / "run.h5").string());
    REQUIRE(run.frames.size() == 3);
    const auto first = trainscape::colourise(run.frames.front().measure);
    const auto last = trainscape::colourise(run.frames.back().measure);
    for (const bool reverse : {false, true}) {
      INFO("reverse " << reverse);
      const std::string out = dir + (reverse ? "/reverse.mp4" : "/ends.mp4");
      REQUIRE(s.run("movie " + dir + " --out " + out + " --fps 10 --seconds-per-step 0.5 --hold 0.2 --quality 0 -q" +
                    (reverse ? " --reverse" : ""))
                  .code == 0);
      const std::string video = decoded_rgb(s.dir / out);
      const int frames = static_cast<int>(video.size() / (16 * 16 * 3));
      REQUIRE(frames == 2 * 5 + 2 * 2);
      const auto& begin = reverse ? last : first;
      const auto& end = reverse ? first : last;
      const double e_first = frame_error(video, 0, begin), e_last = frame_error(video, frames - 1, end);
      const double e_wrong = frame_error(video, 0, end);
      CHECK(e_first < kEncodingError);
      CHECK(e_last < kEncodingError);
      CHECK(e_wrong > 2 * kEncodingError);  // the comparison tells keyframes apart
      // The zoom lands on keyframe 1 at its time: after the hold (2 frames) and one step (5).
      const auto middle = trainscape::colourise(run.frames[1].measure);
      CHECK(frame_error(video, reverse ? frames - 1 - 7 : 7, middle) < kEncodingError);
    }
  }
}

TEST_CASE("movie: no ffmpeg is a one-line error with exit 4, bad options exit 2, nothing written", "[watch][cli]") {
  const Scratch& s = runs();
  const Result r = s.run("movie auto --out auto/none.mp4", "PATH=/nonexistent");
  check_one_line_error(r, 4, "ffmpeg: not found on PATH");
  CHECK_FALSE(fs::exists(s.dir / "auto/none.mp4"));
  check_one_line_error(s.run("movie auto --out auto/x.mp4 --seconds-per-step 0.51"), 2, "--seconds-per-step 0.51");
  check_one_line_error(s.run("movie auto --out auto/x.mp4 --size 17"), 2, "--size 17: must be");
  check_one_line_error(s.run("movie auto --out auto/x.mp4 --palette jet"), 2, "--palette jet");
  check_one_line_error(s.run("movie auto --out auto/x.mp4 --codec vp9"), 2, "--codec vp9");
  CHECK_FALSE(fs::exists(s.dir / "auto/x.mp4"));
}

TEST_CASE("movie: SIGINT stops ffmpeg, leaves no file and keeps an existing one", "[watch][cli]") {
  const Scratch& s = runs();
  s.write("auto/kept.mp4", "an older movie");
  // 600 frames of 1024 x 1024: long enough to be interrupted.
  const Result r =
      s.run_and_signal_after("movie auto --out auto/kept.mp4 --size 1024 --seconds-per-step 10 -q", SIGINT, 1.0);
  INFO(r.err);
  CHECK(r.code == 130);
  CHECK_THAT(r.err, Catch::Contains("movie stopped (SIGINT)"));
  CHECK(slurp(s.dir / "auto/kept.mp4") == "an older movie");
  CHECK_FALSE(fs::exists(s.dir / "auto/kept.mp4.partial"));
}

TEST_CASE("render: with no options the bytes equal zoom's PNGs, and palettes, ranges and scale", "[watch][cli]") {
  const Scratch& s = runs();
  REQUIRE(s.run("render auto").code == 0);
  for (int k = 0; k < 3; ++k) {
    const std::string name = "frame_00" + std::to_string(k) + ".png";
    INFO(name);
    CHECK(slurp(s.dir / "auto/render" / name) == slurp(s.dir / "auto" / name));
  }
  REQUIRE(s.run("render auto --out classes --frames 1:2 --palette classes --scale 3").code == 0);
  CHECK_FALSE(fs::exists(s.dir / "classes/frame_000.png"));
  REQUIRE(fs::exists(s.dir / "classes/frame_002.png"));
  const std::string png = slurp(s.dir / "classes/frame_001.png");
  // IHDR width and height (big-endian at offsets 16 and 20): 16 x 3 = 48.
  CHECK(static_cast<unsigned char>(png[19]) == 48);
  CHECK(static_cast<unsigned char>(png[23]) == 48);
  CHECK_THAT(png, Catch::Contains("palette=classes scale=3"));
  REQUIRE(s.run("render auto --out shared --shared-stretch").code == 0);
  CHECK(slurp(s.dir / "shared/frame_001.png") != slurp(s.dir / "auto/frame_001.png"));
  check_one_line_error(s.run("render auto --frames 2:7"), 2, "--frames 2:7");
  check_one_line_error(s.run("render auto --palette x"), 2, "--palette x");
}

TEST_CASE("plot: three SVG figures that parse, with labels and legends", "[watch][cli]") {
  const Scratch& s = runs();
  REQUIRE(s.run("plot auto").code == 0);
  for (const char* name : {"boxcounts.svg", "slopes.svg", "dimension.svg"}) {
    INFO(name);
    const std::string svg = slurp(s.dir / "auto/plots" / name);
    CHECK(xml_check::well_formed(svg) == "");
    CHECK_THAT(svg, Catch::Contains("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    CHECK_THAT(svg, Catch::Contains("class=\"legend\""));
  }
  const std::string counts = slurp(s.dir / "auto/plots/boxcounts.svg");
  CHECK_THAT(counts, Catch::Contains(">box size d (pixels)</text>"));
  CHECK_THAT(counts, Catch::Contains(">frame 2</text>"));
  CHECK_THAT(slurp(s.dir / "auto/plots/dimension.svg"),
             Catch::Contains(">zoom depth (decades of magnification)</text>"));
}

TEST_CASE("view: one self-contained page", "[watch][cli]") {
  const Scratch& s = runs();
  const Result r = s.run("view fixed --out page.html");
  REQUIRE(r.code == 0);
  const std::string page = slurp(s.dir / "page.html");
  CHECK(page.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(page.find("http://") == std::string::npos);
  CHECK(page.find("https://") == std::string::npos);
  CHECK(page.find(" src=\"") == std::string::npos);  // nothing loaded from elsewhere
  CHECK_THAT(page, Catch::Contains("\"frames_per_step\": 45"));
  CHECK(page.size() < 200000);
}

TEST_CASE("movie, render, plot and view refuse missing, corrupt and foreign runs with one line", "[watch][cli]") {
  Scratch s;
  fs::create_directories(s.dir / "corrupt");
  s.write("corrupt/run.h5", "\x89HDF\r\n\x1a\n but then nothing an HDF5 library can read");
  fs::create_directories(s.dir / "foreign");
  {
    H5::H5File f((s.dir / "foreign/run.h5").string(), H5F_ACC_TRUNC);
    f.createGroup("/something");
  }
  fs::create_directories(s.dir / "empty");
  s.write("empty/zoom.mp4", "keep me");
  for (const std::string cmd : {"movie", "render", "plot", "view"}) {
    INFO(cmd);
    check_one_line_error(s.run(cmd + " missing"), 4, "missing: no such file");
    check_one_line_error(s.run(cmd + " empty"), 4, "empty/run.h5: no such file");
    check_one_line_error(s.run(cmd + " corrupt"), 4, "corrupt/run.h5");
    check_one_line_error(s.run(cmd + " foreign"), 4, "not a trainscape run");
  }
  CHECK(slurp(s.dir / "empty/zoom.mp4") == "keep me");
  CHECK_FALSE(fs::exists(s.dir / "corrupt/zoom.mp4"));
  CHECK_FALSE(fs::exists(s.dir / "corrupt/render"));
  CHECK_FALSE(fs::exists(s.dir / "foreign/plots"));
  CHECK_FALSE(fs::exists(s.dir / "foreign/index.html"));
}

TEST_CASE("a run of one frame: the movie holds it, the viewer shows it, --hold 0 is refused", "[watch][cli]") {
  Scratch s;
  REQUIRE(s.run("zoom " + kQuickstart +
                " --out one --set render.resolution=16 --set zoom.frames=1 "
                "--set training.steps=20 -q")
              .code == 0);
  REQUIRE(s.run("movie one --fps 10 -q").code == 0);
  const Probe p = ffprobe(s.dir / "one/zoom.mp4");
  CHECK(p.frames == 20);  // 2 x 1 s hold at 10 fps
  CHECK(p.duration == Approx(2.0).margin(1e-3));
  CHECK(s.run("view one").code == 0);
  CHECK(fs::exists(s.dir / "one/index.html"));
  check_one_line_error(s.run("movie one --hold 0 --out one/empty.mp4"), 2, "--hold 0");
  CHECK_FALSE(fs::exists(s.dir / "one/empty.mp4"));
}
