// SPDX-License-Identifier: Apache-2.0

/// One element of an XML document, as ``XMLReader`` reads it.
///
/// Names are local names: a namespace prefix (`cap:alert`) is stripped and the namespace it
/// stood for is kept in ``namespace``, so that `cap:alert` and `alert` in the CAP namespace
/// read the same.
package struct XMLElement: Sendable {
    /// The local name, without its prefix.
    package var name: String
    /// The namespace URI the element is in, if any was declared.
    package var namespace: String?
    /// Attributes by local name, in document order (namespace declarations left out).
    package var attributes: [(name: String, value: String)] = []
    package var children: [XMLElement] = []
    /// The element's own character data (text and CDATA, entities replaced), children's left out.
    package var text: String = ""
    /// Where the element sits in ``XMLDocument/source``, start tag to end tag.
    package var range: Range<Int> = 0..<0

    package init(name: String, namespace: String? = nil) {
        self.name = name
        self.namespace = namespace
    }

    /// The first child with this local name.
    package func child(_ name: String) -> XMLElement? {
        self.children.first { $0.name == name }
    }

    /// Every child with this local name.
    package func children(_ name: String) -> [XMLElement] {
        self.children.filter { $0.name == name }
    }

    /// The trimmed text of the first child with this name; nil when absent or blank.
    package func value(_ name: String) -> String? {
        guard let text = self.child(name)?.text.trimmingWhitespace(), !text.isEmpty else { return nil }
        return text
    }

    /// The value of an attribute, by local name.
    package func attribute(_ name: String) -> String? {
        self.attributes.first { $0.name == name }?.value
    }

    /// The first element with this local name, this one included, depth first.
    package func first(named name: String) -> XMLElement? {
        if self.name == name { return self }
        for child in self.children {
            if let found = child.first(named: name) { return found }
        }
        return nil
    }
}

/// A parsed document: its root element and the UTF-8 text it was read from.
package struct XMLDocument: Sendable {
    package var root: XMLElement
    /// The document as UTF-8 (transcoded when it was ISO-8859-1), which element ranges index.
    package var source: [UInt8]
    /// What the reader had to be lenient about, one sentence each (empty when nothing).
    package var notes: [String]

    /// The UTF-8 text of one element of this document, start tag to end tag.
    package func bytes(of element: XMLElement) -> [UInt8] {
        Array(self.source[element.range])
    }
}

extension XMLDocument {
    /// Reads a source document for an importer: an XML error becomes its ``IngestError``.
    package static func source(_ bytes: [UInt8]) throws(IngestError) -> XMLDocument {
        do {
            return try XMLReader.read(bytes)
        } catch {
            throw IngestError("not well-formed XML: \(error)")
        }
    }
}

/// Why a document could not be read: one line, with the line number where it went wrong.
package struct XMLError: Error, Sendable, CustomStringConvertible {
    package var message: String
    package var line: Int

    package var description: String {
        self.line > 0 ? "line \(self.line): \(self.message)" : self.message
    }
}
