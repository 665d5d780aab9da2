// SPDX-License-Identifier: Apache-2.0
import CLinux

/// What the C allocator holds for the process: a gauge for STATS and for memory measures.
///
/// Unlike the resident set, it does not move with freed pages the allocator keeps, nor with
/// the page granularity, so a structure's cost shows in it to the byte.
package enum HeapUsage {
    /// The bytes handed out by `malloc` and not freed yet, the allocator's own header of each
    /// block included: glibc's `mallinfo2()`, its `uordblks` (blocks in the arenas) plus its
    /// `hblkhd` (blocks mapped on their own), summed over every thread's arena.
    package static var bytesInUse: Int {
        let info = mallinfo2()
        return Int(clamping: info.uordblks + info.hblkhd)
    }
}
