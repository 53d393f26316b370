// The batched engine's kernels compiled for AVX-512F (CMake adds -mavx512f to this file only);
// BatchedEngine calls them only on CPUs that have it (see batched_kernels.inc).
#define TRAINSCAPE_KERNELS_NS kernels_avx512
#include "batched_kernels.inc"
