// SPDX-License-Identifier: Apache-2.0
import Testing
@testable import ORISBus

/// The tolerant XML reader: what it reads, and the one line it gives for what it refuses.
@Suite struct XMLReaderTests {
    private static func read(_ text: String) throws(XMLError) -> XMLDocument {
        try XMLReader.read(Array(text.utf8))
    }

    private static func failure(_ bytes: [UInt8]) -> String? {
        do {
            _ = try XMLReader.read(bytes)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func read_whenElementsArePrefixed_givesLocalNamesAndTheirNamespace() throws {
        let doc = try Self.read("""
            <?xml version="1.0"?><cap:alert xmlns:cap="urn:x"><cap:identifier a:b="1" xmlns:a="u">id</cap:identifier>
            <plain/></cap:alert>
            """)

        #expect(doc.root.name == "alert")
        #expect(doc.root.namespace == "urn:x")
        #expect(doc.root.value("identifier") == "id")
        #expect(doc.root.child("identifier")?.attribute("b") == "1")
        #expect(doc.root.child("plain")?.namespace == nil)
        #expect(doc.root.children.count == 2)
    }

    @Test func read_whenTextHasEntitiesCDATAAndReferences_replacesThem() throws {
        let doc = try Self.read("<a>x &lt;&amp;&gt; &quot;&apos; &#233;&#x20AC;<![CDATA[<b>&amp;]]></a>")

        #expect(doc.root.text == "x <&> \"' é€<b>&amp;")
    }

    @Test func read_whenDeclaredISO88591_transcodesToUTF8() throws {
        let bytes = Array("<?xml version='1.0' encoding='ISO-8859-1'?><a>".utf8) + [0xE9, 0x74, 0xE9]
            + Array("</a>".utf8)

        let doc = try XMLReader.read(bytes)

        #expect(doc.root.text == "été")
        #expect(doc.notes.isEmpty)
    }

    @Test func read_whenDeclaredUTF8ButBytesAreLatin1_readsThemAsLatin1WithANote() throws {
        let doc = try XMLReader.read(Array("<?xml version='1.0' encoding='utf-8'?><a>".utf8) + [0xE9]
                                     + Array("</a>".utf8))

        #expect(doc.root.text == "é")
        #expect(doc.notes.count == 1)
    }

    @Test func read_elementRange_coversStartToEndTag() throws {
        let doc = try Self.read("<feed><entry id=\"1\"><t>x</t></entry><entry/></feed>")
        let entries = doc.root.children("entry")

        #expect(String(decoding: doc.bytes(of: entries[0]), as: UTF8.self) == "<entry id=\"1\"><t>x</t></entry>")
        #expect(String(decoding: doc.bytes(of: entries[1]), as: UTF8.self) == "<entry/>")
    }

    @Test(arguments: [
        ("<a>\n<b></a>", "line 2: closing tag </a> does not match <b> opened on line 2"),
        ("<a></a>junk", "line 1: content after the root element"),
        ("<a>&nbsp;</a>", "line 1: unknown entity &nbsp;"),
        ("<!DOCTYPE a [<!ENTITY x \"y\">]><a/>", "line 1: a DTD internal subset is not read"),
        ("<a b=\"1\" b=\"2\"/>", "line 1: attribute b is given twice"),
        ("<a b=1/>", "line 1: the value of attribute b is not quoted"),
        ("<a><b>", "line 1: the document ends inside <b>"),
        ("<?xml version='1.0' encoding='Shift_JIS'?><a/>", "line 1: encoding \"shift_jis\" is not read"),
        ("", "the document has no root element"),
    ])
    func read_whenNotWellFormed_refusesWithOneLine(text: String, reason: String) {
        let failure = Self.failure(Array(text.utf8))

        #expect(failure?.hasPrefix(reason) == true, "\(failure ?? "accepted")")
        #expect(failure?.contains("\n") == false)
    }

    @Test func read_whenUTF16_refuses() {
        #expect(Self.failure([0xFF, 0xFE, 0x3C, 0x00]) != nil)
    }

    @Test func read_whenNestingIsTooDeep_refuses() {
        let depth = XMLReader.maximumDepth + 1
        let text = String(repeating: "<a>", count: depth) + String(repeating: "</a>", count: depth)

        #expect(Self.failure(Array(text.utf8))?.contains("nest deeper") == true)
    }
}
