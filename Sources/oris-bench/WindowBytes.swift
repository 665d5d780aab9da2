// SPDX-License-Identifier: Apache-2.0
import ORISBus

#if canImport(Glibc)
import Glibc
#endif

/// The memory one id-window entry costs: fills a window with `entries` ids as ingest makes them
/// (26 characters, one sender, one delivery), and divides the growth of the
/// process's resident memory by the count. Nothing else runs in the process meanwhile.
func windowBytesPerEntry(entries: Int) -> Double {
    var ids = ItemIDGenerator()
    let sender = "pub"
    let start = Timestamp(milliseconds: 1_800_000_000_000)
    let residentBefore = residentKiB(getpid())
    let window = IdempotencyWindow(seconds: 86_400, maximum: entries)
    for n in 0..<entries {
        let at = Timestamp(milliseconds: start.milliseconds + Int64(n / 100))
        window.remember(ids.next(at: at), sender: sender, deliveries: [.init(slot: 0, seq: UInt64(n + 1))],
                        position: UInt64(n + 1), received: at, now: at)
    }
    let resident = (residentKiB(getpid()) - residentBefore) * 1024 / Double(entries)
    withExtendedLifetime(window) {}
    return resident
}
