// SPDX-License-Identifier: Apache-2.0

/// One item an importer made from a source: the header to publish, the body, and who publishes.
package struct ImportItem: Sendable {
    package var header: JSONObject
    package var body: [UInt8]
    /// Where it came from, for the import's report (a file name, a file and row).
    package var source: String
    /// The member that publishes it; nil for the member the command runs as.
    package var publisher: ImportMapping.Publisher?

    package init(header: JSONObject, body: [UInt8], source: String, publisher: ImportMapping.Publisher? = nil) {
        self.header = header
        self.body = body
        self.source = source
        self.publisher = publisher
    }

    /// The item's id (importers always set one, so that importing again stores nothing new).
    package var id: String {
        self.header["id"]?.stringValue ?? ""
    }
}

/// Helpers the importers share to build headers within the header's limits.
package enum ImportText {
    /// `text` on one line (runs of white space made one space), cut to at most `limit` Unicode
    /// scalars with an ellipsis when it was longer.
    package static func title(_ text: String, limit: Int = 200) -> String {
        let words = text.split(whereSeparator: { $0.isWhitespace })
        let line = words.joined(separator: " ")
        let scalars = line.unicodeScalars
        guard scalars.count > limit else { return line }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars.prefix(max(0, limit - 1)))
        out.append("…")
        return String(out)
    }

    /// `text` cut to at most `bytes` UTF-8 bytes, on a character boundary.
    package static func prefix(_ text: String, bytes: Int) -> String {
        guard text.utf8.count > bytes else { return text }
        var out = ""
        for character in text {
            if out.utf8.count + character.utf8.count > bytes { break }
            out.append(character)
        }
        return out
    }

    /// The distinct non-empty values, in first-seen order, at most `limit` of them.
    package static func distinct(_ values: [String], limit: Int) -> [String] {
        var seen = Set<String>()
        var out: [String] = []
        for value in values where !value.isEmpty && !seen.contains(value) && out.count < limit {
            seen.insert(value)
            out.append(value)
        }
        return out
    }
}
