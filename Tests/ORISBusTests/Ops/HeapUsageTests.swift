// SPDX-License-Identifier: Apache-2.0
import Testing
@testable import ORISBus

/// The allocator's gauge behind STATS' `heap_bytes`.
@Suite struct HeapUsageTests {
    @Test func bytesInUse_whileTheProcessHoldsMemory_isPositive() {
        let held = [UInt8](repeating: 1, count: 4096)

        let bytes = HeapUsage.bytesInUse

        #expect(bytes > 0)
        withExtendedLifetime(held) {}
    }
}
