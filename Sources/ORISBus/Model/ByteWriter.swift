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
        var text = text
        let plain = text.withUTF8 { utf8 -> Bool in
            guard !utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") })
            else { return false }
            self.byte(UInt8(ascii: "\""))
            self.bytes(UnsafeRawBufferPointer(utf8))
            self.byte(UInt8(ascii: "\""))
            return true
        }
        if !plain {
            // Rare in a header: the general writer escapes it, and its bytes are copied.
            var escaped = [UInt8]()
            JSONWriter.writeString(text, into: &escaped)
            self.bytes(escaped)
        }
    }

    /// Writes an integer in decimal (at most 20 bytes).
    mutating func integer(_ value: Int64) {
        JSONWriter.withDecimal(value) { self.bytes($0) }
    }
}
