// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
@testable import ORISBus

/// The closed vocabularies: words from DESIGN.md §1, OASIS CAP 1.2 and FIRST TLP 2.0.
@Suite struct VocabularyTests {
    @Test func init_whenWordDiffersOnlyInCase_findsTheCase() {
        #expect(Kind(word: "ALERT") == .alert)
        #expect(Kind(word: "Signal") == .signal)
        #expect(Tier(word: "GIP") == .gip)
        #expect(Stratum(word: "Operator") == .operator)
        #expect(Severity(word: "extreme") == .extreme)
        #expect(Severity(word: "SEVERE") == .severe)
        #expect(Urgency(word: "immediate") == .immediate)
        #expect(Certainty(word: "oBsErVeD") == .observed)
        #expect(TLP(word: "AMBER+STRICT") == .amberStrict)
        #expect(TLP(word: "Clear") == .clear)
        #expect(Posture(word: "REACTIVE") == .reactive)
    }

    @Test func init_whenWordIsNotInTheVocabulary_isNil() {
        #expect(Kind(word: "rumour") == nil)
        #expect(Kind(word: "") == nil)
        #expect(Kind(word: " alert") == nil)
        #expect(Tier(word: "regional") == nil)
        #expect(Severity(word: "Catastrophic") == nil)
        #expect(Urgency(word: "Now") == nil)
        #expect(Certainty(word: "Sure") == nil)
        #expect(TLP(word: "white") == nil)       // TLP 1.0's word, replaced by clear in 2.0
        #expect(TLP(word: "amber-strict") == nil)
        #expect(Posture(word: "passive") == nil)
    }

    @Test func word_isTheSpellingOnTheWire() {
        #expect(Kind.allCases.map(\.word) == ["signal", "alert", "diagnostic", "decision", "tasking",
                                                 "reminder"])
        #expect(Tier.allCases.map(\.word) == ["capteur", "axis", "gip", "crps", "national", "test",
                                                 "archive"])
        #expect(Severity.allCases.map(\.word) == ["Unknown", "Minor", "Moderate", "Severe", "Extreme"])
        #expect(Urgency.allCases.map(\.word) == ["Immediate", "Expected", "Future", "Past", "Unknown"])
        #expect(Certainty.allCases.map(\.word) == ["Observed", "Likely", "Possible", "Unlikely", "Unknown"])
        #expect(TLP.allCases.map(\.word) == ["red", "amber+strict", "amber", "green", "clear"])
        #expect(Posture.allCases.map(\.word) == ["prospective", "proactive", "reactive"])
    }

    @Test func rank_followsTheOrderOfTheTiers() {
        #expect(Tier.allCases.map(\.rank) == Array(0..<Tier.allCases.count))
    }

    @Test func isFieldOrDiagnostic_holdsForSignalsAlertsAndDiagnosticsOnly() {
        #expect(Kind.allCases.filter(\.isFieldOrDiagnostic) == [.signal, .alert, .diagnostic])
    }

    /// The words written as sent are found by the raw value, the others by the folded search:
    /// both must give what the folded search alone gives, for every spelling.
    @Test func init_agreesWithTheFoldedSearch_forEverySpelling() {
        func agrees<W: Vocabulary>(_: W.Type) -> Bool {
            W.allCases.allSatisfy { word in
                let text = word.word
                let spellings = [text, text.uppercased(), text.lowercased(), text.capitalized, text + " ", " " + text,
                                 String(text.dropLast()), text.replacingOccurrences(of: "k", with: "\u{212A}"), ""]
                return spellings.allSatisfy { W(word: $0) == W.matching($0) }
            }
        }
        #expect(agrees(Kind.self))
        #expect(agrees(Tier.self))
        #expect(agrees(Stratum.self))
        #expect(agrees(TLP.self))
        #expect(agrees(Posture.self))
        #expect(agrees(ItemStatus.self))
        #expect(agrees(MessageType.self))
        #expect(agrees(SecurityMode.self))
        #expect(Kind(word: "signal") == .signal && Kind(word: "sIgNaL") == .signal)
    }

    @Test func init_ofEveryWord_givesBackItsCase() {
        #expect(Kind.allCases.allSatisfy { Kind(word: $0.word) == $0 })
        #expect(Severity.allCases.allSatisfy { Severity(word: $0.word) == $0 })
        #expect(TLP.allCases.allSatisfy { TLP(word: $0.word) == $0 })
        #expect(Stratum.allCases.allSatisfy { Stratum(word: $0.word) == $0 })
    }

    @Test func severity_ordersFromUnknownToExtreme() {
        #expect(Severity.unknown < .minor)
        #expect(Severity.minor < .moderate)
        #expect(Severity.moderate < .severe)
        #expect(Severity.severe < .extreme)
        #expect(Severity.extreme > .unknown)
        #expect([Severity.extreme, .unknown, .severe, .minor, .moderate].sorted()
                == [.unknown, .minor, .moderate, .severe, .extreme])
    }

    @Test func wordList_joinsEveryWordWithCommas() {
        #expect(Kind.wordList == "signal, alert, diagnostic, decision, tasking, reminder")
        #expect(Posture.wordList == "prospective, proactive, reactive")
    }

    @Test func equalIgnoringCase_foldsASCIILettersOnly_atEveryPlace() {
        #expect(ASCII.equalIgnoringCase("", ""))
        #expect(ASCII.equalIgnoringCase("AMBER+STRICT", "amber+strict"))
        #expect(ASCII.equalIgnoringCase("A Title Longer Than Fifteen Bytes", "a title longer than fifteen bytes"))
        // Only A–Z fold: '@' and '`', '[' and '{' are 0x20 apart too; É and é are not ASCII.
        #expect(!ASCII.equalIgnoringCase("@", "`"))
        #expect(!ASCII.equalIgnoringCase("[", "{"))
        #expect(!ASCII.equalIgnoringCase("É", "é"))
        // The Kelvin sign is three bytes, not a k.
        #expect(!ASCII.equalIgnoringCase("\u{212A}elvin", "kelvin"))
        #expect(!ASCII.equalIgnoringCase("alert", "alerts"))
        // One byte differs, at each place of short and long strings.
        for text in ["signal", "a title longer than fifteen bytes"] {
            let bytes = Array(text.utf8)
            for place in bytes.indices {
                var changed = bytes
                changed[place] = UInt8(ascii: "!")
                #expect(!ASCII.equalIgnoringCase(text, String(decoding: changed, as: UTF8.self)), "place \(place)")
            }
        }
    }
}
