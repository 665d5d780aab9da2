// SPDX-License-Identifier: Apache-2.0
import Testing
@testable import ORISBus

/// NAK codes are a wire contract: each word is written out here by hand and must never change.
@Suite struct NAKCodeTests {
    @Test func word_isTheStableSpellingOfEachCode() {
        let expected: [NAKCode: String] = [
            .badFrames: "bad-frames", .badProtocol: "bad-protocol", .badCommand: "bad-command",
            .badJSON: "bad-json", .notObject: "not-object", .badVersion: "bad-version", .badUTF8: "bad-utf8",
            .nulByte: "nul-byte", .missingKind: "missing-kind", .unknownKind: "unknown-kind",
            .missingTheme: "missing-theme", .unknownTheme: "unknown-theme", .unknownAxis: "unknown-axis",
            .badSeverity: "bad-severity",
            .badUrgency: "bad-urgency", .badCertainty: "bad-certainty", .badTLP: "bad-tlp",
            .badPosture: "bad-posture", .badTitle: "bad-title", .badID: "bad-id", .badTime: "bad-time",
            .badField: "bad-field", .headerTooLarge: "header-too-large", .bodyTooLarge: "body-too-large",
            .unknownMember: "unknown-member", .forbidden: "forbidden", .internal: "internal",
            .storageFull: "storage-full", .badRequest: "bad-request", .idInUse: "id-in-use",
            .overQuota: "over-quota", .conflict: "conflict", .notFound: "not-found",
        ]

        #expect(Set(NAKCode.allCases) == Set(expected.keys))
        for code in NAKCode.allCases {
            #expect(code.word == expected[code], "\(code)")
        }
    }

    @Test func words_areUniqueLowerCaseWithDashes() {
        let words = NAKCode.allCases.map(\.word)

        #expect(Set(words).count == words.count)
        #expect(words.allSatisfy { Identifier.isValid($0) })
    }

    @Test func rejection_describesItselfStartingWithTheCode() {
        let rejection = Rejection(.badTitle, "the title is empty", id: "item-1")

        #expect(rejection.description.hasPrefix("bad-title"))
        #expect(rejection.id == "item-1")
    }
}
