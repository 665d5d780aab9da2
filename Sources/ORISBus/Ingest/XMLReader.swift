// SPDX-License-Identifier: Apache-2.0

/// A small XML reader for the documents capteurs forward: CAP alerts, Atom and RSS feeds.
///
/// It reads elements, attributes, text, CDATA, the five predefined entities and character
/// references, and resolves namespace prefixes to local names plus a namespace URI. It reads
/// UTF-8 and ISO-8859-1 as the XML declaration says; a document declared (or assumed) UTF-8
/// whose bytes are not is read as ISO-8859-1 with a note, since real feeds do that. It refuses
/// what is not well-formed (a tag closed by another, text after the root, an unknown entity) and
/// a DTD's internal subset (so no entity expansion at all), each with a one-line reason.
///
/// We do not use FoundationXML: it brings libxml2 into every binary.
package struct XMLReader {
    /// Deepest nesting accepted.
    package static let maximumDepth = 256

    private let b: [UInt8]
    private var i = 0
    private var notes: [String] = []

    private init(_ bytes: [UInt8]) {
        self.b = bytes
    }

    /// Reads a document.
    ///
    /// - Throws: ``XMLError`` naming the first problem and its line.
    package static func read(_ bytes: [UInt8]) throws(XMLError) -> XMLDocument {
        var notes: [String] = []
        let text = try Self.decode(bytes, notes: &notes)
        var reader = XMLReader(text)
        reader.notes = notes
        let root = try reader.document()
        return XMLDocument(root: root, source: text, notes: reader.notes)
    }

    // MARK: - Encoding

    /// The document as UTF-8, from what its declaration says and what its bytes are.
    private static func decode(_ bytes: [UInt8], notes: inout [String]) throws(XMLError) -> [UInt8] {
        var bytes = bytes
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        if bytes.starts(with: [0xFE, 0xFF]) || bytes.starts(with: [0xFF, 0xFE]) {
            throw XMLError(message: "UTF-16 documents are not read (UTF-8 and ISO-8859-1 are)", line: 0)
        }
        var declared = "utf-8"
        if bytes.starts(with: Array("<?xml".utf8)), let end = Self.find(Array("?>".utf8), in: bytes, from: 0) {
            let declaration = String(decoding: bytes[0..<end], as: UTF8.self)
            if let value = Self.pseudoAttribute("encoding", in: declaration) {
                declared = ASCII.lowercased(value)
            }
        }
        switch declared {
        case "utf-8", "utf8", "us-ascii", "ascii":
            guard UTF8Check.firstInvalidOffset(in: bytes) != nil else { return bytes }
            notes.append("declared \(declared) but its bytes are not UTF-8: read as ISO-8859-1")
            return Self.latin1ToUTF8(bytes)
        case "iso-8859-1", "latin1", "latin-1", "iso_8859-1", "iso8859-1", "l1":
            return Self.latin1ToUTF8(bytes)
        default:
            throw XMLError(message: "encoding \"\(declared)\" is not read (UTF-8 and ISO-8859-1 are)", line: 1)
        }
    }

    private static func latin1ToUTF8(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count + bytes.count / 8)
        for byte in bytes {
            if byte < 0x80 {
                out.append(byte)
            } else {
                out.append(0xC0 | (byte >> 6))
                out.append(0x80 | (byte & 0x3F))
            }
        }
        return out
    }

    /// The value of `name="…"` (or `name = '…'`) inside an XML declaration.
    private static func pseudoAttribute(_ name: String, in declaration: String) -> String? {
        guard let range = declaration.range(of: name) else { return nil }
        var rest = declaration[range.upperBound...].drop { $0 == " " || $0 == "\t" }
        guard rest.first == "=" else { return nil }
        rest = rest.dropFirst().drop { $0 == " " || $0 == "\t" }
        guard let quote = rest.first, quote == "\"" || quote == "'" else { return nil }
        return String(rest.dropFirst().prefix { $0 != quote })
    }

    private static func find(_ needle: [UInt8], in hay: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, hay.count >= needle.count else { return nil }
        var k = start
        let first = needle[0]
        while k <= hay.count - needle.count {
            if hay[k] == first && hay[k..<(k + needle.count)].elementsEqual(needle) { return k }
            k += 1
        }
        return nil
    }

    // MARK: - Structure

    /// An open element with the namespace declarations it made.
    private struct Open {
        var element: XMLElement
        var qualifiedName: ArraySlice<UInt8>
        var namespaces: [String: String]
        var text: [UInt8] = []
        var startOffset: Int
    }

    private mutating func document() throws(XMLError) -> XMLElement {
        var stack: [Open] = []
        var root: XMLElement?
        while self.i < self.b.count {
            if self.b[self.i] != UInt8(ascii: "<") {
                let start = self.i
                while self.i < self.b.count && self.b[self.i] != UInt8(ascii: "<") { self.i += 1 }
                let raw = self.b[start..<self.i]
                if stack.isEmpty {
                    guard raw.allSatisfy(Self.isSpace) else {
                        throw self.error("text outside the root element", at: start)
                    }
                } else {
                    try self.appendText(raw, to: &stack[stack.count - 1].text, at: start)
                }
                continue
            }
            if self.skip("<?") {
                try self.skipPast("?>", what: "processing instruction")
            } else if self.skip("<!--") {
                try self.skipPast("-->", what: "comment")
            } else if self.skip("<![CDATA[") {
                let start = self.i
                guard let end = Self.find(Array("]]>".utf8), in: self.b, from: self.i) else {
                    throw self.error("a CDATA section is never closed", at: start)
                }
                guard !stack.isEmpty else { throw self.error("CDATA outside the root element", at: start) }
                stack[stack.count - 1].text.append(contentsOf: self.b[start..<end])
                self.i = end + 3
            } else if self.skip("<!DOCTYPE") {
                try self.skipDoctype()
            } else if self.skip("</") {
                let start = self.i - 2
                let name = self.name()
                self.skipSpaces()
                guard self.skip(">") else { throw self.error("a closing tag is not closed by '>'", at: start) }
                guard var open = stack.popLast() else {
                    throw self.error("closing tag </\(Self.text(name))> closes nothing", at: start)
                }
                guard open.qualifiedName == name else {
                    let opened = self.line(at: open.startOffset)
                    throw self.error("closing tag </\(Self.text(name))> does not match "
                                     + "<\(Self.text(open.qualifiedName))> opened on line \(opened)", at: start)
                }
                open.element.text = String(decoding: open.text, as: UTF8.self)
                try self.complete(open.element, into: &stack, root: &root)
            } else {
                guard root == nil else { throw self.error("a second root element", at: self.i) }
                let open = try self.startTag(inside: stack.last?.namespaces ?? [:])
                if open.element.range.isEmpty {
                    // <name/>: complete already.
                    try self.complete(open.element, into: &stack, root: &root)
                } else {
                    guard stack.count < Self.maximumDepth else {
                        throw self.error("elements nest deeper than \(Self.maximumDepth)", at: self.i)
                    }
                    stack.append(open)
                }
            }
        }
        if let open = stack.last {
            throw self.error("the document ends inside <\(Self.text(open.qualifiedName))> opened on line "
                             + "\(self.line(at: open.startOffset))", at: self.b.count)
        }
        guard let root else { throw XMLError(message: "the document has no root element", line: 0) }
        return root
    }

    /// Ends an element here: it becomes its parent's last child, or the root.
    private mutating func complete(_ element: XMLElement, into stack: inout [Open], root: inout XMLElement?)
    throws(XMLError) {
        var element = element
        element.range = element.range.lowerBound..<self.i
        if stack.isEmpty {
            root = element
            try self.epilogue()
        } else {
            stack[stack.count - 1].element.children.append(element)
        }
    }

    /// After the root: only white space, comments and processing instructions.
    private mutating func epilogue() throws(XMLError) {
        while self.i < self.b.count {
            if Self.isSpace(self.b[self.i]) {
                self.i += 1
            } else if self.skip("<!--") {
                try self.skipPast("-->", what: "comment")
            } else if self.skip("<?") {
                try self.skipPast("?>", what: "processing instruction")
            } else {
                throw self.error("content after the root element", at: self.i)
            }
        }
    }

    /// Reads `<name attr="v" …>` or `<name …/>`. A self-closed element comes back with an empty
    /// range (its caller completes it); an open one with a range starting at its `<`.
    private mutating func startTag(inside outer: [String: String]) throws(XMLError) -> Open {
        let start = self.i
        self.i += 1
        let qualified = self.name()
        guard !qualified.isEmpty else { throw self.error("'<' is not followed by a name", at: start) }
        var raw: [(ArraySlice<UInt8>, String)] = []
        var selfClosed = false
        while true {
            let hadSpace = self.skipSpaces()
            guard self.i < self.b.count else { throw self.error("a start tag is never closed", at: start) }
            if self.skip("/>") { selfClosed = true; break }
            if self.skip(">") { break }
            guard hadSpace else { throw self.error("attributes must be separated by white space", at: self.i) }
            let name = self.name()
            guard !name.isEmpty else { throw self.error("an attribute has no name", at: self.i) }
            self.skipSpaces()
            guard self.skip("=") else {
                throw self.error("attribute \(Self.text(name)) has no value", at: self.i)
            }
            self.skipSpaces()
            guard self.i < self.b.count, self.b[self.i] == UInt8(ascii: "\"") || self.b[self.i] == UInt8(ascii: "'")
            else { throw self.error("the value of attribute \(Self.text(name)) is not quoted", at: self.i) }
            let quote = self.b[self.i]
            let valueStart = self.i + 1
            guard let end = self.b[valueStart...].firstIndex(of: quote) else {
                throw self.error("the value of attribute \(Self.text(name)) is never closed", at: self.i)
            }
            let valueBytes = self.b[valueStart..<end]
            guard !valueBytes.contains(UInt8(ascii: "<")) else {
                throw self.error("'<' inside the value of attribute \(Self.text(name))", at: valueStart)
            }
            var value: [UInt8] = []
            try self.appendText(valueBytes, to: &value, at: valueStart)
            guard !raw.contains(where: { $0.0 == name }) else {
                throw self.error("attribute \(Self.text(name)) is given twice", at: valueStart)
            }
            raw.append((name, String(decoding: value, as: UTF8.self)))
            self.i = end + 1
        }

        var namespaces = outer
        for (name, value) in raw {
            if name.elementsEqual("xmlns".utf8) {
                namespaces[""] = value
            } else if name.starts(with: "xmlns:".utf8) {
                namespaces[Self.text(name.dropFirst(6))] = value
            }
        }
        let (prefix, local) = Self.split(qualified)
        var element = XMLElement(name: local, namespace: namespaces[prefix ?? ""])
        for (name, value) in raw where !name.elementsEqual("xmlns".utf8) && !name.starts(with: "xmlns:".utf8) {
            element.attributes.append((Self.split(name).local, value))
        }
        element.range = selfClosed ? start..<start : start..<self.i
        return Open(element: element, qualifiedName: qualified, namespaces: namespaces, startOffset: start)
    }

    /// Skips `<!DOCTYPE …>`; an internal subset (`[ … ]`) is refused, so no entity is ever declared.
    private mutating func skipDoctype() throws(XMLError) {
        let start = self.i
        while self.i < self.b.count {
            let c = self.b[self.i]
            if c == UInt8(ascii: "[") {
                throw self.error("a DTD internal subset is not read (entity declarations are refused)", at: self.i)
            }
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                guard let end = self.b[(self.i + 1)...].firstIndex(of: c) else { break }
                self.i = end + 1
                continue
            }
            self.i += 1
            if c == UInt8(ascii: ">") { return }
        }
        throw self.error("a DOCTYPE is never closed", at: start)
    }

    // MARK: - Text and entities

    /// Appends character data with entity and character references replaced.
    private func appendText(_ raw: ArraySlice<UInt8>, to out: inout [UInt8], at offset: Int) throws(XMLError) {
        guard raw.contains(UInt8(ascii: "&")) else {
            out.append(contentsOf: raw)
            return
        }
        var k = raw.startIndex
        while k < raw.endIndex {
            let c = raw[k]
            guard c == UInt8(ascii: "&") else {
                out.append(c)
                k += 1
                continue
            }
            guard let semicolon = raw[k...].prefix(12).firstIndex(of: UInt8(ascii: ";")) else {
                throw self.error("'&' does not start an entity reference (write &amp;)", at: k)
            }
            let name = String(decoding: raw[(k + 1)..<semicolon], as: UTF8.self)
            let scalar: Unicode.Scalar?
            switch name {
            case "lt": scalar = "<"
            case "gt": scalar = ">"
            case "amp": scalar = "&"
            case "quot": scalar = "\""
            case "apos": scalar = "'"
            default:
                if name.hasPrefix("#x") || name.hasPrefix("#X") {
                    scalar = UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init)
                } else if name.hasPrefix("#") {
                    scalar = UInt32(name.dropFirst(), radix: 10).flatMap(Unicode.Scalar.init)
                } else {
                    throw self.error("unknown entity &\(name); (XML knows lt, gt, amp, quot, apos)", at: k)
                }
            }
            guard let scalar, scalar.value != 0 else {
                throw self.error("character reference &\(name); names no character", at: k)
            }
            out.append(contentsOf: Array(String(Character(scalar)).utf8))
            k = semicolon + 1
        }
    }

    // MARK: - Scanning

    private mutating func skip(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard self.i + count <= self.b.count else { return false }
        let matches = literal.withUTF8Buffer { $0.elementsEqual(self.b[self.i..<(self.i + count)]) }
        if matches { self.i += count }
        return matches
    }

    private mutating func skipPast(_ literal: String, what: String) throws(XMLError) {
        let start = self.i
        guard let end = Self.find(Array(literal.utf8), in: self.b, from: self.i) else {
            throw self.error("a \(what) is never closed", at: start)
        }
        self.i = end + literal.utf8.count
    }

    @discardableResult
    private mutating func skipSpaces() -> Bool {
        let start = self.i
        while self.i < self.b.count && Self.isSpace(self.b[self.i]) { self.i += 1 }
        return self.i > start
    }

    private mutating func name() -> ArraySlice<UInt8> {
        let start = self.i
        while self.i < self.b.count {
            let c = self.b[self.i]
            if Self.isSpace(c) || c == UInt8(ascii: ">") || c == UInt8(ascii: "/") || c == UInt8(ascii: "=")
                || c == UInt8(ascii: "<") || c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") { break }
            self.i += 1
        }
        return self.b[start..<self.i]
    }

    private static func isSpace(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D
    }

    private static func split(_ qualified: ArraySlice<UInt8>) -> (prefix: String?, local: String) {
        guard let colon = qualified.firstIndex(of: UInt8(ascii: ":")) else { return (nil, Self.text(qualified)) }
        return (Self.text(qualified[..<colon]), Self.text(qualified[(colon + 1)...]))
    }

    private static func text(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    private func line(at offset: Int) -> Int {
        var line = 1
        for k in 0..<min(offset, self.b.count) where self.b[k] == 0x0A { line += 1 }
        return line
    }

    private func error(_ message: String, at offset: Int) -> XMLError {
        XMLError(message: message, line: self.line(at: offset))
    }
}
