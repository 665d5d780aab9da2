// SPDX-License-Identifier: Apache-2.0

/// An OASIS CAP alert (1.2, also 1.1 and 1.0), read leniently from an XML document.
///
/// Elements are found by local name wherever the source put them among their siblings, so a
/// namespace prefix or an element out of schema order does not matter. An alert inside an
/// EDXL-DE envelope (or a feed entry) is found by looking for the first `alert` element in the
/// CAP namespace.
package struct CAPAlert: Sendable {
    /// One `info` block: one language's description of the event.
    package struct Info: Sendable {
        package var language: String
        package var categories: [String]
        package var event: String?
        package var urgency: Urgency
        package var severity: Severity
        package var certainty: Certainty
        package var headline: String?
        package var expires: String?
        /// `valueName=value` for each `eventCode`.
        package var eventCodes: [String]
        package var areas: [String]
    }

    package var version: String
    package var identifier: String
    package var sender: String
    package var sent: String
    package var status: ItemStatus
    package var messageType: MessageType
    /// The earlier alerts named in `references`, each "sender,identifier,sent".
    package var references: [(sender: String, identifier: String, sent: String)]
    package var infos: [Info]
    /// The alert element's own UTF-8 text (the whole document when the alert is its root).
    package var xml: [UInt8]

    /// The namespaces of CAP versions read, by version.
    package static let namespaces: [(String, String)] = [
        ("1.2", "urn:oasis:names:tc:emergency:cap:1.2"),
        ("1.1", "urn:oasis:names:tc:emergency:cap:1.1"),
        ("1.0", "http://www.incident.com/cap/1.0"),
    ]

    /// This alert's stable item id (see ``StableID/cap(sender:identifier:sent:)``).
    package var itemID: String {
        StableID.cap(sender: self.sender, identifier: self.identifier, sent: self.sent)
    }

    /// The item ids of the alerts this one refers to.
    package var referencedItemIDs: [String] {
        self.references.map { StableID.cap(sender: $0.sender, identifier: $0.identifier, sent: $0.sent) }
    }

    /// The most severe info block: the one whose severity, urgency and certainty the item takes.
    package var leadingInfo: Info? {
        self.infos.enumerated().max { a, b in
            a.element.severity < b.element.severity || (a.element.severity == b.element.severity && a.offset > b.offset)
        }?.element
    }

    /// Reads the first CAP alert of a document.
    ///
    /// - Throws: ``IngestError`` when the document is not XML or holds no usable alert.
    package static func read(_ bytes: [UInt8]) throws(IngestError) -> CAPAlert {
        let document = try XMLDocument.source(bytes)
        guard let alert = Self.findAlert(in: document.root) else {
            throw IngestError("no CAP alert in it (root element <\(document.root.name)>)")
        }
        return try Self.read(alert, in: document)
    }

    /// The first `alert` element in a CAP namespace (or without a namespace), depth first.
    package static func findAlert(in element: XMLElement) -> XMLElement? {
        if element.name == "alert", element.namespace == nil || Self.version(of: element) != nil {
            return element
        }
        for child in element.children {
            if let found = Self.findAlert(in: child) { return found }
        }
        return nil
    }

    private static func version(of element: XMLElement) -> String? {
        Self.namespaces.first { $0.1 == element.namespace }?.0
    }

    /// Reads an alert element found in `document`.
    ///
    /// - Throws: ``IngestError`` naming the first required element missing or wrong.
    package static func read(_ alert: XMLElement, in document: XMLDocument) throws(IngestError) -> CAPAlert {
        func required(_ name: String) throws(IngestError) -> String {
            guard let value = alert.value(name) else { throw IngestError("the alert has no <\(name)>") }
            return value
        }
        let identifier = try required("identifier")
        let sender = try required("sender")
        let sent = try required("sent")
        guard Timestamp(rfc3339: sent) != nil else {
            throw IngestError("<sent> \"\(sent)\" is not a date and time")
        }
        let statusWord = try required("status")
        guard let status = ItemStatus(word: statusWord) else {
            throw IngestError("<status> \"\(statusWord)\" is not one of \(ItemStatus.wordList)")
        }
        let typeWord = try required("msgType")
        guard let messageType = MessageType(word: typeWord) else {
            throw IngestError("<msgType> \"\(typeWord)\" is not one of \(MessageType.wordList)")
        }
        var references: [(String, String, String)] = []
        for entry in (alert.value("references") ?? "").split(whereSeparator: \.isWhitespace) {
            let parts = entry.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3 else {
                throw IngestError("<references> entry \"\(entry)\" is not sender,identifier,sent")
            }
            references.append((parts[0], parts[1], parts[2]))
        }
        var infos: [Info] = []
        for info in alert.children("info") {
            infos.append(try Self.info(info))
        }
        return CAPAlert(version: Self.version(of: alert) ?? "unknown", identifier: identifier, sender: sender,
                        sent: sent, status: status, messageType: messageType,
                        references: references.map { (sender: $0.0, identifier: $0.1, sent: $0.2) },
                        infos: infos, xml: document.bytes(of: alert))
    }

    private static func info(_ info: XMLElement) throws(IngestError) -> Info {
        func scale<W: Vocabulary>(_ name: String, _ fallback: W) throws(IngestError) -> W {
            guard let text = info.value(name) else { return fallback }
            guard let word = W(word: text) else {
                throw IngestError("<\(name)> \"\(text)\" is not one of \(W.wordList)")
            }
            return word
        }
        let codes = info.children("eventCode").compactMap { code -> String? in
            guard let name = code.value("valueName"), let value = code.value("value") else { return nil }
            return "\(name)=\(value)"
        }
        return Info(
            language: info.value("language") ?? "en-US",
            categories: info.children("category").map { $0.text.trimmingWhitespace() }.filter { !$0.isEmpty },
            event: info.value("event"),
            urgency: try scale("urgency", Urgency.unknown),
            severity: try scale("severity", Severity.unknown),
            certainty: try scale("certainty", Certainty.unknown),
            headline: info.value("headline"),
            expires: info.value("expires"),
            eventCodes: codes,
            areas: info.children("area").compactMap { $0.value("areaDesc") }
        )
    }
}

/// Why a source document could not be imported: one line for the import's report.
package struct IngestError: Error, Sendable, Equatable, CustomStringConvertible {
    package var description: String

    package init(_ description: String) {
        self.description = description
    }
}
