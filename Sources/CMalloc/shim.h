// SPDX-License-Identifier: Apache-2.0
// The one header of the CMalloc system-library target: glibc's allocator statistics
// (mallinfo2), which Swift's Glibc module leaves out. It can go once that module includes
// <malloc.h>.
#include <malloc.h>
