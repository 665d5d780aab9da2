// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
@testable import ORISBus

/// Deferred writes (``Journal/deferWrites()``): records wait in memory until a flush, in blocks
/// reserved for them, and read back as if each had been written at once.
@Suite struct JournalDeferredWriteTests {
    /// A segment file's size and the bytes of disk its blocks take.
    private static func sizes(_ path: String) -> (size: Int, allocated: Int) {
        var info = stat()
        guard stat(path, &info) == 0 else { return (-1, -1) }
        return (Int(info.st_size), Int(info.st_blocks) * 512)
    }

    private static func segmentPaths(_ directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".seg") }.sorted()
            .map { directory + "/" + $0 }
    }

    @Test func deferredAppends_stayOutOfTheFileUntilFlush_thenReopenToTheSameRecords() throws {
        let dir = try TemporaryDirectory()
        let journal = try Journal(directory: dir.file("j"))
        let records = [JournalTests.record(1, "a/t/gip/signal", 1), JournalTests.record(2, "a/t/crps/alert", 1),
                       JournalTests.record(3, "a/t/gip/signal", 2)]
        try journal.append([records[0]])
        let path = try Self.segmentPaths(dir.file("j"))[0]
        let afterFirst = Self.sizes(path).size

        journal.deferWrites()
        try journal.append([records[1]])
        try journal.appendItem([Journal.Delivery(slot: journal.slot(of: records[2].topic), seq: 2,
                                                 header: records[2].header)],
                               id: records[2].id, sender: records[2].sender, body: records[2].body,
                               received: records[2].received)
        let whileDeferred = Self.sizes(path).size
        let storedWhileDeferred = journal.storedBytes
        try journal.flush()
        let flushed = Self.sizes(path).size
        journal.close()
        let reopened = try Journal(directory: dir.file("j"))

        #expect(whileDeferred == afterFirst)
        #expect(flushed > afterFirst)
        // The journal counts what waits as stored: a storage quota sees it.
        #expect(storedWhileDeferred == flushed)
        #expect(journal.nextPosition == 4)
        #expect(try reopened.read(prefix: "a/", limit: 10).records == records)
        #expect(reopened.recoveryEvents.isEmpty)
    }

    @Test func read_whileWritesAreDeferred_writesThemFirst() throws {
        let dir = try TemporaryDirectory()
        let journal = try Journal(directory: dir.file("j"))
        let records = (1...5).map { JournalTests.record(UInt64($0), "a/t/gip/signal", UInt64($0)) }

        journal.deferWrites()
        try journal.append(records)
        let read = try journal.read(prefix: "a/t/gip/", fromSeq: 2, limit: 10).records
        let path = try Self.segmentPaths(dir.file("j"))[0]

        #expect(read == Array(records[1...]))
        #expect(Self.sizes(path).size == journal.storedBytes)
    }

    @Test func close_whileWritesAreDeferred_writesThem() throws {
        let dir = try TemporaryDirectory()
        let journal = try Journal(directory: dir.file("j"))
        let records = (1...3).map { JournalTests.record(UInt64($0), "a/t/gip/alert", UInt64($0)) }

        journal.deferWrites()
        try journal.append(records)
        journal.close()
        let reopened = try Journal(directory: dir.file("j"))

        #expect(try reopened.read(prefix: "a/", limit: 10).records == records)
    }

    @Test func deferredAppends_pastTheSegmentSize_landInTheSegmentNamedByTheirPositions() throws {
        let dir = try TemporaryDirectory()
        let journal = try Journal(directory: dir.file("j"), segmentBytes: 4096)
        // About 1,150 bytes a record: a 4,096-byte segment takes four, so 30 need eight.
        let records = (1...30).map { JournalTests.record(UInt64($0), "a/t/gip/signal", UInt64($0), body: 1_100) }

        journal.deferWrites()
        for record in records {
            try journal.append([record])
        }
        try journal.flush()
        journal.close()
        let reopened = try Journal(directory: dir.file("j"))
        let paths = try Self.segmentPaths(dir.file("j"))

        #expect(paths.count >= 7)
        #expect(try reopened.read(prefix: "a/", limit: 50).records == records)
        // A record in a segment not named by its position would be reported as misplaced.
        #expect(reopened.recoveryEvents.isEmpty)
    }

    @Test func deferredAppend_reservesBlocksAheadOfTheFile_andAFullSegmentGivesThemBack() throws {
        let dir = try TemporaryDirectory()
        let journal = try Journal(directory: dir.file("j"), segmentBytes: 4096)
        let step = Segment.reservationStep

        journal.deferWrites()
        try journal.append([JournalTests.record(1, "a/t/gip/signal", 1, body: 2_000)])
        let first = try Self.segmentPaths(dir.file("j"))[0]
        let reserved = Self.sizes(first)
        try journal.append([JournalTests.record(2, "a/t/gip/signal", 2, body: 2_000)])
        try journal.append([JournalTests.record(3, "a/t/gip/signal", 3, body: 2_000)])
        try journal.flush()
        let released = Self.sizes(first)

        // Reserved: the file's size is still its header's, its blocks a step ahead.
        #expect(reserved.size == Segment.headerBytes)
        #expect(reserved.allocated >= step)
        // The third record went to a second segment, and the first gave back what it did not use.
        #expect(try Self.segmentPaths(dir.file("j")).count == 2)
        #expect(released.size > 4_000)
        #expect(released.allocated < step)
    }

    /// A segment whose reservations are used up within a second reserves twice as far ahead each
    /// time, up to a mebibyte, and 32 KiB again once one lasts longer.
    @Test func reserve_reachesFurtherWhileUsedUpWithinASecond_andBackToAStepWhenNot() throws {
        let dir = try TemporaryDirectory()
        let segment = try Segment(directory: dir.path, firstPosition: 1, create: true)
        defer { segment.close() }
        let kib = 1024
        var end = Segment.headerBytes + 1_000
        // Milliseconds of the monotonic clock at each reservation, and how far ahead of what was
        // asked each one should reach (worked out by hand from the rule above).
        let times: [Int64] = [10_000, 10_400, 10_800, 11_200, 11_600, 12_000, 12_400, 14_000, 14_500]
        let ahead = [32, 64, 128, 256, 512, 1024, 1024, 32, 64].map { $0 * kib }
        for (now, expected) in zip(times, ahead) {
            try segment.reserve(upTo: end, at: now)
            let allocated = Self.sizes(segment.path).allocated
            // At least what was asked; more by less than a page of rounding and the few blocks
            // of the file system's extent tree, which st_blocks counts (one appeared in a CI run
            // on a fragmented disk), but by far less than the next step's 32 KiB.
            #expect(allocated >= end + expected && allocated < end + expected + 16 * kib,
                    "at \(now): \(allocated) bytes allocated for \(end) asked")
            // The next reservation is asked for just past this one.
            end = allocated + 1
        }
        #expect(Self.sizes(segment.path).size == Segment.headerBytes)
    }

    /// A run that ends without giving its reservation back (kill -9) leaves blocks past the
    /// file's end; opening the segment again gives them back.
    @Test func reopen_givesBackTheBlocksAPreviousRunReservedAndNeverReleased() throws {
        let dir = try TemporaryDirectory()
        let segment = try Segment(directory: dir.path, firstPosition: 1, create: true)
        try segment.reserve(upTo: 100_000, at: 0)
        let reserved = Self.sizes(segment.path)
        segment.close()

        let reopened = try Segment(directory: dir.path, firstPosition: 1, create: false)
        defer { reopened.close() }
        let after = Self.sizes(reopened.path)

        #expect(reserved.size == Segment.headerBytes && reserved.allocated >= 100_000 + Segment.reservationStep)
        #expect(after.size == Segment.headerBytes)
        #expect(after.allocated <= 4096, "\(after.allocated) bytes still allocated for a \(after.size)-byte file")
    }

    @Test func flush_whenTheWriteFails_throwsAndLeavesNoPartOfTheRecordsInTheFile() throws {
        let dir = try TemporaryDirectory()
        let journal = try Journal(directory: dir.file("j"))
        try journal.append([JournalTests.record(1, "a/t/gip/signal", 1)])
        let path = try Self.segmentPaths(dir.file("j"))[0]
        let before = Self.sizes(path).size

        journal.deferWrites()
        try journal.append([JournalTests.record(2, "a/t/gip/signal", 2)])
        // The descriptor is taken away under the journal: the write cannot be done.
        journal.segments.last?.close()
        #expect(throws: JournalError.self) { try journal.flush() }

        #expect(Self.sizes(path).size == before)
    }
}
