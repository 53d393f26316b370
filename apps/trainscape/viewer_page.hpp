#pragma once
/// The viewer page of `trainscape view` (docs/watch.md#the-viewer): one HTML file with its
/// script, styles and data inline, so that it works opened from disk with no network. The script
/// composites video frames by the same rules as the movie (trainscape/movie.hpp): the similarity
/// zoom between keyframes, bilinear resampling, the sin^2-eased colour stretch and the fade-in of
/// the finer keyframe.
#include <cstdint>
#include <string>
#include <vector>

namespace trainscape::app {

/// Standard base64 (RFC 4648, with padding) of a byte range.
std::string base64(const std::uint8_t* data, std::size_t size);

/// The page with `data_json` (a JSON object built by commands/view.cpp; its format is described
/// at the top of the page's script) embedded in a script element. Every '<' in the data must
/// already be escaped (as \u003c), so that the data cannot end the element.
std::string viewer_page(const std::string& title, const std::string& data_json);

}  // namespace trainscape::app
