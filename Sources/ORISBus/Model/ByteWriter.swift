// SPDX-License-Identifier: Apache-2.0

/// Writes a frame's bytes through a pointer into storage sized beforehand.
///
/// The stamped header is written for every delivery; appending to an array checks its capacity
/// and uniqueness at every byte and costs a generic copy for every run of bytes. The writer's
/// caller gives an upper bound of what it will write; going past it traps rather than writes
/// out of bounds.
struct ByteWriter {
    private let base: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    /// The bytes written so far.
    private(set) var count = 0

    init(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        // A buffer made with a capacity of at least one byte always has an address.
        self.base = buffer.baseAddress!
        self.capacity = buffer.count
    }

    /// The most bytes ``string(_:)`` writes for `text`: each byte may become a six-byte escape.
    static func bound(ofString text: String) -> Int { 2 + 6 * text.utf8.count }

    mutating func byte(_ value: UInt8) {
        precondition(self.count < self.capacity, "ByteWriter: written past its bound")
        self.base[self.count] = value
        self.count += 1
    }

    mutating func bytes(_ source: UnsafeRawBufferPointer) {
        guard let from = source.baseAddress, !source.isEmpty else { return }
        precondition(self.count + source.count <= self.capacity, "ByteWriter: written past its bound")
        UnsafeMutableRawPointer(self.base + self.count).copyMemory(from: from, byteCount: source.count)
        self.count += source.count
    }

    mutating func bytes(_ source: [UInt8]) {
        source.withUnsafeBytes { self.bytes($0) }
    }

    mutating func literal(_ text: StaticString) {
        text.withUTF8Buffer { self.bytes(UnsafeRawBufferPointer($0)) }
    }

    /// Writes `text` as a JSON string, exactly as ``JSONWriter`` does.
    mutating func string(_ text: String) {
        // Most strings need no escape: their UTF-8 is checked, then copied whole with its quotes.
        let isPlain = text.utf8.withContiguousStorageIfAvailable { utf8 -> Bool in
            guard !JSONWriter.needsEscape(utf8) else { return false }
            self.quoted(utf8)
            return true
        }
        if isPlain != true {
            // Rare in a header: the general writer escapes it, and its bytes are copied.
            var escaped = [UInt8]()
            JSONWriter.writeString(text, into: &escaped)
            self.bytes(escaped)
        }
    }

    /// Writes `utf8` between double quotes, as they are: one bound check, one copy.
    mutating func quoted(_ utf8: UnsafeBufferPointer<UInt8>) {
        let count = utf8.count
        precondition(self.count + count + 2 <= self.capacity, "ByteWriter: written past its bound")
        let at = self.base + self.count
        at[0] = UInt8(ascii: "\"")
        if let from = utf8.baseAddress {
            (at + 1).update(from: from, count: count)
        }
        at[count + 1] = UInt8(ascii: "\"")
        self.count += count + 2
    }

    /// Writes an integer in decimal (at most 20 bytes).
    mutating func integer(_ value: Int64) {
        JSONWriter.withDecimal(value) { self.bytes($0) }
    }
}
