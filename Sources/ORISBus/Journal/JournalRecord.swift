// SPDX-License-Identifier: Apache-2.0

/// One delivery as the journal keeps it: exactly what the feed carried, with its place.
///
/// On disk (little-endian), after its segment's header (``Segment``):
///
/// ```text
/// record  = magic length crc payload
/// magic   = "ORJ1"                 ; 4 bytes, to find records again after damage
/// length  = u32                    ; bytes of payload
/// crc     = u32                    ; CRC-32C of the segment's nonce, then the payload
/// payload = position received seq topic-len topic id-len id sender-len sender
///           header-len header body
/// position, received (ms since the epoch), seq = u64 each; topic-len, id-len,
/// sender-len = u16; header-len = u32; body = the rest of the payload
/// ```
///
/// The nonce in the checksum is random per segment and never leaves the disk, so a record that
/// a member hides inside an item's body can never pass for a real one when recovery searches
/// for the next record after damage.
package struct JournalRecord: Sendable, Equatable {
    /// The record's place in its tenant's journal, from 1.
    package var position: UInt64
    package var received: Timestamp
    package var topic: String
    /// The sequence number on `topic`.
    package var seq: UInt64
    /// The item's id (several deliveries of one item share it).
    package var id: String
    /// The member that published the item.
    package var sender: String
    package var header: [UInt8]
    package var body: [UInt8]

    package init(position: UInt64, received: Timestamp, topic: String, seq: UInt64, id: String,
                 sender: String = "", header: [UInt8], body: [UInt8]) {
        self.position = position
        self.received = received
        self.topic = topic
        self.seq = seq
        self.id = id
        self.sender = sender
        self.header = header
        self.body = body
    }

    /// The four bytes that start every record.
    package static let magic: [UInt8] = Array("ORJ1".utf8)
    /// Bytes before the payload: magic, length, checksum.
    package static let prefixBytes = 12
    /// Fixed bytes of a payload besides its variable fields.
    static let fixedPayloadBytes = 8 + 8 + 8 + 2 + 2 + 2 + 4

    /// The checksum of a payload in a segment whose nonce has the checksum `nonceChecksum`.
    static func checksum(nonceChecksum: UInt32, payload: UnsafeRawBufferPointer) -> UInt32 {
        CRC32C.checksum(payload, continuing: nonceChecksum)
    }

    /// The record's bytes, prefix included, for a segment with this nonce.
    package func encoded(nonce: [UInt8]) -> [UInt8] {
        var out = [UInt8]()
        self.encode(into: &out, nonceChecksum: CRC32C.checksum(nonce))
        return out
    }

    /// Appends the record's bytes, prefix included, for a segment whose nonce has the checksum
    /// `nonceChecksum`.
    func encode(into out: inout [UInt8], nonceChecksum: UInt32) {
        Self.encode(position: self.position, received: self.received, topic: self.topic, seq: self.seq, id: self.id,
                    sender: self.sender, header: self.header, body: self.body, into: &out,
                    nonceChecksum: nonceChecksum)
    }

    /// Appends a record's bytes, prefix included, straight from its fields: the publish path
    /// writes each record once, into the journal's write buffer, with no record value made.
    static func encode(
        position: UInt64,
        received: Timestamp,
        topic: String,
        seq: UInt64,
        id: String,
        sender: String,
        header: [UInt8],
        body: [UInt8],
        into out: inout [UInt8],
        nonceChecksum: UInt32
    ) {
        var topic = topic, id = id, sender = sender
        topic.withUTF8 { topic in
            id.withUTF8 { id in
                sender.withUTF8 { sender in
                    header.withUnsafeBytes { header in
                        body.withUnsafeBytes { body in
                            Self.encode(position: position, received: received, topic: UnsafeRawBufferPointer(topic),
                                        seq: seq, id: UnsafeRawBufferPointer(id),
                                        sender: UnsafeRawBufferPointer(sender), header: header, body: body,
                                        into: &out, nonceChecksum: nonceChecksum)
                        }
                    }
                }
            }
        }
    }

    /// ``encode(position:received:topic:seq:id:sender:header:body:into:nonceChecksum:)`` from
    /// the fields' bytes where they are (the strings as UTF-8).
    static func encode(
        position: UInt64,
        received: Timestamp,
        topic: UnsafeRawBufferPointer,
        seq: UInt64,
        id: UnsafeRawBufferPointer,
        sender: UnsafeRawBufferPointer,
        header: UnsafeRawBufferPointer,
        body: UnsafeRawBufferPointer,
        into out: inout [UInt8],
        nonceChecksum: UInt32
    ) {
        let topicCount = topic.count, idCount = id.count, senderCount = sender.count
        let payloadCount = Self.fixedPayloadBytes + topicCount + idCount + senderCount + header.count + body.count
        let recordCount = Self.prefixBytes + payloadCount
        // The record is laid out whole in a buffer of its own (on the stack when it is small)
        // and appended in one copy: appending its dozen pieces one by one cost a capacity and
        // uniqueness check each.
        withUnsafeTemporaryAllocation(byteCount: recordCount, alignment: 8) { buffer in
            // A record is never empty, so the buffer has an address.
            let at = buffer.baseAddress!
            at.copyMemory(from: Self.magicWord, byteCount: 4)
            Self.store(UInt32(payloadCount), at: at + 4)
            Self.store(position, at: at + 12)
            Self.store(UInt64(bitPattern: received.milliseconds), at: at + 20)
            Self.store(seq, at: at + 28)
            Self.store(UInt16(topicCount), at: at + 36)
            var offset = 38
            func put(_ bytes: UnsafeRawBufferPointer) {
                if let from = bytes.baseAddress { (at + offset).copyMemory(from: from, byteCount: bytes.count) }
                offset += bytes.count
            }
            put(topic)
            Self.store(UInt16(idCount), at: at + offset)
            offset += 2
            put(id)
            Self.store(UInt16(senderCount), at: at + offset)
            offset += 2
            put(sender)
            Self.store(UInt32(header.count), at: at + offset)
            offset += 4
            put(header)
            put(body)
            let payload = UnsafeRawBufferPointer(start: at + Self.prefixBytes, count: payloadCount)
            Self.store(Self.checksum(nonceChecksum: nonceChecksum, payload: payload), at: at + 8)
            out.append(contentsOf: UnsafeBufferPointer(start: at.assumingMemoryBound(to: UInt8.self),
                                                       count: recordCount))
        }
    }

    /// ``magic`` as a pointer to constant bytes.
    private static var magicWord: UnsafeRawPointer { UnsafeRawPointer(("ORJ1" as StaticString).utf8Start) }

    /// Writes `value` little-endian at `at`, aligned or not.
    @inline(__always)
    private static func store<T: FixedWidthInteger>(_ value: T, at: UnsafeMutableRawPointer) {
        at.storeBytes(of: value.littleEndian, as: T.self)
    }

    /// The payload length written in the prefix of the record that starts at `offset`.
    static func payloadLength(in bytes: [UInt8], at offset: Int) -> UInt32 {
        var length: UInt32 = 0
        for k in 0..<4 {
            length |= UInt32(bytes[offset + 4 + k]) << (8 * k)
        }
        return length
    }

    /// Reads a payload whose checksum was already verified.
    ///
    /// - Returns: nil when the payload's inner lengths do not fit (damage the checksum missed).
    static func decode(payload p: UnsafeRawBufferPointer) -> JournalRecord? {
        var reader = ByteReader(p)
        guard let position = reader.u64(), let received = reader.u64(), let seq = reader.u64(),
              let topicCount = reader.u16(), let topic = reader.bytes(Int(topicCount)),
              let idCount = reader.u16(), let id = reader.bytes(Int(idCount)),
              let senderCount = reader.u16(), let sender = reader.bytes(Int(senderCount)),
              let headerCount = reader.u32(), let header = reader.bytes(Int(headerCount))
        else { return nil }
        let body = reader.rest()
        return JournalRecord(position: position, received: Timestamp(milliseconds: Int64(bitPattern: received)),
                             topic: String(decoding: topic, as: UTF8.self), seq: seq,
                             id: String(decoding: id, as: UTF8.self), sender: String(decoding: sender, as: UTF8.self),
                             header: header, body: body)
    }
}

/// Reads little-endian fields from a buffer, refusing to read past its end.
struct ByteReader {
    private let buffer: UnsafeRawBufferPointer
    private(set) var offset = 0

    init(_ buffer: UnsafeRawBufferPointer) {
        self.buffer = buffer
    }

    private mutating func integer<T: FixedWidthInteger>(_ type: T.Type) -> T? {
        let size = MemoryLayout<T>.size
        guard self.offset + size <= self.buffer.count else { return nil }
        var value: T = 0
        for k in 0..<size {
            value |= T(self.buffer[self.offset + k]) << (8 * k)
        }
        self.offset += size
        return value
    }

    mutating func u16() -> UInt16? { self.integer(UInt16.self) }
    mutating func u32() -> UInt32? { self.integer(UInt32.self) }
    mutating func u64() -> UInt64? { self.integer(UInt64.self) }

    mutating func bytes(_ count: Int) -> [UInt8]? {
        guard count >= 0, self.offset + count <= self.buffer.count else { return nil }
        defer { self.offset += count }
        return Array(self.buffer[self.offset..<(self.offset + count)])
    }

    mutating func rest() -> [UInt8] {
        defer { self.offset = self.buffer.count }
        return Array(self.buffer[self.offset...])
    }
}

extension Array where Element == UInt8 {
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        // Byte by byte: appending the value's bytes as a buffer costs a generic copy per field.
        for k in 0..<MemoryLayout<T>.size {
            self.append(UInt8(truncatingIfNeeded: value >> (8 * k)))
        }
    }
}
