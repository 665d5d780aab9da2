// SPDX-License-Identifier: Apache-2.0
import Testing
@testable import ORISBus

/// The publisher's header, one NAK code at a time. Tests assert codes, never sentences.
@Suite struct HeaderReaderTests {
    /// The smallest header that passes, written as JSON members so each test can add or swap one.
    private static let base: [(String, String)] = [
        ("v", "1"),
        ("kind", "\"signal\""),
        ("theme", "\"auto-rang3\""),
        ("title", "\"Supplier closes a plant\""),
    ]

    /// A header document from `base`, with `changes` replacing or adding members and `removing`
    /// taking some away. Values are raw JSON text.
    private static func header(_ changes: [(String, String)] = [], removing: [String] = []) -> String {
        var members = base.filter { !removing.contains($0.0) }
        for (key, value) in changes {
            if let index = members.firstIndex(where: { $0.0 == key }) {
                members[index].1 = value
            } else {
                members.append((key, value))
            }
        }
        return "{" + members.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }

    private static func read(_ text: String, limits: ItemLimits = ItemLimits()) throws(Rejection) -> ItemHeader {
        try read(Array(text.utf8), limits: limits)
    }

    private static func read(_ bytes: [UInt8], limits: ItemLimits = ItemLimits()) throws(Rejection) -> ItemHeader {
        try HeaderReader(limits: limits).read(bytes) { "generated-id" }
    }

    /// The code a header is refused with, or nil when it is accepted.
    private static func code(_ text: String, limits: ItemLimits = ItemLimits()) -> NAKCode? {
        code(Array(text.utf8), limits: limits)
    }

    private static func code(_ bytes: [UInt8], limits: ItemLimits = ItemLimits()) -> NAKCode? {
        do {
            _ = try read(bytes, limits: limits)
            return nil
        } catch {
            return error.code
        }
    }

    private static func quoted(_ text: String) -> String { "\"\(text)\"" }

    // MARK: - Accepted headers

    @Test func read_whenHeaderIsMinimal_acceptsItWithTheDefaults() throws {
        let header = try Self.read(Self.header())

        #expect(header.id == "generated-id")
        #expect(header.kind == .signal)
        #expect(header.theme == "auto-rang3")
        #expect(header.title == "Supplier closes a plant")
        #expect(header.severity == .unknown)
        #expect(header.urgency == .unknown)
        #expect(header.certainty == .unknown)
        #expect(header.tlp == .amber)
        #expect(header.contentType == "text/plain")
        #expect(header.posture == nil)
        #expect(header.tags.isEmpty)
        #expect(header.references.isEmpty)
        #expect(header.axis == nil)
        #expect(header.sent == nil)
        #expect(header.extensions.isEmpty)
    }

    @Test func read_whenEveryPublisherFieldIsSet_keepsEachValue() throws {
        let text = Self.header([
            ("id", "\"item-42\""),
            ("kind", "\"ALERT\""),
            ("severity", "\"severe\""),
            ("urgency", "\"Immediate\""),
            ("certainty", "\"Likely\""),
            ("tlp", "\"amber+strict\""),
            ("posture", "\"reactive\""),
            ("tags", "[\"supply\",\"doubs\"]"),
            ("axis", "\"axe-1\""),
            ("references", "[\"item-1\",\"item-2\"]"),
            ("sent", "\"2026-12-04T17:30:00+01:00\""),
            ("content_type", "\"application/cap+xml\""),
        ])

        let header = try Self.read(text)

        #expect(header.id == "item-42")
        #expect(header.kind == .alert)
        #expect(header.severity == .severe)
        #expect(header.urgency == .immediate)
        #expect(header.certainty == .likely)
        #expect(header.tlp == .amberStrict)
        #expect(header.posture == .reactive)
        #expect(header.tags == ["supply", "doubs"])
        #expect(header.axis == "axe-1")
        #expect(header.references == ["item-1", "item-2"])
        #expect(header.sent == "2026-12-04T17:30:00+01:00")
        #expect(header.contentType == "application/cap+xml")
    }

    @Test func read_whenVersionIsAbsent_acceptsTheHeader() throws {
        #expect(Self.code(Self.header(removing: ["v"])) == nil)
    }

    @Test func read_whenClientSetsStampedFields_dropsThem() throws {
        let text = Self.header([
            ("sender", "\"crps-bfc\""), ("tenant", "\"ara\""), ("received", "\"2020-01-01T00:00:00Z\""),
            ("tier", "\"crps\""), ("seq", "99"), ("reason", "\"because\""), ("origin", "\"ara\""),
            ("path", "[\"national\"]"),
        ])

        let header = try Self.read(text)

        #expect(header.sender == nil)
        #expect(header.tenant == nil)
        #expect(header.received == nil)
        #expect(header.tier == nil)
        #expect(header.seq == nil)
        #expect(header.reason == nil)
        #expect(header.origin == nil)
        let written = header.jsonObject
        for field in ["sender", "tenant", "received", "tier", "seq", "reason", "origin", "path"] {
            #expect(written[field] == nil, "\(field) survived")
        }
    }

    @Test func read_whenHeaderHasExtensionFields_carriesThemInOrder() throws {
        let text = Self.header([
            ("x-source", "\"rss\""),
            ("x-score", "{\"value\":0.75,\"tags\":[1,\"two\"]}"),
        ])

        let header = try Self.read(text)

        #expect(header.extensions.map(\.0) == ["x-source", "x-score"])
        #expect(header.extensions.first?.1 == .string("rss"))
        let score = JSONObject([("value", .double(0.75)), ("tags", .array([.int(1), .string("two")]))])
        #expect(header.extensions.last?.1 == .object(score))
        #expect(header.jsonObject["x-score"] == .object(score))
    }

    @Test func read_whenTitleIsExactlyTheLimit_acceptsIt() {
        let title = String(repeating: "t", count: 200)

        #expect(Self.code(Self.header([("title", Self.quoted(title))])) == nil)
    }

    @Test func read_whenTitleIsNonASCII_countsCharactersNotBytes() {
        // 200 characters of two bytes each: 400 bytes, still within 200 characters.
        let title = String(repeating: "é", count: 200)

        #expect(Self.code(Self.header([("title", Self.quoted(title))])) == nil)
    }

    @Test func read_whenIDIsAbsent_usesTheMadeID() throws {
        var asked = 0

        let header = try HeaderReader().read(Array(Self.header().utf8)) {
            asked += 1
            return "made-here"
        }

        #expect(header.id == "made-here")
        #expect(asked == 1)
    }

    @Test func read_whenIDIsGiven_neverAsksForOne() throws {
        var asked = 0

        let header = try HeaderReader().read(Array(Self.header([("id", "\"mine\"")]).utf8)) {
            asked += 1
            return "made-here"
        }

        #expect(header.id == "mine")
        #expect(asked == 0)
    }

    @Test func read_whenVersionIsOneWrittenAsADecimal_rejectsWithBadVersion() {
        // PROTOCOL.md §6: `v` is the integer 1; a decimal could hide 1.0000000000000001.
        #expect(Self.code(Self.header([("v", "1.0")])) == .badVersion)
    }

    // MARK: - Refusals, in the order the reader checks

    @Test func read_whenHeaderIsLargerThanTheLimit_rejectsWithHeaderTooLarge() {
        let document = Self.header()
        let padding = String(repeating: " ", count: 16 * 1024 - document.utf8.count)

        #expect(Self.code(document + padding) == nil)
        #expect(Self.code(document + padding + " ") == .headerTooLarge)
    }

    @Test func read_whenHeaderIsLargerThanACustomLimit_rejectsWithHeaderTooLarge() {
        var limits = ItemLimits()
        limits.maximumHeaderBytes = 100
        let document = Self.header([("x-pad", Self.quoted(String(repeating: "p", count: 100)))])

        #expect(Self.code(document, limits: limits) == .headerTooLarge)
    }

    @Test func read_whenHeaderIsNotUTF8_rejectsWithBadUTF8() {
        var bytes = Array(Self.header().utf8)
        let titleStart = bytes.firstIndex(of: UInt8(ascii: "S"))!  // inside the title
        bytes.replaceSubrange(titleStart..<titleStart + 1, with: [0xC0, 0x80])

        #expect(Self.code(bytes) == .badUTF8)
    }

    @Test func read_whenHeaderHasASurrogateEncodedAsBytes_rejectsWithBadUTF8() {
        var bytes = Array(Self.header().utf8)
        let titleStart = bytes.firstIndex(of: UInt8(ascii: "S"))!
        bytes.insert(contentsOf: [0xED, 0xA0, 0x80], at: titleStart)

        #expect(Self.code(bytes) == .badUTF8)
    }

    @Test func read_whenHeaderHasARawNULByte_rejectsWithNulByte() {
        var bytes = Array(Self.header().utf8)
        let titleStart = bytes.firstIndex(of: UInt8(ascii: "S"))!
        bytes.insert(0, at: titleStart)

        #expect(Self.code(bytes) == .nulByte)
    }

    @Test func read_whenTitleHasAnEscapedNUL_rejectsWithNulByte() {
        #expect(Self.code(Self.header([("title", "\"before\\u0000after\"")])) == .nulByte)
    }

    @Test func read_whenANestedExtensionHasAnEscapedNUL_rejectsWithNulByte() {
        #expect(Self.code(Self.header([("x-meta", "{\"list\":[\"ok\",\"bad\\u0000\"]}")])) == .nulByte)
    }

    @Test func read_whenAKeyHasAnEscapedNUL_rejectsWithNulByte() {
        #expect(Self.code(Self.header([("x-k\\u0000ey", "1")])) == .nulByte)
    }

    @Test func read_whenATagHasAnEscapedNUL_rejectsWithNulByte() {
        #expect(Self.code(Self.header([("tags", "[\"a\\u0000\"]")])) == .nulByte)
    }

    static let badJSON: [String] = [
        "",
        "{",
        "{\"kind\":}",
        "{\"kind\":\"signal\",}",
        "{\"kind\":\"signal\",\"kind\":\"alert\",\"theme\":\"t\",\"title\":\"x\"}",
        "{'kind':'signal'}",
        "{\"title\":\"lone \\ud800\"}",
        String(repeating: "[", count: 40) + String(repeating: "]", count: 40),
    ]

    @Test(arguments: badJSON)
    func read_whenHeaderIsNotJSON_rejectsWithBadJSON(text: String) {
        #expect(Self.code(text) == .badJSON)
    }

    static let notObjects: [String] = ["[]", "[{\"kind\":\"signal\"}]", "\"signal\"", "42", "null", "true"]

    @Test(arguments: notObjects)
    func read_whenHeaderIsNotAnObject_rejectsWithNotObject(text: String) {
        #expect(Self.code(text) == .notObject)
    }

    static let badVersions: [String] = ["2", "0", "-1", "1.5", "\"1\"", "null", "true", "[1]"]

    @Test(arguments: badVersions)
    func read_whenVersionIsNotOne_rejectsWithBadVersion(version: String) {
        #expect(Self.code(Self.header([("v", version)])) == .badVersion)
    }

    @Test func read_whenKindIsMissing_rejectsWithMissingKind() {
        #expect(Self.code(Self.header(removing: ["kind"])) == .missingKind)
    }

    static let unknownKinds: [String] = ["\"rumour\"", "\"\"", "\"alerts\"", "3", "null", "[\"alert\"]"]

    @Test(arguments: unknownKinds)
    func read_whenKindIsNotAKnownWord_rejectsWithUnknownKind(kind: String) {
        #expect(Self.code(Self.header([("kind", kind)])) == .unknownKind)
    }

    @Test func read_whenThemeIsMissing_rejectsWithMissingTheme() {
        #expect(Self.code(Self.header(removing: ["theme"])) == .missingTheme)
    }

    static let nonIdentifierThemes: [String] = [
        "\"Auto-Rang3\"", "\"auto rang3\"", "\"bfc/auto-rang3\"", "\"\"", "\"-auto\"", "7", "null",
        Self.quoted(String(repeating: "a", count: 49)),
    ]

    @Test(arguments: nonIdentifierThemes)
    func read_whenThemeIsNotAnIdentifier_rejectsWithUnknownTheme(theme: String) {
        #expect(Self.code(Self.header([("theme", theme)])) == .unknownTheme)
    }

    @Test func read_whenTitleIsMissing_rejectsWithBadTitle() {
        #expect(Self.code(Self.header(removing: ["title"])) == .badTitle)
    }

    @Test func read_whenTitleIsEmpty_rejectsWithBadTitle() {
        #expect(Self.code(Self.header([("title", "\"\"")])) == .badTitle)
    }

    @Test func read_whenTitleIsOnlyWhitespace_rejectsWithBadTitle() {
        #expect(Self.code(Self.header([("title", "\"   \"")])) == .badTitle)
        #expect(Self.code(Self.header([("title", "\" \\t\\n\\r \"")])) == .badTitle)
        #expect(Self.code(Self.header([("title", "\"\\u00a0\\u2003\"")])) == .badTitle)
    }

    @Test func read_whenTitleIsOneCharacterTooLong_rejectsWithBadTitle() {
        let title = String(repeating: "t", count: 201)

        #expect(Self.code(Self.header([("title", Self.quoted(title))])) == .badTitle)
    }

    @Test func read_whenTitleIsLongerThanACustomLimit_rejectsWithBadTitle() {
        var limits = ItemLimits()
        limits.maximumTitleLength = 5

        #expect(Self.code(Self.header([("title", "\"12345\"")]), limits: limits) == nil)
        #expect(Self.code(Self.header([("title", "\"123456\"")]), limits: limits) == .badTitle)
    }

    @Test func read_whenTitleIsNotAString_rejectsWithBadTitle() {
        #expect(Self.code(Self.header([("title", "42")])) == .badTitle)
        #expect(Self.code(Self.header([("title", "null")])) == .badTitle)
    }

    static let badIDs: [String] = [
        "\"\"", "\"has space\"", "\"has/slash\"", "\"has,comma\"", "\"has\\\"quote\"", "\"has\\\\backslash\"",
        "\"caf\u{E9}\"", "\"tab\\there\"", "42", "null",
        Self.quoted(String(repeating: "i", count: 129)),
        // `~` marks the daemon's own ids (escalations, reminders): a publisher may not take one.
        "\"01M9ABC~crps\"", "\"0123456789abcdef0123456789abcdef~reminder\"",
    ]

    @Test func read_referencesMayNameTheDaemonsOwnIDs() throws {
        let header = try Self.read(Self.header([("references", "[\"01M9ABC~crps\"]")]))
        #expect(header.references == ["01M9ABC~crps"])
    }

    @Test(arguments: badIDs)
    func read_whenIDIsNotAValidItemID_rejectsWithBadID(id: String) {
        #expect(Self.code(Self.header([("id", id)])) == .badID)
    }

    @Test func read_whenSeverityIsNotOnTheCAPScale_rejectsWithBadSeverity() {
        #expect(Self.code(Self.header([("severity", "\"Catastrophic\"")])) == .badSeverity)
        #expect(Self.code(Self.header([("severity", "4")])) == .badSeverity)
        #expect(Self.code(Self.header([("severity", "null")])) == .badSeverity)
    }

    @Test func read_whenUrgencyIsNotOnTheCAPScale_rejectsWithBadUrgency() {
        #expect(Self.code(Self.header([("urgency", "\"Now\"")])) == .badUrgency)
        #expect(Self.code(Self.header([("urgency", "1")])) == .badUrgency)
    }

    @Test func read_whenCertaintyIsNotOnTheCAPScale_rejectsWithBadCertainty() {
        #expect(Self.code(Self.header([("certainty", "\"Sure\"")])) == .badCertainty)
        #expect(Self.code(Self.header([("certainty", "true")])) == .badCertainty)
    }

    @Test func read_whenTLPIsNotATLP2Label_rejectsWithBadTLP() {
        #expect(Self.code(Self.header([("tlp", "\"white\"")])) == .badTLP)
        #expect(Self.code(Self.header([("tlp", "\"amber strict\"")])) == .badTLP)
        #expect(Self.code(Self.header([("tlp", "\"TLP:AMBER\"")])) == .badTLP)
        #expect(Self.code(Self.header([("tlp", "2")])) == .badTLP)
    }

    @Test func read_whenPostureIsNotKnown_rejectsWithBadPosture() {
        #expect(Self.code(Self.header([("posture", "\"passive\"")])) == .badPosture)
        #expect(Self.code(Self.header([("posture", "null")])) == .badPosture)
    }

    static let badTimes: [String] = [
        "\"yesterday\"", "\"2026-02-30T00:00:00Z\"", "\"2026-12-04T16:30:00\"", "\"2026-12-04\"", "1733329800",
        "null",
    ]

    @Test(arguments: badTimes)
    func read_whenSentIsNotRFC3339_rejectsWithBadTime(sent: String) {
        #expect(Self.code(Self.header([("sent", sent)])) == .badTime)
    }

    static let unknownFields: [String] = ["titel", "Title", "body", "x_custom", "X-custom", "sent_at", ""]

    @Test(arguments: unknownFields)
    func read_whenFieldIsUnknown_rejectsWithBadField(field: String) {
        #expect(Self.code(Self.header([(field, "\"value\"")])) == .badField)
    }

    static let wrongTypes: [(String, String)] = [
        ("tags", "\"supply\""),
        ("tags", "[\"ok\",3]"),
        ("tags", "[\"\"]"),
        ("tags", "[\"\(String(repeating: "g", count: 65))\"]"),
        ("tags", "[" + Array(repeating: "\"t\"", count: 33).joined(separator: ",") + "]"),
        ("references", "\"item-1\""),
        ("references", "[\"has space\"]"),
        ("references", "[null]"),
        ("axis", "5"),
        ("axis", "\"Axe 1\""),
        ("axis", "\"axe/1\""),
        ("content_type", "5"),
        ("content_type", "\"\""),
        ("content_type", "\"text/plain\\n\""),
        ("content_type", "\"\(String(repeating: "c", count: 129))\""),
    ]

    @Test(arguments: wrongTypes)
    func read_whenAFieldHasTheWrongTypeOrValue_rejectsWithBadField(field: String, value: String) {
        #expect(Self.code(Self.header([(field, value)])) == .badField)
    }

    @Test func read_whenListsAreAtTheirLimits_acceptsThem() {
        let tags = "[" + Array(repeating: "\"t\"", count: 32).joined(separator: ",") + "]"
        let longTag = "[\"\(String(repeating: "g", count: 64))\"]"

        #expect(Self.code(Self.header([("tags", tags)])) == nil)
        #expect(Self.code(Self.header([("tags", longTag)])) == nil)
    }

    // MARK: - What a refusal carries

    @Test func read_whenRefusingAHeaderWithAnID_carriesTheClaimedID() {
        do {
            _ = try Self.read(Self.header([("id", "\"item-7\""), ("severity", "\"Huge\"")]))
            Issue.record("the header was accepted")
        } catch {
            #expect(error.code == .badSeverity)
            #expect(error.id == "item-7")
        }
    }

    @Test func read_whenSeveralFieldsAreWrong_reportsTheFirstCheckedProblem() {
        let text = Self.header([("kind", "\"rumour\""), ("severity", "\"Huge\"")], removing: ["title"])

        #expect(Self.code(text) == .unknownKind)
    }
}
