// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif

/// Opening a journal: reading every segment, cutting a torn tail, skipping damage, and
/// rebuilding the index and the numbers given.
extension Journal {
    /// Reads every segment in name order.
    func recoverAll(visit: (RecordSummary) -> Void) throws(JournalError) {
        let floors = self.readSequenceFloors()
        guard let names = FileBytes.list(self.directory) else {
            throw .io(call: "opendir", path: self.directory, errno: errno)
        }
        var found: [(first: UInt64, name: String)] = []
        for name in names where name.hasSuffix(".seg") {
            guard let first = Segment.position(fromName: name) else {
                self.note(.foreignFile, self.directory + "/" + name, 0, 0)
                continue
            }
            found.append((first, name))
        }
        found.sort { $0.first < $1.first }
        // The numbers given since they were last saved are the positions from there on: those
        // that no intact record holds are records lost (damaged, left out, deleted) whose topics and
        // sequence numbers are not known.
        var losses = Losses(since: max(floors.nextPosition, found.first?.first ?? 0, self.nextPosition))
        for (n, entry) in found.enumerated() {
            let isLast = n == found.count - 1
            let segment: Segment
            do {
                segment = try Segment(directory: self.directory, firstPosition: entry.first, create: false)
            } catch {
                // Named as a segment, but its header is not one's: left alone, its records lost,
                // and the next segment named past it.
                let path = self.directory + "/" + entry.name
                self.note(.foreignFile, path, 0, 0)
                let frames = FileBytes.read(path: path)?.withUnsafeBytes { raw in
                    Self.readTopics(in: raw, from: min(Segment.headerBytes, raw.count), into: &losses)
                    return Self.frameCount(in: raw, from: min(Segment.headerBytes, raw.count))
                } ?? 0
                losses.lost(frames)
                losses.keptUntil = max(losses.keptUntil, entry.first + 1)
                self.segments.last?.sealed = true
                continue
            }
            let cleanStopAt = floors.cleanStop ? floors.nextPosition : nil
            let records = try self.recover(segment, isLast: isLast, cleanStopAt: cleanStopAt, losses: &losses,
                                           visit: visit)
            if records == 0 && (!isLast || segment.sealed) {
                // Nothing intact inside: leave the file alone, out of the journal. The next record
                // goes to a new segment, named past this one.
                self.note(.emptySegment, segment.path, 0, segment.size)
                if segment.sealed {
                    losses.keptUntil = max(losses.keptUntil, segment.firstPosition + 1)
                    self.segments.last?.sealed = true
                }
                segment.close()
                continue
            }
            if records == 0 {
                segment.firstPosition = self.nextPosition
                segment.endPosition = self.nextPosition
            }
            self.segments.append(segment)
        }
        // Lost records still in their files keep their positions: the next record starts a
        // segment named past them.
        let kept = max(self.nextPosition + UInt64(losses.lostSinceIntact), losses.keptUntil)
        if kept > self.nextPosition {
            self.segments.last?.sealed = true
            self.nextPosition = kept
        }
        // History that starts later than the file says, with no retention to explain it: the
        // oldest segments were deleted or lost (files written before 2026-12-05 say nothing).
        if let recorded = floors.firstPosition, recorded > 0, self.firstPosition > recorded,
           recorded < self.nextPosition, let oldest = self.segments.first {
            self.note(.missingRecords, oldest.path, Int(clamping: recorded),
                      Int(clamping: self.firstPosition - recorded))
        }
        // Numbers already given stay given, even when the records that carried them are gone;
        // but a number too far past what the journal holds is an edited or damaged file, and
        // believing it would give positions recovery later refuses.
        let believable = self.nextPosition + Self.believableLead
        if floors.nextPosition > believable
            || floors.topics.contains(where: { $1 > (self.index(of: $0)?.last ?? 0) + Self.believableLead }) {
            self.note(.implausibleNumbers, self.floorsPath, Int(clamping: self.nextPosition), 0)
        }
        if floors.nextPosition <= believable {
            self.nextPosition = max(self.nextPosition, floors.nextPosition)
        }
        for (topic, floor) in floors.topics where floor <= (self.index(of: topic)?.last ?? 0) + Self.believableLead {
            // Only the numbers records held at a clean stop tell a lost tail: others may be numbers
            // recovery skipped, which no record ever held.
            if floors.cleanStop, let recovered = self.index(of: topic)?.entries.last?.seq,
               (floors.stored?[topic] ?? floor) > recovered {
                self.lostTails.append(topic)
            }
            let slot = self.slot(of: topic)
            self.indexes[slot].floor = max(self.indexes[slot].floor, floor)
        }
        // Each lost record may have carried the next number of any topic: every topic skips as
        // many as were lost, so that none someone may have seen is given to another item.
        let end = max(self.nextPosition, losses.intactEnd + UInt64(losses.lostSinceIntact))
        // After a clean stop nothing follows the saved numbers: bytes past them are no record.
        let lost = end > losses.since && !floors.cleanStop
            ? end - losses.since - min(losses.intactSince, end - losses.since) : 0
        if lost > 0 {
            for slot in self.indexes.indices where self.indexes[slot].last > 0 {
                self.indexes[slot].floor = self.indexes[slot].last + lost
            }
            // A topic only lost records named, from the number read there; only in a theme that
            // other topics name, as a damaged name could make up one.
            let themes = Set(self.indexes.filter { $0.last > 0 }.compactMap { Topic($0.name).map(Self.theme(of:)) })
            for (topic, seq) in losses.topics where (self.index(of: topic)?.last ?? 0) == 0
                && themes.contains(Topic(topic).map(Self.theme(of:)) ?? "") {
                let slot = self.slot(of: topic)
                self.indexes[slot].floor = seq + lost
            }
            self.note(.skippedNumbers, self.floorsPath, Int(clamping: losses.since), Int(clamping: lost))
        }
        self.lostTails.sort()
        // From now on records may follow what is saved: saved again, without the clean stop, and
        // with what recovery skipped, so that a crash before the next save counts from here.
        if !self.segments.isEmpty {
            try self.writeSequenceFloors()
        }
    }

    /// A topic's tenant and theme, as `tenant/theme`.
    private static func theme(of topic: Topic) -> String {
        topic.tenant + "/" + topic.theme
    }

    /// How far past the journal's records a saved number may lie and still be believed: far
    /// more than the records of any segment (the file is saved at every new segment), far less
    /// than the positions left (``Segment/maximumPosition``).
    static let believableLead: UInt64 = 1 << 32

    /// What recovery could not keep, counted in records: the sequence numbers given since they
    /// were last saved (at `since`) that no intact record holds may have been seen, and are not
    /// given again.
    struct Losses {
        /// The position from which numbers were not saved: sequences.json's next position, or
        /// the oldest segment's when that is later.
        let since: UInt64
        /// Intact records at or past ``since``.
        var intactSince: UInt64 = 0
        /// The position after the last intact record.
        var intactEnd: UInt64 = 0
        /// Records lost after the last intact record (damaged, in a file left out): still in
        /// their files, they keep their positions.
        var lostSinceIntact = 0
        /// The position past every file left out, so that no new segment takes its name.
        var keptUntil: UInt64 = 0
        /// The topics lost records name, read unverified from where each frame must begin, with
        /// the highest sequence number read: for a topic no intact record or saved number names.
        var topics: [String: UInt64] = [:]

        init(since: UInt64) {
            self.since = since
        }

        mutating func intact(at position: UInt64) {
            if position >= self.since { self.intactSince += 1 }
            self.intactEnd = position + 1
            self.lostSinceIntact = 0
        }

        mutating func lost(_ count: Int) {
            self.lostSinceIntact += count
        }
    }

    /// Reads the topic and sequence number at the start of the frame at `start`, and of each
    /// whole frame that follows it by its length, into `losses`: never from magic bytes that
    /// happen to lie inside a body. A topic counts when it is one (``Topic``).
    static func readTopics(in raw: UnsafeRawBufferPointer, from start: Int, into losses: inout Losses) {
        var at = start
        while at + JournalRecord.prefixBytes <= raw.count, Self.startsWithMagic(raw, at) {
            var reader = ByteReader(UnsafeRawBufferPointer(rebasing: raw[(at + 4)...]))
            guard let length = reader.u32(), reader.u32() != nil else { return }
            if reader.u64() != nil, reader.u64() != nil, let seq = reader.u64(), seq > 0, seq < Self.believableLead,
               let count = reader.u16(), let bytes = reader.bytes(Int(count)) {
                let topic = String(decoding: bytes, as: UTF8.self)
                if Topic(topic) != nil { losses.topics[topic] = max(losses.topics[topic] ?? 0, seq) }
            }
            at += JournalRecord.prefixBytes + Int(length)
        }
    }

    /// How many records the bytes from `start` held: the whole frames that follow one another by
    /// their lengths, one more for what follows them when anything does (a frame cut short, or
    /// damaged where its length is), and never less than one for bytes that are there.
    ///
    /// A damaged length hides the frames after it from that count, so it is never less than the
    /// places where a frame's magic starts past the whole frames either (some of which may lie
    /// inside a body: counting too many only skips more numbers).
    static func frameCount(in raw: UnsafeRawBufferPointer, from start: Int) -> Int {
        let whole = Self.wholeFrames(in: raw, from: start)
        guard whole.end < raw.count else { return whole.count }
        return whole.count + max(1, Self.frameStarts(in: raw, from: whole.end))
    }

    /// The places from `start` on where a frame's magic starts (some may lie inside a body).
    static func frameStarts(in raw: UnsafeRawBufferPointer, from start: Int) -> Int {
        var starts = 0
        for place in start..<raw.count where raw[place] == JournalRecord.magic[0] && Self.startsWithMagic(raw, place) {
            starts += 1
        }
        return starts
    }

    func note(_ kind: RecoveryEvent.Kind, _ path: String, _ offset: Int, _ bytes: Int) {
        self.recoveryEvents.append(RecoveryEvent(kind: kind, segment: path, offset: offset, bytes: bytes))
    }

    /// Reads one segment; returns how many intact records it holds.
    private func recover(
        _ segment: Segment,
        isLast: Bool,
        cleanStopAt: UInt64?,
        losses: inout Losses,
        visit: (RecordSummary) -> Void
    ) throws(JournalError) -> Int {
        let bytes = try segment.read(at: 0, count: segment.size)
        let nonceChecksum = segment.nonceChecksum
        var offset = Segment.headerBytes
        var records = 0
        var firstRecord: UInt64?
        var outOfOrder: (offset: Int, bytes: Int)?
        var cutAt: Int?
        // Whether damage came before the segment's first intact record (which then does not
        // start the segment, though the name is right).
        var damagedFirst = false
        /// Notes a skipped region, and counts the records it held.
        func skip(_ raw: UnsafeRawBufferPointer, from start: Int, to end: Int) {
            self.note(.corruptRecord, segment.path, start, end - start)
            let region = UnsafeRawBufferPointer(rebasing: raw[start..<end])
            losses.lost(Self.frameCount(in: region, from: 0))
            Self.readTopics(in: region, from: 0, into: &losses)
            if firstRecord == nil { damagedFirst = true }
        }
        segment.endPosition = max(segment.firstPosition, self.nextPosition)
        bytes.withUnsafeBytes { raw in
            scan: while offset < raw.count {
                switch Self.frame(in: raw, at: offset, nonceChecksum: nonceChecksum) {
                case .record(let record, let next):
                    if record.position < self.nextPosition || record.position >= Segment.maximumPosition
                        || record.seq >= Segment.maximumPosition {
                        // A record from the past: a copied or misnamed segment.
                        outOfOrder = (outOfOrder?.offset ?? offset, (outOfOrder?.bytes ?? 0) + next - offset)
                    } else {
                        // Where the records since the last intact one, damaged or not, end.
                        let expected = max(self.nextPosition + UInt64(losses.lostSinceIntact), losses.keptUntil)
                        if firstRecord == nil, !self.segments.isEmpty, record.position > expected {
                            // Positions that no segment held, intact or damaged.
                            self.note(.missingRecords, segment.path, Int(clamping: expected),
                                      Int(clamping: record.position - expected))
                        }
                        self.index(slot: self.slot(of: record.topic), seq: record.seq, position: record.position,
                                   received: record.received, offset: offset, in: segment)
                        firstRecord = firstRecord ?? record.position
                        records += 1
                        self.nextPosition = record.position + 1
                        losses.intact(at: record.position)
                        visit(RecordSummary(position: record.position, received: record.received, topic: record.topic,
                                            seq: record.seq, id: record.id, sender: record.sender))
                    }
                    offset = next
                case .torn:
                    // A record that runs past the end: the write a crash interrupted, unless an
                    // intact record follows (a damaged length), which is kept.
                    if let resume = self.nextIntactRecord(in: raw, after: offset, nonceChecksum: nonceChecksum) {
                        skip(raw, from: offset, to: resume)
                        offset = resume
                        continue scan
                    }
                    cutAt = offset
                    break scan
                case .badChecksum(let next):
                    if next == raw.count {
                        cutAt = offset
                        break scan
                    }
                    if case .record = Self.frame(in: raw, at: next, nonceChecksum: nonceChecksum) {
                        // Its frame is whole and the next record follows: skip exactly this one.
                        skip(raw, from: offset, to: next)
                        offset = next
                        continue scan
                    }
                    fallthrough
                case .badMagic:
                    guard let resume = self.nextIntactRecord(in: raw, after: offset, nonceChecksum: nonceChecksum)
                    else {
                        cutAt = offset
                        break scan
                    }
                    skip(raw, from: offset, to: resume)
                    offset = resume
                }
            }
        }
        if let outOfOrder {
            self.note(.outOfOrder, segment.path, outOfOrder.offset, outOfOrder.bytes)
        }
        if let cutAt {
            bytes.withUnsafeBytes { Self.readTopics(in: $0, from: cutAt, into: &losses) }
            if isLast {
                // A write the daemon's death or the machine's crash interrupted ends the file with
                // one partial frame, or zeros; its records were never acknowledged nor delivered
                // (both wait for the write), so it is cut and its numbers are given again. Whole
                // frames that do not verify (a damaged nonce, flipped bits), or more than one frame
                // start in what does not verify, are no such write: they stay for whoever repairs
                // the file, their numbers are skipped, and new records go to a new segment. So is
                // what does not start where the whole frames end, and, after a clean stop (no write
                // followed it), anything short of the positions it saved.
                let (whole, torn, lost) = bytes.withUnsafeBytes { raw in
                    let whole = Self.wholeFrames(in: raw, from: cutAt)
                    let torn = UnsafeRawBufferPointer(rebasing: raw[whole.end...]).allSatisfy { $0 == 0 }
                        || (Self.startsWithMagic(raw, whole.end) && Self.frameStarts(in: raw, from: whole.end + 1) == 0)
                    return (whole, torn, Self.frameCount(in: raw, from: cutAt))
                }
                let givenBefore = self.nextPosition + UInt64(losses.lostSinceIntact + whole.count)
                let damagedEnd = torn && givenBefore >= (cleanStopAt ?? 0) ? whole.end : segment.size
                if damagedEnd > cutAt {
                    self.note(.damagedTail, segment.path, cutAt, damagedEnd - cutAt)
                    // Only the whole frames when the rest is cut as a torn write.
                    losses.lost(damagedEnd == whole.end ? whole.count : lost)
                    segment.sealed = true
                }
                if damagedEnd < segment.size {
                    self.note(.tornTail, segment.path, damagedEnd, segment.size - damagedEnd)
                    try segment.truncate(to: damagedEnd)
                }
            } else {
                self.note(.corruptRecord, segment.path, cutAt, segment.size - cutAt)
                losses.lost(bytes.withUnsafeBytes { Self.frameCount(in: $0, from: cutAt) })
            }
            if firstRecord == nil { damagedFirst = true }
        }
        if let firstRecord,
           firstRecord < segment.firstPosition || (firstRecord > segment.firstPosition && !damagedFirst) {
            self.note(.misnamed, segment.path, 0, 0)
            segment.firstPosition = firstRecord
        }
        return records
    }

    private enum Frame {
        case record(JournalRecord, next: Int)
        /// The frame runs past the end of the file.
        case torn
        /// The frame is whole but its checksum or contents are wrong.
        case badChecksum(next: Int)
        /// No record starts here.
        case badMagic
    }

    private static func frame(in raw: UnsafeRawBufferPointer, at offset: Int, nonceChecksum: UInt32) -> Frame {
        guard offset + JournalRecord.prefixBytes <= raw.count else {
            return Self.startsWithMagic(raw, offset) ? .torn : .badMagic
        }
        guard Self.startsWithMagic(raw, offset) else { return .badMagic }
        var reader = ByteReader(UnsafeRawBufferPointer(rebasing: raw[(offset + 4)...]))
        guard let length = reader.u32(), let crc = reader.u32() else { return .torn }
        guard Int(length) >= JournalRecord.fixedPayloadBytes else { return .badMagic }
        let start = offset + JournalRecord.prefixBytes
        let end = start + Int(length)
        guard end <= raw.count else { return .torn }
        let payload = UnsafeRawBufferPointer(rebasing: raw[start..<end])
        guard JournalRecord.checksum(nonceChecksum: nonceChecksum, payload: payload) == crc,
              let record = JournalRecord.decode(payload: payload)
        else { return .badChecksum(next: end) }
        return .record(record, next: end)
    }

    /// The whole record frames from `offset`: each led by the magic, with a length that ends
    /// inside the file, one after the other, whether or not they verify; how many, and where
    /// they end (`offset` itself when no whole frame starts there).
    private static func wholeFrames(in raw: UnsafeRawBufferPointer, from offset: Int) -> (end: Int, count: Int) {
        var at = offset
        var count = 0
        while at + JournalRecord.prefixBytes <= raw.count, Self.startsWithMagic(raw, at) {
            var reader = ByteReader(UnsafeRawBufferPointer(rebasing: raw[(at + 4)...]))
            let start = at + JournalRecord.prefixBytes
            guard let length = reader.u32(), Int(length) >= JournalRecord.fixedPayloadBytes,
                  Int(length) <= raw.count - start
            else { break }
            at = start + Int(length)
            count += 1
        }
        return (at, count)
    }

    private static func startsWithMagic(_ raw: UnsafeRawBufferPointer, _ offset: Int) -> Bool {
        guard offset + 4 <= raw.count else {
            // A prefix of the magic at the very end still counts as a torn start.
            let left = raw.count - offset
            return left > 0 && (0..<left).allSatisfy { raw[offset + $0] == JournalRecord.magic[$0] }
        }
        return (0..<4).allSatisfy { raw[offset + $0] == JournalRecord.magic[$0] }
    }

    /// The next offset after `offset` where an intact record with a plausible position starts.
    ///
    /// The position is checked before the checksum, which keeps the search cheap through
    /// data that merely looks like record prefixes.
    private func nextIntactRecord(in raw: UnsafeRawBufferPointer, after offset: Int, nonceChecksum: UInt32) -> Int? {
        let low = self.nextPosition
        let high = self.nextPosition + (1 << 24)
        var candidate = offset + 1
        while candidate + JournalRecord.prefixBytes + 8 <= raw.count {
            defer { candidate += 1 }
            guard raw[candidate] == JournalRecord.magic[0], Self.startsWithMagic(raw, candidate) else { continue }
            var reader = ByteReader(UnsafeRawBufferPointer(rebasing: raw[(candidate + JournalRecord.prefixBytes)...]))
            guard let position = reader.u64(), position >= low, position < high else { continue }
            if case .record = Self.frame(in: raw, at: candidate, nonceChecksum: nonceChecksum) {
                return candidate
            }
        }
        return nil
    }
}
