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

// CRC-32C with the processor's own instruction (SSE 4.2's crc32, on x86-64 since 2008), for
// the checksum of every journal record: about twenty times fewer instructions than the table
// walk in CRC32C.swift, which stays the reference and the fallback. `state` is the running
// register (the checksum's complement); the caller complements before and after.
#include <stddef.h>
#include <stdint.h>
#if defined(__x86_64__)
#include <cpuid.h>

static inline int oris_crc32c_hardware_available(void) {
    unsigned int a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    return (c & bit_SSE4_2) != 0;
}

__attribute__((target("sse4.2")))
static inline uint32_t oris_crc32c_hardware(uint32_t state, const uint8_t *bytes, size_t count) {
    uint64_t wide = state;
    while (count >= 8) {
        uint64_t word;
        __builtin_memcpy(&word, bytes, 8);
        wide = __builtin_ia32_crc32di(wide, word);
        bytes += 8;
        count -= 8;
    }
    uint32_t narrow = (uint32_t)wide;
    while (count > 0) {
        narrow = __builtin_ia32_crc32qi(narrow, *bytes);
        bytes += 1;
        count -= 1;
    }
    return narrow;
}
#else
static inline int oris_crc32c_hardware_available(void) { return 0; }

static inline uint32_t oris_crc32c_hardware(uint32_t state, const uint8_t *bytes, size_t count) {
    (void)bytes;
    (void)count;
    return state;
}
#endif

// Asks the processor to start bringing the cache line at `address` in, to be written soon: the
// id window's table is read at a random place for every item, and a window of a million ids
// does not fit in the caches. Only a hint: it never faults, whatever the address.
#if defined(__x86_64__)
__attribute__((target("prfchw")))
#endif
static inline void oris_prefetch_for_write(const void *address) {
    __builtin_prefetch(address, 1, 3);
}
