// SPDX-License-Identifier: Apache-2.0
import Testing
@testable import ORISBus

/// "Did you mean" hints.
@Suite struct SuggestionTests {
    @Test func distance_countsInsertionsDeletionsAndSubstitutions() {
        #expect(Suggestion.distance("", "") == 0)
        #expect(Suggestion.distance("", "abc") == 3)
        #expect(Suggestion.distance("abc", "") == 3)
        #expect(Suggestion.distance("title", "title") == 0)
        #expect(Suggestion.distance("titel", "title") == 2)
        #expect(Suggestion.distance("kitten", "sitting") == 3)
        #expect(Suggestion.distance("severty", "severity") == 1)
    }

    @Test func closest_whenACandidateIsNear_returnsTheNearestOne() {
        let candidates = ["kind", "theme", "title", "tags"]

        #expect(Suggestion.closest(to: "titel", among: candidates) == "title")
        #expect(Suggestion.closest(to: "thme", among: candidates) == "theme")
    }

    @Test func closest_whenNothingIsNear_returnsNil() {
        #expect(Suggestion.closest(to: "completely-different", among: ["kind", "theme"]) == nil)
    }

    @Test func closest_whenTwoCandidatesTie_picksTheFirstInSortedOrder() {
        #expect(Suggestion.closest(to: "bat", among: ["cat", "bar"]) == "bar")
    }
}
