// The batched engine's kernels compiled with the build's ISA flags (see batched_kernels.inc).
#define TRAINSCAPE_KERNELS_NS kernels_build
#include "batched_kernels.inc"
