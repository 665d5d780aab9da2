// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
@testable import ORISBus

/// CRC-32C against the examples of RFC 3720 (iSCSI), appendix B.4. The check value of
/// "123456789" and the checksum at every length and alignment are in ``JournalTests``.
@Suite struct CRC32CTests {
    @Test func checksum_ofTheRFC3720Examples_givesTheirValues() {
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum((0..<32).reversed().map { UInt8($0) }) == 0x113F_DB5C)
    }

    @Test func checksum_ofTheRFC3720ReadCommand_givesItsValue() {
        // An iSCSI read command PDU, 48 bytes: five 8-byte steps and no byte left over.
        var pdu = [UInt8](repeating: 0, count: 48)
        pdu[0] = 0x01
        pdu[1] = 0xC0
        pdu[16] = 0x14
        pdu[22] = 0x04
        pdu[27] = 0x14
        pdu[31] = 0x18
        pdu[32] = 0x28
        pdu[40] = 0x02

        #expect(CRC32C.checksum(pdu) == 0xD996_3A56)
    }

    @Test func checksum_ofNothing_givesBackTheChecksumItContinues() {
        #expect(CRC32C.checksum([]) == 0)
        #expect(CRC32C.checksum([], continuing: 0xE306_9283) == 0xE306_9283)
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        #expect(CRC32C.checksum(empty, continuing: 0x1234_5678) == 0x1234_5678)
    }

    @Test func tableChecksum_ofTheStandardValues_givesThem() {
        // The fallback for processors without the instruction, on the same values.
        func table(_ bytes: [UInt8]) -> UInt32 { bytes.withUnsafeBytes { CRC32C.tableChecksum($0) } }
        #expect(table(Array("123456789".utf8)) == 0xE306_9283)
        #expect(table([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(table([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(table((0..<32).map { UInt8($0) }) == 0x46DD_794E)
    }

    @Test func checksum_usesTheProcessorsInstructionWhereItHasOne() throws {
        // What the kernel says the processor has, read apart from the daemon's own question.
        #if arch(x86_64)
        let cpuinfo = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let flags = cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") }?.split(separator: " ") ?? []
        #expect(CRC32C.hasHardware == flags.contains("sse4_2"))
        #else
        #expect(CRC32C.hasHardware == false)
        #endif
    }

    @Test func checksum_andTheTables_agreeAtEveryLengthAlignmentAndStart() {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<340).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let starts: [UInt32] = [0, 0xFFFF_FFFF, 0xE306_9283, UInt32.random(in: 0...UInt32.max, using: &generator)]
        var disagreements = 0
        bytes.withUnsafeBytes { raw in
            for offset in 0..<8 {
                for count in 0...(raw.count - offset) {
                    let slice = UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + count)])
                    for start in starts
                    where CRC32C.checksum(slice, continuing: start) != CRC32C.tableChecksum(slice, continuing: start) {
                        disagreements += 1
                    }
                }
            }
        }
        #expect(disagreements == 0)
    }
}
