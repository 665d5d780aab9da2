// SPDX-License-Identifier: Apache-2.0

/// The entries of an Atom feed or an RSS channel (2.0, or 1.0 as RDF).
package struct Feed: Sendable {
    /// One entry (Atom) or item (RSS).
    package struct Entry: Sendable {
        /// Atom `id`, RSS `guid`, else the link, else the title and date.
        package var id: String
        package var title: String
        package var link: String?
        /// Atom `updated` (or `published`), RSS `pubDate`, as RFC 3339 when it could be read.
        package var date: String?
        package var summary: String?
        /// A CAP alert the entry carries whole (in its content or as a child).
        package var alert: CAPAlert?
        /// CAP fields an index entry carries as extension elements (`cap:severity`, …).
        package var capFields: [String: String]
        package var areas: [String]
        /// The entry's own XML text.
        package var xml: [UInt8]
    }

    /// `atom` or `rss`.
    package var format: String
    /// The feed's id (Atom `id`, RSS channel `link`), or nil when it has none.
    package var id: String?
    package var title: String?
    package var entries: [Entry]

    /// Reads a feed document.
    ///
    /// - Throws: ``IngestError`` when it is not XML, or neither Atom nor RSS.
    package static func read(_ bytes: [UInt8]) throws(IngestError) -> Feed {
        let document = try XMLDocument.source(bytes)
        let root = document.root
        switch root.name {
        case "feed":
            let entries = root.children("entry").map { Self.atomEntry($0, in: document) }
            return Feed(format: "atom", id: root.value("id"), title: root.value("title"), entries: entries)
        case "rss", "RDF":
            let channel = root.child("channel")
            // RSS 2.0 puts items in the channel; RSS 1.0 (RDF) beside it.
            let items = (channel?.children("item") ?? []) + root.children("item")
            return Feed(format: "rss", id: channel?.value("link"), title: channel?.value("title"),
                        entries: items.map { Self.rssItem($0, in: document) })
        default:
            throw IngestError("not an Atom feed or an RSS channel (root element <\(root.name)>)")
        }
    }

    private static func atomEntry(_ entry: XMLElement, in document: XMLDocument) -> Entry {
        let links = entry.children("link")
        let link = (links.first { $0.attribute("rel") == nil || $0.attribute("rel") == "alternate" } ?? links.first)?
            .attribute("href")
        let date = entry.value("updated") ?? entry.value("published")
        let title = entry.value("title") ?? ""
        return Self.entry(entry, id: entry.value("id") ?? link ?? "\(title)|\(date ?? "")", title: title, link: link,
                          date: date, summary: entry.value("summary") ?? entry.value("content"), in: document)
    }

    private static func rssItem(_ item: XMLElement, in document: XMLDocument) -> Entry {
        let link = item.value("link")
        let rawDate = item.value("pubDate") ?? item.value("date")
        let date = rawDate.flatMap { Timestamp(rfc3339: $0) != nil ? $0 : RFC822.rfc3339($0) }
        let title = item.value("title") ?? ""
        let id = item.value("guid") ?? item.attribute("about") ?? link ?? "\(title)|\(rawDate ?? "")"
        return Self.entry(item, id: id, title: title, link: link, date: date, summary: item.value("description"),
                          in: document)
    }

    private static func entry(
        _ element: XMLElement,
        id: String,
        title: String,
        link: String?,
        date: String?,
        summary: String?,
        in document: XMLDocument
    ) -> Entry {
        var alert: CAPAlert?
        if let found = CAPAlert.findAlert(in: element), let read = try? CAPAlert.read(found, in: document) {
            alert = read
        }
        var fields: [String: String] = [:]
        var areas: [String] = []
        for child in element.children where CAPAlert.namespaces.contains(where: { $0.1 == child.namespace }) {
            let text = child.text.trimmingWhitespace()
            guard !text.isEmpty else { continue }
            if child.name == "areaDesc" {
                areas += text.split(separator: ";").map { String($0).trimmingWhitespace() }
            } else {
                fields[child.name] = text
            }
        }
        let valid = date.flatMap { Timestamp(rfc3339: $0) != nil ? $0 : nil }
        return Entry(id: id, title: title, link: link, date: valid, summary: summary, alert: alert, capFields: fields,
                     areas: areas, xml: document.bytes(of: element))
    }
}

/// Dates as RSS writes them (RFC 822, as amended by RFC 1123): `Fri, 04 Feb 2011 20:20:00 GMT`.
package enum RFC822 {
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// The same instant in RFC 3339, or nil when the text is not such a date.
    package static func rfc3339(_ text: String) -> String? {
        var words = text.split(separator: " ").map(String.init)
        if let first = words.first, first.hasSuffix(",") { words.removeFirst() }
        guard words.count >= 4, let day = Int(words[0]), (1...31).contains(day),
              let month = months.firstIndex(of: ASCII.lowercased(String(words[1].prefix(3)))),
              var year = Int(words[2]) else { return nil }
        if year < 100 { year += year < 50 ? 2000 : 1900 }
        var clock = words[3].split(separator: ":").map(String.init)
        if clock.count == 2 { clock.append("00") }
        guard clock.count == 3, clock.allSatisfy({ $0.count == 2 && Int($0) != nil }) else { return nil }
        let zone = words.count > 4 ? words[4] : "GMT"
        let offset: String
        switch zone.uppercased() {
        case "GMT", "UT", "UTC", "Z": offset = "Z"
        case "EST": offset = "-05:00"
        case "EDT": offset = "-04:00"
        case "CST": offset = "-06:00"
        case "CDT": offset = "-05:00"
        case "MST": offset = "-07:00"
        case "MDT": offset = "-06:00"
        case "PST": offset = "-08:00"
        case "PDT": offset = "-07:00"
        default:
            let b = Array(zone.utf8)
            guard b.count == 5, b[0] == UInt8(ascii: "+") || b[0] == UInt8(ascii: "-"), Int(zone.dropFirst()) != nil
            else { return nil }
            offset = "\(zone.prefix(3)):\(zone.suffix(2))"
        }
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let text = "\(year)-\(two(month + 1))-\(two(day))T\(clock.joined(separator: ":"))\(offset)"
        return Timestamp(rfc3339: text) != nil ? text : nil
    }
}
