// SPDX-License-Identifier: Apache-2.0
import Testing
@testable import ORISBus

/// CAP alerts read leniently, and the item each becomes.
@Suite struct CAPAlertTests {
    private static let mapping: ImportMapping = {
        var mapping = ImportMapping(defaultTheme: "veille")
        mapping.rules = [.init(test: .capCategory("geo"), theme: "seismes")]
        return mapping
    }()

    private static func alert(_ inside: String, root: String = "alert") -> [UInt8] {
        Array("<\(root) xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">\(inside)</\(root)>".utf8)
    }

    private static let head = "<identifier>A-1</identifier><sender>s@example.invalid</sender>"
        + "<sent>2026-12-04T08:00:00+01:00</sent><status>Actual</status><msgType>Alert</msgType>"

    @Test func read_whenElementsAreOutOfOrderAndPrefixed_readsEveryField() throws {
        let bytes = Array("""
            <c:alert xmlns:c="urn:oasis:names:tc:emergency:cap:1.1"><c:msgType>Update</c:msgType>
            <c:info><c:severity>Minor</c:severity><c:category>Met</c:category><c:language>fr-FR</c:language>
            <c:area><c:areaDesc>Doubs</c:areaDesc></c:area></c:info>
            <c:info><c:language>en-GB</c:language><c:category>Geo</c:category><c:severity>Severe</c:severity>
            <c:urgency>Immediate</c:urgency><c:headline>Quake</c:headline></c:info>
            <c:references>s@example.invalid,A-0,2026-12-04T07:00:00+01:00</c:references>
            <c:status>Test</c:status><c:sent>2026-12-04T08:00:00+01:00</c:sent><c:sender>s@example.invalid</c:sender>
            <c:identifier>A-1</c:identifier></c:alert>
            """.utf8)

        let alert = try CAPAlert.read(bytes)
        let item = try alert.item(mapping: Self.mapping, body: bytes, source: "f")

        #expect(alert.version == "1.1")
        #expect(alert.status == .test && alert.messageType == .update)
        #expect(alert.infos.map(\.language) == ["fr-FR", "en-GB"])
        #expect(alert.leadingInfo?.severity == .severe)
        #expect(item.header["severity"] == .string("Severe"))
        #expect(item.header["urgency"] == .string("Immediate"))
        #expect(item.header["title"] == .string("Quake"))
        #expect(item.header["theme"] == .string("seismes"))
        #expect(item.header["status"] == .string("Test"))
        #expect(item.header["areas"] == .array([.string("Doubs")]))
        #expect(item.header["references"] == .array([.string(StableID.cap(
            sender: "s@example.invalid", identifier: "A-0", sent: "2026-12-04T07:00:00+01:00"))]))
        #expect(item.body == bytes)
    }

    @Test func read_whenWrappedInAnEnvelope_findsTheAlert() throws {
        let wrapped = "<EDXLDistribution xmlns=\"urn:oasis:names:tc:emergency:EDXL:DE:1.0\"><contentObject>"
            + "<xmlContent><embeddedXMLContent>\(String(decoding: Self.alert(Self.head), as: UTF8.self))"
            + "</embeddedXMLContent></xmlContent></contentObject></EDXLDistribution>"

        let alert = try CAPAlert.read(Array(wrapped.utf8))

        #expect(alert.identifier == "A-1")
        #expect(alert.itemID == StableID.cap(sender: "s@example.invalid", identifier: "A-1",
                                             sent: "2026-12-04T08:00:00+01:00"))
    }

    @Test(arguments: [
        ("<identifier>A</identifier>", "the alert has no <sender>"),
        (head.replacingOccurrences("Actual", "Real"), "<status> \"Real\" is not one of"),
        (head.replacingOccurrences("2026-12-04T08:00:00+01:00", "yesterday"), "<sent> \"yesterday\""),
        (head + "<references>only-two,parts</references>", "<references> entry \"only-two,parts\""),
        (head + "<info><severity>Huge</severity></info>", "<severity> \"Huge\" is not one of"),
    ])
    func read_whenARequiredPartIsWrong_saysWhich(inside: String, reason: String) {
        #expect(throws: IngestError.self) { try CAPAlert.read(Self.alert(inside)) }
        do {
            _ = try CAPAlert.read(Self.alert(inside))
        } catch {
            #expect(error.description.hasPrefix(reason), "\(error)")
        }
    }

    @Test func item_whenNoRuleMatchesAndNoDefault_isRefused() {
        #expect(throws: IngestError.self) {
            try CAPAlert.read(Self.alert(Self.head)).item(mapping: ImportMapping(), body: [], source: "f")
        }
    }

    @Test(.enabled(if: RealData.isPresent, RealData.absent))
    func read_everyRealFile_givesTheIdentifierAndMsgTypeItsXMLStates() throws {
        let files = RealData.files("cap", endings: [".xml"])
        try #require(!files.isEmpty)
        for file in files {
            let text = RealData.text(file)
            let identifier = RealData.matches("<(?:[A-Za-z]+:)?identifier>\\s*([^<]*?)\\s*<", in: text).first
            let msgType = RealData.matches("<(?:[A-Za-z]+:)?msgType>\\s*([A-Za-z]+)", in: text).first
            let infos = RealData.matches("(<(?:[A-Za-z]+:)?info>)", in: text).count

            let alert = try CAPAlert.read(RealData.bytes(file))

            #expect(alert.identifier == identifier, "\(file)")
            #expect(alert.messageType.word == msgType, "\(file)")
            #expect(alert.infos.count == infos, "\(file)")
        }
    }
}

extension String {
    fileprivate func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        self.split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
