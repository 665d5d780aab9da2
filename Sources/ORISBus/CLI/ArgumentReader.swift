// SPDX-License-Identifier: Apache-2.0

/// A usage error: what the command line got wrong, in one sentence (exit code 64).
package struct UsageError: Error, Sendable, Equatable, CustomStringConvertible {
    package let description: String

    package init(_ description: String) {
        self.description = description
    }
}

/// Reads a command line: `--name value`, `--name=value`, `--flag`, `-h`, and positional words.
///
/// Each option is declared by the reader's caller as it takes it; whatever is left at the end
/// is an error that quotes the word and suggests a close match.
package struct ArgumentReader {
    private var words: [String]
    private var known: Set<String> = ["--help", "-h"]

    package init(_ words: [String]) {
        self.words = words
    }

    /// Where options end: the index of `--`, or the end. Words after `--` are never options.
    private var optionsEnd: Int {
        self.words.firstIndex(of: "--") ?? self.words.endIndex
    }

    /// Whether `--help` or `-h` is present before `--` (removing it).
    package mutating func wantsHelp() -> Bool {
        var found = false
        var index = 0
        while index < self.optionsEnd {
            if self.words[index] == "--help" || self.words[index] == "-h" {
                self.words.remove(at: index)
                found = true
            } else {
                index += 1
            }
        }
        return found
    }

    /// Takes a flag; true when present (once or more) before `--`.
    package mutating func flag(_ name: String) -> Bool {
        self.known.insert(name)
        var found = false
        while let index = self.words[..<self.optionsEnd].firstIndex(of: name) {
            self.words.remove(at: index)
            found = true
        }
        return found
    }

    /// Takes the last value of an option, or nil when absent.
    ///
    /// - Throws: ``UsageError`` when the option has no value.
    package mutating func option(_ name: String) throws(UsageError) -> String? {
        try self.options(name).last
    }

    /// Takes every value of a repeatable option, in order.
    ///
    /// - Throws: ``UsageError`` when an occurrence has no value.
    package mutating func options(_ name: String) throws(UsageError) -> [String] {
        self.known.insert(name)
        var values = [String]()
        var index = 0
        while index < self.optionsEnd {
            let word = self.words[index]
            if word == name {
                let next = index + 1 < self.words.count ? self.words[index + 1] : nil
                guard let next, !next.hasPrefix("--") || next == "--" else {
                    throw UsageError("option '\(name)' needs a value")
                }
                values.append(self.words[index + 1])
                self.words.removeSubrange(index...(index + 1))
            } else if word.hasPrefix(name + "=") {
                values.append(String(word.dropFirst(name.count + 1)))
                self.words.remove(at: index)
            } else {
                index += 1
            }
        }
        return values
    }

    /// Takes an option as a whole number within a range.
    package mutating func integer(_ name: String, in range: ClosedRange<Int>) throws(UsageError) -> Int? {
        guard let text = try self.option(name) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw UsageError("option '\(name)' takes a whole number from \(range.lowerBound) to "
                             + "\(range.upperBound), not '\(text)'")
        }
        return value
    }

    /// Takes an option as a word of a vocabulary.
    package mutating func word<W: Vocabulary>(_ name: String, _ type: W.Type) throws(UsageError) -> W? {
        guard let text = try self.option(name) else { return nil }
        guard let value = W(word: text) else {
            let words = W.allCases.map(\.word)
            let hint = Suggestion.closest(to: text, among: words).map { "; did you mean '\($0)'?" } ?? ""
            throw UsageError("option '\(name)' takes one of \(W.wordList), not '\(text)'\(hint)")
        }
        return value
    }

    /// Takes the remaining positional words, refusing anything that looks like an unknown option.
    ///
    /// - Throws: ``UsageError`` quoting the unknown option, with a close match when there is one.
    package mutating func positionals() throws(UsageError) -> [String] {
        var out = [String]()
        var afterSeparator = false
        for word in self.words {
            if afterSeparator || word == "-" || !word.hasPrefix("-") {
                out.append(word)
            } else if word == "--" {
                afterSeparator = true
            } else {
                let bare = word.split(separator: "=", maxSplits: 1).first.map(String.init) ?? word
                let hint = Suggestion.closest(to: bare, among: self.known).map { "; did you mean '\($0)'?" } ?? ""
                throw UsageError("unknown option '\(word)'\(hint)")
            }
        }
        self.words = []
        return out
    }

    /// Refuses anything left over.
    package mutating func finish() throws(UsageError) {
        let rest = try self.positionals()
        if let first = rest.first {
            throw UsageError("unexpected argument '\(first)'")
        }
    }
}

/// Exit codes both executables use; `--help` and the README list them.
package enum ExitCode {
    package static let success: Int32 = 0
    package static let failure: Int32 = 1
    /// EX_USAGE: the command line is wrong.
    package static let usage: Int32 = 64
    /// EX_DATAERR: the daemon refused the request (a NAK).
    package static let refused: Int32 = 65
    /// EX_NOINPUT: an input file cannot be read.
    package static let noInput: Int32 = 66
    /// EX_NOPERM: the member may not do this (checked before asking the daemon).
    package static let notPermitted: Int32 = 77
    /// EX_CANTCREAT: an output file cannot be created.
    package static let cannotCreate: Int32 = 73
    /// EX_UNAVAILABLE: the daemon did not answer in time.
    package static let unavailable: Int32 = 69
    /// EX_CONFIG: the configuration is invalid.
    package static let config: Int32 = 78
}
