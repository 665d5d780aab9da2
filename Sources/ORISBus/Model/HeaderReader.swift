// SPDX-License-Identifier: Apache-2.0

/// The limits a header and a body are checked against.
package struct ItemLimits: Sendable, Equatable {
    /// Largest header frame, in bytes.
    package var maximumHeaderBytes = 16 * 1024
    /// Largest body frame, in bytes.
    package var maximumBodyBytes = 1024 * 1024
    /// Longest title, in Unicode characters.
    package var maximumTitleLength = 200
    /// Most tags, and most references.
    package var maximumListCount = 32
    /// Longest tag.
    package var maximumTagLength = 64
    /// Most areas.
    package var maximumAreaCount = 64
    /// Longest area, in bytes.
    package var maximumAreaLength = 256

    package init() {}
}

/// Reads and checks a publisher's header (version 1), turning each problem into its NAK code.
///
/// The checks run from the cheapest to the most specific: size, UTF-8, NUL bytes, JSON, object,
/// version, then each field. The first problem found is the one reported.
package struct HeaderReader: Sendable {
    package var limits: ItemLimits

    /// Fields the daemon stamps: a publisher may send them, they are dropped and replaced.
    package static let stampedFields: Set<String> = [
        "tenant", "sender", "received", "tier", "seq", "reason", "origin", "path",
    ]

    /// Fields a publisher sets.
    package static let publisherFields: Set<String> = [
        "v", "id", "kind", "theme", "title", "severity", "urgency", "certainty", "tlp", "posture",
        "tags", "axis", "references", "sent", "content_type", "status", "msg_type", "expires", "areas",
    ]

    package init(limits: ItemLimits = ItemLimits()) {
        self.limits = limits
    }

    /// Checks a header frame.
    ///
    /// - Parameters:
    ///   - bytes: the header frame.
    ///   - makeID: called for an id when the header has none.
    /// - Returns: the header, with no daemon stamps yet.
    /// - Throws: ``Rejection`` with the code of the first problem found.
    package func read(_ bytes: [UInt8], makeID: () -> String) throws(Rejection) -> ItemHeader {
        try self.checkFrame(bytes)
        // The common header, read without building a JSON object; anything else, and every
        // refusal, is the general reader's.
        if let header = HeaderScanner.scan(bytes, limits: self.limits, makeID: makeID) {
            return header
        }
        return try self.parse(bytes, makeID: makeID)
    }

    /// ``read(_:makeID:)`` without its fast path: the reference the fast path is fuzzed against.
    func read_withoutFastPath(_ bytes: [UInt8], makeID: () -> String) throws(Rejection) -> ItemHeader {
        try self.checkFrame(bytes)
        return try self.parse(bytes, makeID: makeID)
    }

    /// The checks on the frame as bytes: size, UTF-8, NUL.
    private func checkFrame(_ bytes: [UInt8]) throws(Rejection) {
        guard bytes.count <= self.limits.maximumHeaderBytes else {
            throw Rejection(.headerTooLarge,
                            "the header is \(bytes.count) bytes, over the limit of \(self.limits.maximumHeaderBytes)")
        }
        if let offset = UTF8Check.firstInvalidOffset(in: bytes) {
            throw Rejection(.badUTF8, "the header is not valid UTF-8 (byte \(offset))")
        }
        if let offset = bytes.firstIndex(of: 0) {
            throw Rejection(.nulByte, "the header contains a NUL byte (byte \(offset))")
        }
    }

    /// Parses the frame as JSON, then checks the object.
    private func parse(_ bytes: [UInt8], makeID: () -> String) throws(Rejection) -> ItemHeader {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw Rejection(.badJSON, "the header is not JSON: \(error)")
        }
        guard case .object(let object) = value else {
            throw Rejection(.notObject, "the header is \(value.typeName), not a JSON object")
        }
        return try self.read(object, makeID: makeID)
    }

    /// Checks a header already parsed into an object.
    ///
    /// - Throws: ``Rejection``.
    package func read(_ object: JSONObject, makeID: () -> String) throws(Rejection) -> ItemHeader {
        let claimedID = object["id"]?.stringValue
        func reject(_ code: NAKCode, _ message: String) -> Rejection {
            Rejection(code, message, id: claimedID)
        }

        if let version = object["v"] {
            guard case .int(ItemHeader.version) = version else {
                throw reject(.badVersion, "header version \(JSONWriter.string(version)) is not 1")
            }
        }
        for key in object.keys {
            guard Self.publisherFields.contains(key) || Self.stampedFields.contains(key)
                    || key.hasPrefix("x-") else {
                throw reject(.badField, "unknown field '\(key)'\(Self.suggestion(for: key))")
            }
        }
        // Every string anywhere in the header is free of NUL; an escaped \u0000 counts too.
        if let path = Self.firstNUL(in: .object(object), path: "") {
            throw reject(.nulByte, "field '\(path)' contains a NUL character")
        }

        guard let kindValue = object["kind"] else {
            throw reject(.missingKind, "the header has no 'kind'")
        }
        guard let kindWord = kindValue.stringValue, let kind = Kind(word: kindWord) else {
            throw reject(.unknownKind, "kind \(JSONWriter.string(kindValue)) is not one of \(Kind.wordList)")
        }
        guard let themeValue = object["theme"] else {
            throw reject(.missingTheme, "the header has no 'theme'")
        }
        guard let theme = themeValue.stringValue, Identifier.isValid(theme) else {
            throw reject(.unknownTheme, "theme \(JSONWriter.string(themeValue)) is not a theme name")
        }
        guard let title = object["title"]?.stringValue else {
            throw reject(.badTitle, object["title"] == nil ? "the header has no 'title'" : "'title' is not a string")
        }
        guard title.unicodeScalars.contains(where: Self.isVisible(_:)) else {
            throw reject(.badTitle, "the title is empty or has nothing visible")
        }
        let length = title.unicodeScalars.count
        guard length <= self.limits.maximumTitleLength else {
            throw reject(.badTitle,
                         "the title is \(length) characters, over the limit of \(self.limits.maximumTitleLength)")
        }

        let id: String
        if let idValue = object["id"] {
            guard let text = idValue.stringValue, Identifier.isValidPublishedID(text) else {
                throw reject(.badID, "id \(JSONWriter.string(idValue)) is not 1 to "
                             + "\(Identifier.maximumItemIDLength) printable ASCII characters "
                             + "without space, '\"', '\\', ',', '/' or '~' (the daemon's own ids)")
            }
            id = text
        } else {
            id = makeID()
        }

        var header = ItemHeader(id: id, kind: kind, theme: theme, title: title)
        header.severity = try Self.word(object, "severity", .badSeverity, default: .unknown, id: claimedID)
        header.urgency = try Self.word(object, "urgency", .badUrgency, default: .unknown, id: claimedID)
        header.certainty = try Self.word(object, "certainty", .badCertainty, default: .unknown, id: claimedID)
        header.tlp = try Self.word(object, "tlp", .badTLP, default: .amber, id: claimedID)
        if object["posture"] != nil {
            header.posture = try Self.word(object, "posture", .badPosture, default: .prospective, id: claimedID)
        }
        header.tags = try self.stringList(object, "tags", id: claimedID) { tag in
            !tag.isEmpty && tag.utf8.count <= self.limits.maximumTagLength
        }
        header.references = try self.stringList(object, "references", id: claimedID, Identifier.isValidItemID)
        if let axis = object["axis"] {
            guard let text = axis.stringValue, Identifier.isValid(text) else {
                throw reject(.badField, "axis \(JSONWriter.string(axis)) is not an axis name")
            }
            header.axis = text
        }
        if let sent = object["sent"] {
            guard let text = sent.stringValue, Timestamp(rfc3339: text) != nil else {
                throw reject(.badTime, "sent \(JSONWriter.string(sent)) is not an RFC 3339 date and time")
            }
            header.sent = text
        }
        if let contentType = object["content_type"] {
            guard let text = contentType.stringValue, Self.isMediaType(text) else {
                throw reject(.badField, "content_type \(JSONWriter.string(contentType)) is not a media type")
            }
            header.contentType = text
        }
        try self.readSourceFields(object, into: &header, id: claimedID)
        header.extensions = object.pairs.filter { $0.key.hasPrefix("x-") }.map { ($0.key, $0.value) }
        return header
    }

    /// The fields an imported source brings (CAP status, message type, expiry, areas), checked
    /// after the others.
    private func readSourceFields(_ object: JSONObject, into header: inout ItemHeader, id: String?) throws(Rejection) {
        if object["status"] != nil {
            header.status = try Self.word(object, "status", .badField, default: .actual, id: id)
        }
        if object["msg_type"] != nil {
            header.messageType = try Self.word(object, "msg_type", .badField, default: .alert, id: id)
        }
        if let expires = object["expires"] {
            guard let text = expires.stringValue, Timestamp(rfc3339: text) != nil else {
                throw Rejection(.badTime, "expires \(JSONWriter.string(expires)) is not an RFC 3339 date and time",
                                id: id)
            }
            header.expires = text
        }
        if let areas = object["areas"] {
            guard let items = areas.arrayValue, items.count <= self.limits.maximumAreaCount else {
                throw Rejection(.badField, "'areas' is not an array of at most \(self.limits.maximumAreaCount) strings",
                                id: id)
            }
            for item in items {
                guard let text = item.stringValue, !text.isEmpty, text.utf8.count <= self.limits.maximumAreaLength
                else {
                    throw Rejection(.badField, "areas entry \(JSONWriter.string(item)) is not 1 to "
                                    + "\(self.limits.maximumAreaLength) bytes of text", id: id)
                }
                header.areas.append(text)
            }
        }
    }

    // MARK: - Field helpers

    private static func word<W: Vocabulary>(
        _ object: JSONObject,
        _ field: String,
        _ code: NAKCode,
        default fallback: W,
        id: String?
    ) throws(Rejection) -> W {
        guard let value = object[field] else { return fallback }
        guard let text = value.stringValue, let word = W(word: text) else {
            throw Rejection(code, "\(field) \(JSONWriter.string(value)) is not one of \(W.wordList)", id: id)
        }
        return word
    }

    private func stringList(
        _ object: JSONObject,
        _ field: String,
        id: String?,
        _ isValid: (String) -> Bool
    ) throws(Rejection) -> [String] {
        guard let value = object[field] else { return [] }
        guard let items = value.arrayValue, items.count <= self.limits.maximumListCount else {
            throw Rejection(.badField, "'\(field)' is not an array of at most \(self.limits.maximumListCount) strings",
                            id: id)
        }
        var out = [String]()
        for item in items {
            guard let text = item.stringValue, isValid(text) else {
                throw Rejection(.badField, "\(field) entry \(JSONWriter.string(item)) is not valid", id: id)
            }
            out.append(text)
        }
        return out
    }

    private static func firstNUL(in value: JSONValue, path: String) -> String? {
        switch value {
        case .string(let s):
            return s.utf8.contains(0) ? path : nil
        case .array(let items):
            for (n, item) in items.enumerated() {
                if let found = firstNUL(in: item, path: "\(path)[\(n)]") { return found }
            }
            return nil
        case .object(let object):
            for (key, item) in object.pairs {
                let inner = path.isEmpty ? key : "\(path).\(key)"
                if key.utf8.contains(0) { return inner }
                if let found = firstNUL(in: item, path: inner) { return found }
            }
            return nil
        default:
            return nil
        }
    }

    /// Whether a content type is printable ASCII, 1 to 128 bytes.
    static func isMediaType(_ text: String) -> Bool {
        Self.isMediaType(utf8: text.utf8)
    }

    /// ``isMediaType(_:)`` for the type's UTF-8 bytes, read where they are.
    static func isMediaType<C: Collection<UInt8>>(utf8 bytes: C) -> Bool {
        !bytes.isEmpty && bytes.count <= 128 && bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
    }

    /// Whether a title passes every title check: something visible, at most the limit's length.
    static func isAcceptableTitle(_ title: String, limits: ItemLimits) -> Bool {
        title.unicodeScalars.contains(where: Self.isVisible(_:))
            && title.unicodeScalars.count <= limits.maximumTitleLength
    }

    /// ``isAcceptableTitle(_:limits:)`` for the title's UTF-8 bytes (valid UTF-8), read where
    /// they are when they are ASCII: a title shows something when it has a byte from `!` to `~`.
    static func isAcceptableTitle(utf8 title: UnsafeBufferPointer<UInt8>, limits: ItemLimits) -> Bool {
        var shows = false
        for byte in title {
            guard byte < 0x80 else {
                return Self.isAcceptableTitle(String(decoding: title, as: UTF8.self), limits: limits)
            }
            if byte > 0x20 && byte < 0x7F { shows = true }
        }
        return shows && title.count <= limits.maximumTitleLength
    }

    /// Whether a character shows: not white space, not a control or format character (such as a
    /// zero-width space), not a lone combining mark.
    private static func isVisible(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .spaceSeparator, .lineSeparator, .paragraphSeparator, .control, .format, .nonspacingMark,
             .enclosingMark, .surrogate, .privateUse, .unassigned:
            return false
        default:
            return true
        }
    }

    private static func suggestion(for key: String) -> String {
        guard let close = Suggestion.closest(to: key, among: publisherFields) else { return "" }
        return "; did you mean '\(close)'?"
    }
}

extension String {
    /// The string without leading and trailing white space.
    package func trimmingWhitespace() -> String {
        let scalars = self.unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[start...end])
    }
}
