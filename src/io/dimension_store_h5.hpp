#pragma once
/// The HDF5-typed half of dimension_store.hpp, for writers inside trainscape_io that hold a run
/// file open (the zoom store). Internal: not installed, since the public headers hold no HDF5
/// types.
#include <string>

#include "trainscape/dimension/estimate.hpp"

namespace H5 {
class Group;
}

namespace trainscape::io {

/// For a writer that holds the file open (the zoom store), with `root` the file's root group:
/// writes the report of frame `index` as /dimension/frames/NNNNNN (creating /dimension and
/// /dimension/frames when absent; replacing that frame's group when present) ...
void write_frame_dimensions(H5::Group& root, int index, const DimensionReport& report, const std::string& file);
/// ... and the sequence's as /dimension/sequence (replaced when present). `file` names the file
/// in error messages.
void write_sequence_dimensions(H5::Group& root, const DimensionReport& report, const std::string& file);

}  // namespace trainscape::io
