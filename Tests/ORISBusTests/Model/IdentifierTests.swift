// SPDX-License-Identifier: Apache-2.0
import Testing
@testable import ORISBus

/// Names of tenants, themes and members, and item ids.
@Suite struct IdentifierTests {
    static let validNames: [String] = [
        "bfc", "auto-rang3", "a", "0", "9a", "machine-speciale", "bfc-", "a--b",
        String(repeating: "x", count: 48),
    ]

    @Test(arguments: validNames)
    func isValid_whenNameIsLowerCaseAlphanumericWithDashes_isTrue(name: String) {
        #expect(Identifier.isValid(name))
    }

    static let invalidNames: [String] = [
        "", "-bfc", "Bfc", "BFC", "b/c", "b_c", "b.c", "b c", " bfc", "bfc ", "é", "bfc\n",
        "b\u{0}c", String(repeating: "x", count: 49),
    ]

    @Test(arguments: invalidNames)
    func isValid_whenNameBreaksTheRule_isFalse(name: String) {
        #expect(Identifier.isValid(name) == false)
    }

    static let validItemIDs: [String] = [
        "01JEXAMPLE0000000000000000", "a", "a-b.c:d~e", "A_B+C=D!?#", String(repeating: "z", count: 128),
    ]

    @Test(arguments: validItemIDs)
    func isValidItemID_whenIDIsPrintableASCIIWithoutSeparators_isTrue(id: String) {
        #expect(Identifier.isValidItemID(id))
    }

    static let invalidItemIDs: [String] = [
        "", "a b", "a\"b", "a\\b", "a,b", "a/b", "é", "a\tb", "a\u{7F}b", "a\u{0}b",
        String(repeating: "z", count: 129),
    ]

    @Test(arguments: invalidItemIDs)
    func isValidItemID_whenIDHasAForbiddenCharacterOrLength_isFalse(id: String) {
        #expect(Identifier.isValidItemID(id) == false)
    }
}
