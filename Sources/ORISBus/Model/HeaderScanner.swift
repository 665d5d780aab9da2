// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif

/// The fast path of ``HeaderReader``: reads the header most publishers send — one flat object of
/// the publisher's plain string fields — straight from the frame's bytes into an ``ItemHeader``,
/// without building a ``JSONObject``.
///
/// It only ever accepts. Anything it does not take in whole (an escape, a list, a number other
/// than `"v": 1`, a repeated, stamped, unknown or `x-` field, any value that fails its check,
/// any JSON error) makes it answer nil, and the general reader then reads the frame and gives
/// the refusal and its code. So what the scanner accepts must be exactly what the general
/// reader makes of the same bytes; HeaderScannerTests fuzzes the two against each other.
enum HeaderScanner {
    /// The fields the scanner takes, in a fixed order.
    enum Field: Int, CaseIterable {
        case version, id, kind, theme, title, severity, urgency, certainty, tlp, posture, axis, contentType

        var name: StaticString {
            switch self {
            case .version: "v"
            case .id: "id"
            case .kind: "kind"
            case .theme: "theme"
            case .title: "title"
            case .severity: "severity"
            case .urgency: "urgency"
            case .certainty: "certainty"
            case .tlp: "tlp"
            case .posture: "posture"
            case .axis: "axis"
            case .contentType: "content_type"
            }
        }

        /// The field whose name is exactly these bytes.
        init?(name: UnsafeBufferPointer<UInt8>.SubSequence) {
            // The candidates by length and first letter, then one comparison: walking all twelve
            // names cost some 70 instructions a field.
            let candidate: Field
            switch (name.count, name.first ?? 0) {
            case (1, UInt8(ascii: "v")): candidate = .version
            case (2, UInt8(ascii: "i")): candidate = .id
            case (3, UInt8(ascii: "t")): candidate = .tlp
            case (4, UInt8(ascii: "k")): candidate = .kind
            case (4, UInt8(ascii: "a")): candidate = .axis
            case (5, UInt8(ascii: "t")): candidate = name.dropFirst().first == UInt8(ascii: "h") ? .theme : .title
            case (7, UInt8(ascii: "u")): candidate = .urgency
            case (7, UInt8(ascii: "p")): candidate = .posture
            case (8, UInt8(ascii: "s")): candidate = .severity
            case (9, UInt8(ascii: "c")): candidate = .certainty
            case (12, UInt8(ascii: "c")): candidate = .contentType
            default: return nil
            }
            // Same length, at least one byte: both have an address.
            guard candidate.name.withUTF8Buffer({
                memcmp($0.baseAddress!, name.base.baseAddress! + name.startIndex, name.count) == 0
            }) else { return nil }
            self = candidate
        }

    }

    /// Where each field's text is in the frame, by field: two vectors on the stack rather than an
    /// array of strings, and a string made only for the fields the header is built from.
    struct Spans {
        var starts = SIMD16<Int32>(repeating: -1)
        var ends = SIMD16<Int32>(repeating: -1)

        /// Where a field's text is, when the header has the field.
        func range(_ field: Field) -> Range<Int>? {
            let start = Int(self.starts[field.rawValue])
            return start >= 0 ? start..<Int(self.ends[field.rawValue]) : nil
        }

        func text(_ field: Field, in bytes: [UInt8]) -> String? {
            let start = Int(self.starts[field.rawValue])
            guard start >= 0 else { return nil }
            return String(decoding: bytes[start..<Int(self.ends[field.rawValue])], as: UTF8.self)
        }
    }

    /// The header in `bytes`, checked; nil when the general reader must decide.
    ///
    /// - Parameters:
    ///   - bytes: a header frame already within the size limit, valid UTF-8 and free of NUL.
    ///   - makeID: called for an id, only when the header is accepted and names none.
    static func scan(_ bytes: [UInt8], limits: ItemLimits, makeID: () -> String) -> ItemHeader? {
        var spans = Spans()
        let complete = bytes.withUnsafeBufferPointer { buffer in
            Self.fields(of: buffer, into: &spans)
        }
        guard complete else { return nil }
        return Self.header(spans, of: bytes, limits: limits, makeID: makeID)
    }

    // MARK: - Reading the object

    private static let quote = UInt8(ascii: "\"")
    private static let backslash = UInt8(ascii: "\\")

    /// Reads `{"field":"text",…}` (with `"v":1`) into `spans`; false at the first thing the
    /// fast path does not take.
    static func fields(of b: UnsafeBufferPointer<UInt8>, into spans: inout Spans) -> Bool {
        var i = 0
        func skipSpace() {
            while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
        }
        /// The bytes of a string starting at the quote at `i`, when it has no escape and no
        /// control character; `i` moves past its closing quote.
        func plainString() -> Range<Int>? {
            guard i < b.count, b[i] == quote else { return nil }
            let start = i + 1
            var end = start
            while end < b.count, b[end] != quote {
                guard b[end] != backslash, b[end] >= 0x20 else { return nil }
                end += 1
            }
            guard end < b.count else { return nil }
            i = end + 1
            return start..<end
        }

        skipSpace()
        guard i < b.count, b[i] == UInt8(ascii: "{") else { return false }
        i += 1
        var seen = 0
        repeat {
            skipSpace()
            guard let name = plainString(), let field = Field(name: b[name]), seen & (1 << field.rawValue) == 0 else {
                return false
            }
            seen |= 1 << field.rawValue
            skipSpace()
            guard i < b.count, b[i] == UInt8(ascii: ":") else { return false }
            i += 1
            skipSpace()
            if field == .version {
                // Only the integer 1 itself: "1.0", "1e0" and "01" are the general reader's.
                guard i < b.count, b[i] == UInt8(ascii: "1") else { return false }
                spans.starts[field.rawValue] = Int32(i)
                i += 1
                spans.ends[field.rawValue] = Int32(i)
            } else {
                guard let text = plainString() else { return false }
                spans.starts[field.rawValue] = Int32(text.lowerBound)
                spans.ends[field.rawValue] = Int32(text.upperBound)
            }
            skipSpace()
            guard i < b.count else { return false }
            if b[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            guard b[i] == UInt8(ascii: "}") else { return false }
            i += 1
            skipSpace()
            return i == b.count
        } while true
    }

    // MARK: - Checking the fields

    /// The header when every field passes the checks of ``HeaderReader``; nil otherwise.
    private static func header(
        _ spans: Spans,
        of bytes: [UInt8],
        limits: ItemLimits,
        makeID: () -> String
    ) -> ItemHeader? {
        func value(_ field: Field) -> String? { spans.text(field, in: bytes) }
        guard let kind = value(.kind).flatMap(Kind.init(word:)),
              let theme = value(.theme), Identifier.isValid(theme),
              let title = value(.title), HeaderReader.isAcceptableTitle(title, limits: limits)
        else { return nil }
        if let id = value(.id), !Identifier.isValidPublishedID(id) { return nil }

        var header = ItemHeader(id: "", kind: kind, theme: theme, title: title)
        guard Self.word(value(.severity), into: &header.severity),
              Self.word(value(.urgency), into: &header.urgency),
              Self.word(value(.certainty), into: &header.certainty),
              Self.word(value(.tlp), into: &header.tlp)
        else { return nil }
        if let posture = value(.posture) {
            guard let word = Posture(word: posture) else { return nil }
            header.posture = word
        }
        if let axis = value(.axis) {
            guard Identifier.isValid(axis) else { return nil }
            header.axis = axis
        }
        if let contentType = value(.contentType) {
            guard HeaderReader.isMediaType(contentType) else { return nil }
            header.contentType = contentType
        }
        header.id = value(.id) ?? makeID()
        return header
    }

    /// Reads a vocabulary word into `target` when present; false when present and not a word.
    private static func word<W: Vocabulary>(_ text: String?, into target: inout W) -> Bool {
        guard let text else { return true }
        guard let word = W(word: text) else { return false }
        target = word
        return true
    }
}
