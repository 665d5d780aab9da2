// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
@testable import ORISBus

/// Recovery of a journal damaged on disk, not by a crash: it keeps every record that still
/// verifies, says what it found, and never gives a position or a sequence number twice. Segments
/// are written by hand, record by record, so that each expected offset is the sum of the sizes
/// of the records before it.
@Suite struct JournalDamageTests {
    static let topic = "a/t/gip/signal"
    static let nonce = JournalTests.nonce
    static let header = JournalTests.header

    /// Record `n` of topic ``topic``, sequence number `n`, encoded with ``nonce``.
    static func encoded(_ n: UInt64, body: Int = 10) -> [UInt8] {
        JournalTests.record(n, Self.topic, n, body: body).encoded(nonce: Self.nonce)
    }

    /// Writes a segment file named by `first`, holding `header` then `records`; returns its path.
    static func writeSegment(_ dir: TemporaryDirectory, first: UInt64, header: [UInt8] = Self.header,
                             _ records: [[UInt8]]) throws -> String {
        try FileManager.default.createDirectory(atPath: dir.file("j"), withIntermediateDirectories: true)
        let path = dir.file("j/" + Segment.fileName(firstPosition: first))
        try Data(header + records.joined()).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// What recovery says when `lost` records given numbers since none were saved (these journals
    /// have no sequences.json: a crash before the first segment was full) are lost: every topic
    /// skips that many.
    static func skipped(_ dir: TemporaryDirectory, _ lost: Int) -> RecoveryEvent {
        RecoveryEvent(kind: .skippedNumbers, segment: dir.file("j/sequences.json"), offset: 1, bytes: lost)
    }

    /// A journal of records 1 and 2 (sequence numbers 1 and 2 on ``topic``), stopped cleanly.
    static func stoppedWithTwoRecords() throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory()
        let journal = try Journal(directory: dir.file("j"))
        try journal.append([JournalTests.record(1, Self.topic, 1), JournalTests.record(2, Self.topic, 2)])
        journal.close()
        return dir
    }

    static func size(_ path: String) throws -> Int? {
        try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int
    }

    /// A record whose length field says 65,536 bytes more than it holds (the field's third byte,
    /// little-endian, at offset 6).
    static func lengthDamaged(_ record: [UInt8]) -> [UInt8] {
        var damaged = record
        damaged[6] ^= 0x01
        return damaged
    }

    @Test func aDamagedLength_inTheNewestSegment_losesThatRecordOnly_andCutsNothing() throws {
        let dir = try TemporaryDirectory()
        let records = (1...4).map { Self.encoded($0) }
        let path = try Self.writeSegment(dir, first: 1, [records[0], Self.lengthDamaged(records[1]),
                                                         records[2], records[3]])
        let before = try Self.size(path)

        let journal = try Journal(directory: dir.file("j"))

        #expect(journal.recoveryEvents == [RecoveryEvent(kind: .corruptRecord, segment: path,
                                                         offset: Self.header.count + records[0].count,
                                                         bytes: records[1].count), Self.skipped(dir, 1)])
        #expect(try journal.read(prefix: "a/", limit: 10).records.map(\.position) == [1, 3, 4])
        #expect(journal.nextPosition == 5)
        #expect(journal.lastSequence(of: Self.topic) == 5)
        #expect(try Self.size(path) == before)
    }

    @Test func aDamagedLength_inAnOlderSegment_losesThatRecordOnly() throws {
        let dir = try TemporaryDirectory()
        let records = (1...4).map { Self.encoded($0) }
        let older = try Self.writeSegment(dir, first: 1, [records[0], Self.lengthDamaged(records[1]), records[2]])
        _ = try Self.writeSegment(dir, first: 4, [records[3]])

        let journal = try Journal(directory: dir.file("j"))

        #expect(journal.recoveryEvents == [RecoveryEvent(kind: .corruptRecord, segment: older,
                                                         offset: Self.header.count + records[0].count,
                                                         bytes: records[1].count), Self.skipped(dir, 1)])
        #expect(try journal.read(prefix: "a/", limit: 10).records.map(\.position) == [1, 3, 4])
    }

    @Test func aDamagedLastRecord_isKept_andItsNumbersAreNotGivenAgain() throws {
        let dir = try TemporaryDirectory()
        let records = (1...3).map { Self.encoded($0) }
        var third = records[2]
        third[third.count - 1] ^= 0x01  // a body byte: the checksum fails, the frame is whole
        let path = try Self.writeSegment(dir, first: 1, [records[0], records[1], third])
        let before = try Self.size(path)

        let journal = try Journal(directory: dir.file("j"))
        #expect(journal.recoveryEvents == [RecoveryEvent(kind: .damagedTail, segment: path,
                                                         offset: Self.header.count + records[0].count
                                                             + records[1].count,
                                                         bytes: third.count), Self.skipped(dir, 1)])
        #expect(try Self.size(path) == before)
        #expect(journal.nextPosition == 4)
        #expect(journal.lastSequence(of: Self.topic) == 3)
        try journal.append([JournalTests.record(4, Self.topic, 4)])
        journal.close()

        // The next record went to a new segment, named by its position.
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.file("j")).filter { $0.hasSuffix(".seg") }
        #expect(names.sorted() == [Segment.fileName(firstPosition: 1), Segment.fileName(firstPosition: 4)])
        let reopened = try Journal(directory: dir.file("j"))
        #expect(try reopened.read(prefix: "a/", limit: 10).records.map(\.position) == [1, 2, 4])
        #expect(reopened.nextPosition == 5)
    }

    @Test func aDamagedNonce_inTheNewestSegment_cutsNothing_andNumbersGoOnPastIt() throws {
        let dir = try TemporaryDirectory()
        let records = (1...4).map { Self.encoded($0) }
        _ = try Self.writeSegment(dir, first: 1, [records[0], records[1]])
        var header = Self.header
        header[12] ^= 0x01  // a nonce byte: every record of the segment fails its checksum
        let newest = try Self.writeSegment(dir, first: 3, header: header, [records[2], records[3]])
        let before = try Self.size(newest)

        let journal = try Journal(directory: dir.file("j"))

        #expect(journal.recoveryEvents == [
            RecoveryEvent(kind: .damagedTail, segment: newest, offset: Self.header.count,
                          bytes: records[2].count + records[3].count),
            RecoveryEvent(kind: .emptySegment, segment: newest, offset: 0, bytes: before ?? -1),
            Self.skipped(dir, 2),
        ])
        #expect(try Self.size(newest) == before)
        #expect(journal.nextPosition == 5)
        #expect(journal.lastSequence(of: Self.topic) == 4)
        try journal.append([JournalTests.record(5, Self.topic, 5)])
        #expect(try journal.read(prefix: "a/", limit: 10).records.map(\.position) == [1, 2, 5])
        journal.close()
        let reopened = try Journal(directory: dir.file("j"))
        #expect(try reopened.read(prefix: "a/", limit: 10).records.map(\.position) == [1, 2, 5])
    }

    @Test func aMissingSegment_isReported_withThePositionsItHeld() throws {
        let dir = try TemporaryDirectory()
        let names = try Self.threeSegments(dir)
        let first = try #require(Segment.position(fromName: names[1]))
        let next = try #require(Segment.position(fromName: names[2]))
        try FileManager.default.removeItem(atPath: dir.file("j/" + names[1]))

        let journal = try Journal(directory: dir.file("j"))

        #expect(journal.recoveryEvents == [RecoveryEvent(kind: .missingRecords, segment: dir.file("j/" + names[2]),
                                                         offset: Int(first), bytes: Int(next - first))])
        #expect(journal.nextPosition == 13)
    }

    /// Twelve records of 1,000-byte bodies in 4,096-byte segments (three or four segments), the
    /// journal closed as a clean stop leaves it; the segment file names, in order.
    static func threeSegments(_ dir: TemporaryDirectory) throws -> [String] {
        let journal = try Journal(directory: dir.file("j"), segmentBytes: 4096)
        for n in 1...12 {
            try journal.append([JournalTests.record(UInt64(n), Self.topic, UInt64(n), body: 1000)])
        }
        journal.close()
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.file("j"))
            .filter { $0.hasSuffix(".seg") }.sorted()
        try #require(names.count >= 3)
        return names
    }

    @Test func afterACrash_aRecordDamagedWhereItsNumberIs_hasItsNumberSkipped_once() throws {
        let dir = try Self.stoppedWithTwoRecords()
        // Opened again, two more records, then killed: sequences.json still says position 3.
        let killed = try Journal(directory: dir.file("j"))
        try killed.append([JournalTests.record(3, Self.topic, 3), JournalTests.record(4, Self.topic, 4)])
        let path = dir.file("j/" + Segment.fileName(firstPosition: 1))
        var bytes = try #require(FileManager.default.contents(atPath: path))
        let last = bytes.count - JournalTests.record(4, Self.topic, 4).encoded(nonce: Self.nonce).count
        // The last record's sequence number (after its prefix, position and received time).
        bytes[last + JournalRecord.prefixBytes + 16] ^= 0x02
        try bytes.write(to: URL(fileURLWithPath: path))

        let recovered = try Journal(directory: dir.file("j"))
        let again = try Journal(directory: dir.file("j"))

        #expect(recovered.recoveryEvents == [
            RecoveryEvent(kind: .damagedTail, segment: path, offset: last, bytes: bytes.count - last),
            RecoveryEvent(kind: .skippedNumbers, segment: dir.file("j/sequences.json"), offset: 3, bytes: 1),
        ])
        #expect(try recovered.read(prefix: "a/", limit: 10).records.map(\.seq) == [1, 2, 3])
        #expect(recovered.lastSequence(of: Self.topic) == 4)
        // Saved when it opened: the next start finds the same damage and skips nothing more.
        #expect(again.recoveryEvents.map(\.kind) == [.damagedTail])
        #expect(again.lastSequence(of: Self.topic) == 4)
        // Number 4 was skipped, never a record's: no record is missing from the topic's end,
        // nor after a clean stop.
        #expect(again.lostTails.isEmpty)
        again.close()
        #expect(try Journal(directory: dir.file("j")).lostTails.isEmpty)
    }

    @Test func afterACleanStop_bytesPastTheSavedNumbers_skipNone() throws {
        let dir = try Self.stoppedWithTwoRecords()
        let path = dir.file("j/" + Segment.fileName(firstPosition: 1))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data(JournalRecord.magic + [200, 0, 0, 0]))
        try handle.close()

        let journal = try Journal(directory: dir.file("j"))

        #expect(journal.recoveryEvents.map(\.kind) == [.tornTail])
        #expect(journal.lastSequence(of: Self.topic) == 2)
        #expect(journal.nextPosition == 3)
    }

    @Test func afterACrash_aTornWrite_isCut_itsNumbersGivenAgain_andNothingReportedLater() throws {
        let dir = try Self.stoppedWithTwoRecords()
        let killed = try Journal(directory: dir.file("j"))
        try killed.append([JournalTests.record(3, Self.topic, 3), JournalTests.record(4, Self.topic, 4)])
        let path = dir.file("j/" + Segment.fileName(firstPosition: 1))
        let size = try #require(try Self.size(path))
        let fourth = JournalTests.record(4, Self.topic, 4).encoded(nonce: Self.nonce).count
        // A kill -9 can stop a write at a page: the last record is cut short.
        try FileHandle(forWritingAtPath: path).map { try $0.truncate(atOffset: UInt64(size - 10)); try $0.close() }

        let recovered = try Journal(directory: dir.file("j"))
        #expect(recovered.recoveryEvents == [
            RecoveryEvent(kind: .tornTail, segment: path, offset: size - fourth, bytes: fourth - 10),
        ])
        #expect(recovered.nextPosition == 4)
        #expect(recovered.lastSequence(of: Self.topic) == 3)
        try recovered.append([JournalTests.record(4, Self.topic, 4)])
        recovered.close()
        let again = try Journal(directory: dir.file("j"))

        #expect(again.recoveryEvents.isEmpty)
        #expect(try again.read(prefix: "a/", limit: 10).records.map(\.position) == [1, 2, 3, 4])
    }

    @Test func twoLostRecords_behindADamagedLength_areCountedAsTwo() throws {
        let dir = try TemporaryDirectory()
        let lost = [Self.lengthDamaged(Self.encoded(3)), Self.bodyDamaged(Self.encoded(4))]
        _ = try Self.writeSegment(dir, first: 1, [Self.encoded(1), Self.encoded(2)] + lost)

        let journal = try Journal(directory: dir.file("j"))

        #expect(journal.recoveryEvents.last == Self.skipped(dir, 2))
        #expect(journal.lastSequence(of: Self.topic) == 4)
        #expect(journal.nextPosition == 5)
    }

    @Test func aShortenedLength_thenADamagedLastRecord_areBothKept_andCounted() throws {
        let dir = try TemporaryDirectory()
        var shortened = Self.encoded(3)
        try #require(shortened[4] >= 60)
        shortened[4] -= 20  // the frame now ends inside its own body
        let path = try Self.writeSegment(dir, first: 1, [Self.encoded(1), Self.encoded(2), shortened,
                                                         Self.bodyDamaged(Self.encoded(4))])
        let before = try Self.size(path)

        let journal = try Journal(directory: dir.file("j"))

        #expect(journal.recoveryEvents.map(\.kind) == [.damagedTail, .skippedNumbers])
        #expect(journal.recoveryEvents.last == Self.skipped(dir, 2))
        #expect(try Self.size(path) == before)
        #expect(journal.lastSequence(of: Self.topic) == 4)
        #expect(journal.nextPosition == 5)
    }

    @Test func afterACleanStop_aRecordCutShort_isDamageNotATornWrite() throws {
        let dir = try TemporaryDirectory()
        do {
            let journal = try Journal(directory: dir.file("j"))
            try journal.append((1...4).map { JournalTests.record(UInt64($0), Self.topic, UInt64($0)) })
            journal.close()
        }
        let path = dir.file("j/" + Segment.fileName(firstPosition: 1))
        let size = try #require(try Self.size(path))
        try FileHandle(forWritingAtPath: path).map { try $0.truncate(atOffset: UInt64(size - 10)); try $0.close() }

        let journal = try Journal(directory: dir.file("j"))
        #expect(journal.recoveryEvents.map(\.kind) == [.damagedTail])
        #expect(try Self.size(path) == size - 10)
        #expect(journal.nextPosition == 5)
        #expect(journal.lastSequence(of: Self.topic) == 4)
        try journal.append([JournalTests.record(5, Self.topic, 5)])
        journal.close()

        let again = try Journal(directory: dir.file("j"))
        #expect(!again.recoveryEvents.contains { $0.kind == .missingRecords })
        #expect(try again.read(prefix: "a/", limit: 10).records.map(\.position) == [1, 2, 3, 5])
    }

    @Test func aTopicOnlyALostRecordNames_isKeptOnlyInAThemeOthersName() throws {
        let dir = try TemporaryDirectory()
        let lost = [Self.bodyDamaged(Self.encoded(2, "a/t/crps/alert", 7)),
                    Self.bodyDamaged(Self.encoded(3, "a/zz/gip/signal", 9))]
        _ = try Self.writeSegment(dir, first: 1, [Self.encoded(1)] + lost + [Self.encoded(4, Self.topic, 2)])

        let journal = try Journal(directory: dir.file("j"))

        // Two records lost: every topic skips two, the crps topic from the 7 read in its record.
        #expect(journal.lastSequence(of: "a/t/crps/alert") == 9)
        #expect(journal.topics(withPrefix: "a/zz/").isEmpty)
        #expect(journal.lastSequence(of: Self.topic) == 4)
    }

    @Test func theNewestSegmentDeleted_afterACleanStop_isReportedAsALostTail() throws {
        let dir = try TemporaryDirectory()
        let names = try Self.threeSegments(dir)
        try FileManager.default.removeItem(atPath: dir.file("j/" + names[names.count - 1]))

        let journal = try Journal(directory: dir.file("j"))

        #expect(journal.lostTails == [Self.topic])
        #expect(journal.lastSequence(of: Self.topic) == 12)
        #expect(journal.nextPosition == 13)
    }

    @Test func theOldestSegmentDeleted_isReported_retentionIsNot() throws {
        let deleted = try TemporaryDirectory()
        let names = try Self.threeSegments(deleted)
        let second = try #require(Segment.position(fromName: names[1]))
        try FileManager.default.removeItem(atPath: deleted.file("j/" + names[0]))
        // Retention removes the same segment, and the daemon is killed before it closes.
        let retained = try TemporaryDirectory()
        _ = try Self.threeSegments(retained)
        let running = try Journal(directory: retained.file("j"), segmentBytes: 4096)
        let oldest = try #require(try Self.size(retained.file("j/" + names[0])))
        let removed = try running.applyRetention(now: Timestamp(milliseconds: 100_000), maximumAgeSeconds: 0,
                                                 maximumBytes: running.storedBytes - oldest)

        let afterDeletion = try Journal(directory: deleted.file("j"))
        let afterRetention = try Journal(directory: retained.file("j"))

        #expect(afterDeletion.recoveryEvents == [RecoveryEvent(kind: .missingRecords,
                                                               segment: deleted.file("j/" + names[1]),
                                                               offset: 1, bytes: Int(second) - 1)])
        #expect(removed == [retained.file("j/" + names[0])])
        #expect(afterRetention.recoveryEvents.isEmpty)
        #expect(afterRetention.firstPosition == second)
    }

    /// Position `position` on `topic` with sequence number `seq`, encoded with ``nonce``.
    static func encoded(_ position: UInt64, _ topic: String, _ seq: UInt64) -> [UInt8] {
        JournalTests.record(position, topic, seq).encoded(nonce: Self.nonce)
    }

    /// A record whose last body byte is flipped: its frame is whole, its checksum fails.
    static func bodyDamaged(_ record: [UInt8]) -> [UInt8] {
        var damaged = record
        damaged[damaged.count - 1] ^= 0x01
        return damaged
    }

    // After a kill -9 the numbers saved in sequences.json are those of the last segment roll:
    // the cases below have none at all, so every number comes from the segments.

    @Test(arguments: [false, true])
    func aSkippedRecord_whoseNumberIsItsTopicsLast_isNotGivenAgain(lengthDamaged: Bool) throws {
        let dir = try TemporaryDirectory()
        let other = "a/t/crps/alert"
        let damaged = Self.encoded(3, other, 1)
        _ = try Self.writeSegment(dir, first: 1, [
            Self.encoded(1, Self.topic, 1), Self.encoded(2, Self.topic, 2),
            lengthDamaged ? Self.lengthDamaged(damaged) : Self.bodyDamaged(damaged), Self.encoded(4, Self.topic, 3),
        ])

        let journal = try Journal(directory: dir.file("j"))

        #expect(journal.recoveryEvents.map(\.kind) == [.corruptRecord, .skippedNumbers])
        #expect(try journal.read(prefix: "a/", limit: 10).records.map(\.position) == [1, 2, 4])
        // One record lost: every topic skips one number; the topic only it named, past its number.
        #expect(journal.lastSequence(of: Self.topic) == 4)
        #expect(journal.lastSequence(of: other) == 2)
        #expect(journal.nextPosition == 5)
    }

    @Test func aDamagedSignature_onTheNewestSegment_neitherBlocksWritesNorGivesItsNumbersAgain() throws {
        let dir = try TemporaryDirectory()
        _ = try Self.writeSegment(dir, first: 1, [Self.encoded(1), Self.encoded(2)])
        var header = Self.header
        header[2] ^= 0x01
        let newest = try Self.writeSegment(dir, first: 3, header: header, [Self.encoded(3), Self.encoded(4)])

        let journal = try Journal(directory: dir.file("j"))
        #expect(journal.recoveryEvents == [RecoveryEvent(kind: .foreignFile, segment: newest, offset: 0, bytes: 0),
                                           Self.skipped(dir, 2)])
        #expect(journal.nextPosition == 5)
        #expect(journal.lastSequence(of: Self.topic) == 4)
        try journal.append([JournalTests.record(5, Self.topic, 5)])
        journal.close()

        let reopened = try Journal(directory: dir.file("j"))
        #expect(try reopened.read(prefix: "a/", limit: 10).records.map(\.position) == [1, 2, 5])
        #expect(FileManager.default.fileExists(atPath: dir.file("j/" + Segment.fileName(firstPosition: 5))))
    }

    @Test func aDamagedRecord_thenATornOne_keepsTheFirstAndCutsOnlyTheSecond() throws {
        let dir = try TemporaryDirectory()
        let first = Self.encoded(1)
        let damaged = Self.bodyDamaged(Self.encoded(2))
        let torn = Array(Self.encoded(3).dropLast(3))
        let path = try Self.writeSegment(dir, first: 1, [first, damaged, torn])

        let journal = try Journal(directory: dir.file("j"))

        #expect(journal.recoveryEvents == [
            RecoveryEvent(kind: .damagedTail, segment: path, offset: Self.header.count + first.count,
                          bytes: damaged.count),
            RecoveryEvent(kind: .tornTail, segment: path, offset: Self.header.count + first.count + damaged.count,
                          bytes: torn.count),
            Self.skipped(dir, 1),
        ])
        #expect(try Self.size(path) == Self.header.count + first.count + damaged.count)
        // The damaged record's numbers are not given again; the torn one's, never acknowledged, are.
        #expect(journal.nextPosition == 3)
        #expect(journal.lastSequence(of: Self.topic) == 2)
    }

    @Test func damageAtASegmentsEdge_isNotReportedAsMissingOrMisnamed() throws {
        let dir = try TemporaryDirectory()
        // The last record of the first segment and the first of the second are damaged.
        let older = try Self.writeSegment(dir, first: 1, [Self.encoded(1), Self.bodyDamaged(Self.encoded(2))])
        let newer = try Self.writeSegment(dir, first: 3, [Self.bodyDamaged(Self.encoded(3)), Self.encoded(4)])

        let journal = try Journal(directory: dir.file("j"))

        #expect(journal.recoveryEvents == [
            RecoveryEvent(kind: .corruptRecord, segment: older, offset: Self.header.count + Self.encoded(1).count,
                          bytes: Self.encoded(2).count),
            RecoveryEvent(kind: .corruptRecord, segment: newer, offset: Self.header.count,
                          bytes: Self.encoded(3).count),
            Self.skipped(dir, 2),
        ])
        #expect(try journal.read(prefix: "a/", limit: 10).records.map(\.position) == [1, 4])
    }

    /// The edits: numbers no journal could hold (said with offset 0), and numbers far past the
    /// journal's records (2^62 - 1, the last position there is, and a sequence number 2^40, said
    /// with the journal's next position, 3).
    @Test(arguments: zip([#"{"next_position": -5, "topics": {}}"#,
                          #"{"next_position": 3, "topics": {"a/t/gip/signal": 1e300}}"#,
                          #"{"next_position": 4611686018427387904, "topics": {}}"#,
                          #"{"next_position": 4611686018427387903, "topics": {"a/t/gip/signal": 1099511627776}}"#],
                         [0, 0, 0, 3]))
    func numbersInSequencesJSON_thatCannotBeTrue_areSaidAndNotUsed(edited: String, offset: Int) throws {
        let dir = try Self.stoppedWithTwoRecords()
        let file = dir.file("j/sequences.json")
        try Data(edited.utf8).write(to: URL(fileURLWithPath: file))

        let journal = try Journal(directory: dir.file("j"))

        #expect(journal.recoveryEvents
            == [RecoveryEvent(kind: .implausibleNumbers, segment: file, offset: offset, bytes: 0)])
        #expect(journal.nextPosition == 3)
        #expect(journal.lastSequence(of: Self.topic) == 2)
    }
}
