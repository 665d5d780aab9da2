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

    /// The checksum of a payload in a segment with this nonce.
    static func checksum(nonce: [UInt8], payload: UnsafeRawBufferPointer) -> UInt32 {
        CRC32C.checksum(payload, continuing: CRC32C.checksum(nonce))
    }

    /// The record's bytes, prefix included, for a segment with this nonce.
    package func encoded(nonce: [UInt8]) -> [UInt8] {
        let topicBytes = Array(self.topic.utf8)
        let idBytes = Array(self.id.utf8)
        let senderBytes = Array(self.sender.utf8)
        let payloadCount = Self.fixedPayloadBytes + topicBytes.count + idBytes.count + senderBytes.count
            + self.header.count + self.body.count
        var out = [UInt8]()
        out.reserveCapacity(Self.prefixBytes + payloadCount)
        out.append(contentsOf: Self.magic)
        out.appendLittleEndian(UInt32(payloadCount))
        out.appendLittleEndian(UInt32(0))  // checksum, filled below
        out.appendLittleEndian(self.position)
        out.appendLittleEndian(UInt64(bitPattern: self.received.milliseconds))
        out.appendLittleEndian(self.seq)
        out.appendLittleEndian(UInt16(topicBytes.count))
        out.append(contentsOf: topicBytes)
        out.appendLittleEndian(UInt16(idBytes.count))
        out.append(contentsOf: idBytes)
        out.appendLittleEndian(UInt16(senderBytes.count))
        out.append(contentsOf: senderBytes)
        out.appendLittleEndian(UInt32(self.header.count))
        out.append(contentsOf: self.header)
        out.append(contentsOf: self.body)
        let crc = out.withUnsafeBytes {
            Self.checksum(nonce: nonce, payload: UnsafeRawBufferPointer(rebasing: $0[Self.prefixBytes...]))
        }
        out.replaceLittleEndian(crc, at: 8)
        return out
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
        var v = value.littleEndian
        Swift.withUnsafeBytes(of: &v) { self.append(contentsOf: $0) }
    }

    mutating func replaceLittleEndian(_ value: UInt32, at index: Int) {
        for k in 0..<4 {
            self[index + k] = UInt8(truncatingIfNeeded: value >> (8 * k))
        }
    }
}
