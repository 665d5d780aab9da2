// SPDX-License-Identifier: Apache-2.0

/// Blanks `//` and `/* */` comments outside strings, keeping every byte offset (comments become
/// spaces, newlines stay), so that a JSON error still points at the right line and column.
enum CommentStripper {
    struct UnterminatedComment: Error, CustomStringConvertible {
        let line: Int
        var description: String { "a /* comment opened at line \(self.line) is never closed" }
    }

    static func strip(_ bytes: [UInt8]) throws(UnterminatedComment) -> [UInt8] {
        var out = bytes
        var i = 0
        var inString = false
        while i < out.count {
            let b = out[i]
            if inString {
                if b == UInt8(ascii: "\\") { i += 2; continue }
                if b == UInt8(ascii: "\"") { inString = false }
                i += 1
                continue
            }
            if b == UInt8(ascii: "\"") {
                inString = true
                i += 1
            } else if b == UInt8(ascii: "/") && i + 1 < out.count && out[i + 1] == UInt8(ascii: "/") {
                while i < out.count && out[i] != 0x0A { out[i] = 0x20; i += 1 }
            } else if b == UInt8(ascii: "/") && i + 1 < out.count && out[i + 1] == UInt8(ascii: "*") {
                let start = i
                out[i] = 0x20
                out[i + 1] = 0x20
                i += 2
                while i < out.count && !self.closesComment(out, at: i) {
                    if out[i] != 0x0A { out[i] = 0x20 }
                    i += 1
                }
                guard i < out.count else {
                    throw UnterminatedComment(line: lineAndColumn(of: start, in: bytes).line)
                }
                out[i] = 0x20
                out[i + 1] = 0x20
                i += 2
            } else {
                i += 1
            }
        }
        return out
    }

    private static func closesComment(_ bytes: [UInt8], at i: Int) -> Bool {
        bytes[i] == UInt8(ascii: "*") && i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "/")
    }

    /// The 1-based line and column of a byte offset.
    static func lineAndColumn(of offset: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        for b in bytes.prefix(offset) {
            if b == 0x0A { line += 1; column = 1 } else { column += 1 }
        }
        return (line, column)
    }
}
