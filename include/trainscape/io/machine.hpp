#pragma once
/// Facts about the machine the tool runs on, for refusing work before it fails halfway: the one
/// place that decides how much memory a piece of work may plan to use.
#include <string>

#include "trainscape/error.hpp"

namespace trainscape::io {

/// Physical memory in bytes, or 0 if the system does not say.
double physical_memory_bytes();

/// The most memory (bytes) one piece of work may plan to need: 80% of physical memory, leaving
/// room for the system and the rest of the process; +infinity when physical memory is unknown
/// (then the allocation itself decides).
double memory_limit_bytes();

/// The refusal for work needing `needed_bytes`, or "" if that is within memory_limit_bytes():
///   "<subject> needs about N.N GiB of memory[ <purpose>], more than 80% of this machine's
///    M.M GiB[; <fix>]"
/// e.g. subject "quick.yaml: render.resolution = [65536, 65536]", fix "lower the resolution";
/// or subject "huge.png: an image of 32768 x 32768 pixels", purpose "to measure".
std::string memory_refusal(double needed_bytes, const std::string& subject, const std::string& purpose = "",
                           const std::string& fix = "");

/// Throws E(memory_refusal(...)) when the work does not fit; E is the error whose exit code fits
/// the cause (ConfigError for a config value, UsageError for an option, IoError for a file that
/// declares too much).
template <class E>
void refuse_if_exceeds_memory(double needed_bytes, const std::string& subject, const std::string& purpose = "",
                              const std::string& fix = "") {
  std::string refusal = memory_refusal(needed_bytes, subject, purpose, fix);
  if (!refusal.empty()) throw E(errors::one_line(refusal));
}

}  // namespace trainscape::io
