// SPDX-License-Identifier: Apache-2.0

/// Why a document is not JSON, with the byte offset where reading stopped.
package struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong.
    package enum Reason: Sendable, Equatable, CustomStringConvertible {
        /// The bytes are not valid UTF-8.
        case invalidUTF8
        /// The grammar was broken: an unexpected byte, an unterminated string, a bad escape.
        case syntax(String)
        /// An object names the same key twice.
        case duplicateKey(String)
        /// Arrays and objects are nested deeper than allowed.
        case tooDeep

        package var description: String {
            switch self {
            case .invalidUTF8: return "invalid UTF-8"
            case .syntax(let what): return what
            case .duplicateKey(let key): return "duplicate key '\(key)'"
            case .tooDeep: return "nested deeper than \(JSONParser.maximumDepth) levels"
            }
        }
    }

    package let reason: Reason
    package let offset: Int

    package var description: String {
        switch self.reason {
        case .invalidUTF8: return "invalid UTF-8 at byte \(self.offset)"
        case .syntax(let what): return "\(what) at byte \(self.offset)"
        case .duplicateKey(let key): return "duplicate key '\(key)' at byte \(self.offset)"
        case .tooDeep: return "nested deeper than \(JSONParser.maximumDepth) levels at byte \(self.offset)"
        }
    }
}

/// A strict RFC 8259 reader over bytes.
///
/// Stricter than most: invalid UTF-8 anywhere, lone surrogate escapes, duplicate keys and
/// nesting deeper than ``maximumDepth`` are refused, so that two readers of the same header can
/// never disagree on what it says.
package struct JSONParser {
    /// The deepest nesting of arrays and objects accepted.
    package static let maximumDepth = 32

    private let bytes: [UInt8]
    private var index = 0
    private var depth = 0

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Parses one whole document.
    ///
    /// - Throws: ``JSONParseError``.
    package static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        if let bad = UTF8Check.firstInvalidOffset(in: bytes) {
            throw JSONParseError(reason: .invalidUTF8, offset: bad)
        }
        var parser = JSONParser(bytes: bytes)
        parser.skipWhitespace()
        let value = try parser.parseValue()
        parser.skipWhitespace()
        guard parser.index == bytes.count else {
            throw parser.error("unexpected data after the document")
        }
        return value
    }

    /// Parses one whole document from a string.
    package static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    // MARK: - Grammar

    private func error(_ what: String) -> JSONParseError {
        JSONParseError(reason: .syntax(what), offset: self.index)
    }

    private mutating func skipWhitespace() {
        while self.index < self.bytes.count {
            switch self.bytes[self.index] {
            case 0x20, 0x09, 0x0A, 0x0D: self.index += 1
            default: return
            }
        }
    }

    private mutating func parseValue() throws(JSONParseError) -> JSONValue {
        guard self.index < self.bytes.count else {
            throw self.error("unexpected end of document")
        }
        switch self.bytes[self.index] {
        case UInt8(ascii: "{"): return try self.parseObject()
        case UInt8(ascii: "["): return try self.parseArray()
        case UInt8(ascii: "\""): return .string(try self.parseString())
        case UInt8(ascii: "t"): try self.expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try self.expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try self.expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try self.parseNumber()
        default: throw self.error("unexpected character")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        guard self.index + count <= self.bytes.count else {
            throw self.error("unexpected end of document")
        }
        let matches = literal.withUTF8Buffer { expected in
            (0..<count).allSatisfy { self.bytes[self.index + $0] == expected[$0] }
        }
        guard matches else { throw self.error("unexpected character") }
        self.index += count
    }

    private mutating func enter() throws(JSONParseError) {
        self.depth += 1
        if self.depth > JSONParser.maximumDepth {
            throw JSONParseError(reason: .tooDeep, offset: self.index)
        }
    }

    private mutating func parseObject() throws(JSONParseError) -> JSONValue {
        try self.enter()
        self.index += 1
        var object = JSONObject()
        self.skipWhitespace()
        if self.index < self.bytes.count && self.bytes[self.index] == UInt8(ascii: "}") {
            self.index += 1
            self.depth -= 1
            return .object(object)
        }
        while true {
            self.skipWhitespace()
            guard self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: "\"") else {
                throw self.error("expected a key")
            }
            let keyOffset = self.index
            let key = try self.parseString()
            guard object[key] == nil else {
                throw JSONParseError(reason: .duplicateKey(key), offset: keyOffset)
            }
            self.skipWhitespace()
            guard self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: ":") else {
                throw self.error("expected ':'")
            }
            self.index += 1
            self.skipWhitespace()
            object[key] = try self.parseValue()
            self.skipWhitespace()
            guard self.index < self.bytes.count else { throw self.error("unterminated object") }
            let next = self.bytes[self.index]
            self.index += 1
            if next == UInt8(ascii: "}") { break }
            guard next == UInt8(ascii: ",") else {
                self.index -= 1
                throw self.error("expected ',' or '}'")
            }
        }
        self.depth -= 1
        return .object(object)
    }

    private mutating func parseArray() throws(JSONParseError) -> JSONValue {
        try self.enter()
        self.index += 1
        var array = [JSONValue]()
        self.skipWhitespace()
        if self.index < self.bytes.count && self.bytes[self.index] == UInt8(ascii: "]") {
            self.index += 1
            self.depth -= 1
            return .array(array)
        }
        while true {
            self.skipWhitespace()
            array.append(try self.parseValue())
            self.skipWhitespace()
            guard self.index < self.bytes.count else { throw self.error("unterminated array") }
            let next = self.bytes[self.index]
            self.index += 1
            if next == UInt8(ascii: "]") { break }
            guard next == UInt8(ascii: ",") else {
                self.index -= 1
                throw self.error("expected ',' or ']'")
            }
        }
        self.depth -= 1
        return .array(array)
    }

    private mutating func parseString() throws(JSONParseError) -> String {
        self.index += 1  // the opening quote
        var scalars = [UInt8]()
        var start = self.index
        while true {
            guard self.index < self.bytes.count else { throw self.error("unterminated string") }
            let byte = self.bytes[self.index]
            if byte == UInt8(ascii: "\"") {
                scalars.append(contentsOf: self.bytes[start..<self.index])
                self.index += 1
                return String(decoding: scalars, as: UTF8.self)
            }
            if byte < 0x20 {
                throw self.error("control character in a string")
            }
            if byte == UInt8(ascii: "\\") {
                scalars.append(contentsOf: self.bytes[start..<self.index])
                self.index += 1
                try self.parseEscape(into: &scalars)
                start = self.index
                continue
            }
            self.index += 1
        }
    }

    private mutating func parseEscape(into out: inout [UInt8]) throws(JSONParseError) {
        guard self.index < self.bytes.count else { throw self.error("unterminated escape") }
        let byte = self.bytes[self.index]
        self.index += 1
        switch byte {
        case UInt8(ascii: "\""): out.append(0x22)
        case UInt8(ascii: "\\"): out.append(0x5C)
        case UInt8(ascii: "/"): out.append(0x2F)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try self.parseHex4()
            if (0xD800...0xDBFF).contains(scalar) {
                guard self.index + 1 < self.bytes.count,
                      self.bytes[self.index] == UInt8(ascii: "\\"),
                      self.bytes[self.index + 1] == UInt8(ascii: "u")
                else { throw self.error("lone surrogate escape") }
                self.index += 2
                let low = try self.parseHex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw self.error("lone surrogate escape") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw self.error("lone surrogate escape")
            }
            // Valid by construction: surrogates were handled above.
            out.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar)!)).utf8))
        default:
            self.index -= 1
            throw self.error("invalid escape")
        }
    }

    private mutating func parseHex4() throws(JSONParseError) -> UInt32 {
        guard self.index + 4 <= self.bytes.count else { throw self.error("short \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = self.bytes[self.index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw self.error("invalid \\u escape")
            }
            value = value * 16 + digit
            self.index += 1
        }
        return value
    }

    private mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = self.index
        var isInteger = true
        if self.bytes[self.index] == UInt8(ascii: "-") { self.index += 1 }
        guard self.index < self.bytes.count, self.isDigit(self.bytes[self.index]) else {
            throw self.error("invalid number")
        }
        if self.bytes[self.index] == UInt8(ascii: "0") {
            self.index += 1
            if self.index < self.bytes.count && self.isDigit(self.bytes[self.index]) {
                throw self.error("leading zero in a number")
            }
        } else {
            self.skipDigits()
        }
        if self.index < self.bytes.count && self.bytes[self.index] == UInt8(ascii: ".") {
            isInteger = false
            self.index += 1
            guard self.index < self.bytes.count, self.isDigit(self.bytes[self.index]) else {
                throw self.error("invalid number")
            }
            self.skipDigits()
        }
        if self.index < self.bytes.count && (self.bytes[self.index] | 0x20) == UInt8(ascii: "e") {
            isInteger = false
            self.index += 1
            if self.index < self.bytes.count
                && (self.bytes[self.index] == UInt8(ascii: "+") || self.bytes[self.index] == UInt8(ascii: "-")) {
                self.index += 1
            }
            guard self.index < self.bytes.count, self.isDigit(self.bytes[self.index]) else {
                throw self.error("invalid number")
            }
            self.skipDigits()
        }
        let text = String(decoding: self.bytes[start..<self.index], as: UTF8.self)
        if isInteger, let value = Int64(text) {
            return .int(value)
        }
        guard let value = Double(text), value.isFinite else {
            throw JSONParseError(reason: .syntax("number out of range"), offset: start)
        }
        return .double(value)
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private mutating func skipDigits() {
        while self.index < self.bytes.count && self.isDigit(self.bytes[self.index]) {
            self.index += 1
        }
    }
}
