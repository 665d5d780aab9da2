// SPDX-License-Identifier: Apache-2.0

/// Finds the closest known word to a mistyped one, for "did you mean" hints.
package enum Suggestion {
    /// The candidate within an edit distance of 2 (or a third of the word) closest to `word`.
    package static func closest<S: Sequence>(to word: String, among candidates: S) -> String?
    where S.Element == String {
        let limit = max(2, word.count / 3)
        var best: (String, Int)?
        for candidate in candidates.sorted() {
            let d = distance(word, candidate)
            if d <= limit && d < (best?.1 ?? Int.max) {
                best = (candidate, d)
            }
        }
        return best?.0
    }

    /// The Levenshtein distance between two strings, by characters.
    package static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
