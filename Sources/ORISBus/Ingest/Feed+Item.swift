// SPDX-License-Identifier: Apache-2.0

extension Feed.Entry {
    /// The item this entry becomes (docs/IMPORT.md, "Feeds"): a weak signal, or an alert when
    /// the entry is a CAP alert (whole, or an index entry's `cap:` fields) of severity Severe or
    /// Extreme. The entry's own XML is the body.
    ///
    /// - Parameters:
    ///   - feedKey: what identifies the feed (its id, else its file), part of the item's id.
    ///   - format: `atom` or `rss`, for the content type.
    /// - Throws: ``IngestError`` when no theme rule matches and the mapping has no default.
    package func item(feedKey: String, format: String, mapping: ImportMapping, source: String)
    throws(IngestError) -> ImportItem {
        let contentType = format == "rss" ? "application/rss+xml" : "application/atom+xml"
        var header: JSONObject
        let severity: Severity
        if let alert = self.alert {
            // A whole alert keeps its CAP id, so the same alert imported by publish --cap is
            // the same item.
            header = try alert.item(mapping: mapping, body: self.xml, source: source).header
            severity = alert.leadingInfo?.severity ?? .unknown
        } else {
            let fields = self.capFields
            let events = [fields["event"], self.title].compactMap { $0 }
            guard let theme = mapping.theme(categories: fields["category"].map { [$0] } ?? [], events: events) else {
                throw IngestError("no theme rule matches and the mapping has no default_theme")
            }
            header = JSONObject()
            header["id"] = .string(StableID.make(["feed", feedKey, self.id], time: self.date.flatMap(Timestamp.init)))
            header["theme"] = .string(theme)
            let title = self.title.isEmpty ? (self.summary ?? "(untitled entry)") : self.title
            header["title"] = .string(ImportText.title(title))
            severity = fields["severity"].flatMap(Severity.init(word:)) ?? .unknown
            header["severity"] = .string(severity.word)
            Self.copy(fields["urgency"], Urgency.self, to: "urgency", in: &header)
            Self.copy(fields["certainty"], Certainty.self, to: "certainty", in: &header)
            if let date = self.date { header["sent"] = .string(date) }
            Self.copy(fields["status"], ItemStatus.self, to: "status", in: &header)
            Self.copy(fields["msgType"], MessageType.self, to: "msg_type", in: &header)
            if let expires = fields["expires"], Timestamp(rfc3339: expires) != nil {
                header["expires"] = .string(expires)
            }
            let areas = ImportText.distinct(self.areas.map { ImportText.prefix($0, bytes: 256) }, limit: 64)
            if !areas.isEmpty { header["areas"] = .array(areas.map { .string($0) }) }
        }
        header["kind"] = .string(severity >= .severe ? Kind.alert.word : Kind.signal.word)
        header["content_type"] = .string(contentType)
        var origin: [(String, JSONValue)] = [("feed", .string(feedKey)), ("entry", .string(self.id))]
        if let link = self.link { origin.append(("link", .string(link))) }
        header["x-feed"] = .object(JSONObject(origin))
        return ImportItem(header: header, body: self.xml, source: source)
    }

    private static func copy<W: Vocabulary>(
        _ text: String?,
        _ type: W.Type,
        to field: String,
        in header: inout JSONObject
    ) {
        if let text, let word = W(word: text) { header[field] = .string(word.word) }
    }
}

/// What `orisctl feed` already sent, kept in a small JSON file between runs:
/// `{"v":1,"sent":["<item id>", …]}`.
package struct FeedState: Sendable {
    package private(set) var sent: Set<String> = []
    private var order: [String] = []

    package init() {}

    /// Reads a state file's contents.
    ///
    /// - Throws: ``IngestError`` when it is not such a file.
    package init(_ bytes: [UInt8]) throws(IngestError) {
        guard case .object(let object)? = try? JSONParser.parse(bytes), let list = object["sent"]?.arrayValue else {
            throw IngestError("not a feed state file ({\"v\":1,\"sent\":[…]})")
        }
        for value in list {
            guard let id = value.stringValue else { throw IngestError("an entry of 'sent' is not a string") }
            self.insert(id)
        }
    }

    package mutating func insert(_ id: String) {
        if self.sent.insert(id).inserted { self.order.append(id) }
    }

    /// Replaces the state file at `path` so that a crash leaves the old or the new one whole.
    ///
    /// - Throws: ``IngestError`` saying why it could not be written.
    package func save(path: String) throws(IngestError) {
        do {
            try AtomicFile.replace(path, with: self.encoded)
        } catch {
            throw IngestError("cannot write feed state '\(path)': \(error)")
        }
    }

    /// The file's contents, ids in the order they were first sent.
    package var encoded: [UInt8] {
        JSONWriter.encode(.object(JSONObject([("v", .int(1)), ("sent", .array(self.order.map { .string($0) }))])))
    }
}
