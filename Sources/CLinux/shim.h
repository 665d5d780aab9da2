// SPDX-License-Identifier: Apache-2.0
// The one header of the CLinux system-library target: what glibc declares and Swift's Glibc
// module leaves out.
#include <malloc.h>
#include <sys/types.h>

// The allocator's statistics (mallinfo2) come from <malloc.h> above. fallocate(2) is declared
// by <fcntl.h> only under _GNU_SOURCE, which the Glibc module is not built with: its prototype,
// as glibc gives it, and the one mode the journal uses (allocate blocks, keep the file's size).
int fallocate(int fd, int mode, off_t offset, off_t len);
#define ORIS_FALLOC_FL_KEEP_SIZE 0x01
