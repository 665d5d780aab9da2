// SPDX-License-Identifier: Apache-2.0
import Foundation
import ORISBus
import Testing

/// What the README shows and states, held to the code and to itself: the rules below are
/// written by hand from the README's own Quick start and from the read and configuration rules.
@Suite("README")
struct ReadmeTests {
    static func readme() throws -> String {
        let bytes = try #require(FileManager.default.contents(atPath: Binaries.packageRoot + "/README.md"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The README's prose as sentences: lines joined, then cut after each full stop.
    static func sentences(_ text: String) -> [String] {
        text.split(separator: "\n").joined(separator: " ").components(separatedBy: ". ")
    }

    /// The commands of the README's ```sh blocks: in a block with `$ ` prompts, the prompted
    /// lines (output lines are not commands); in a block without, every line but comments.
    static func shellCommands(_ text: String) -> [String] {
        var blocks: [[String]] = []
        var current: [String]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if current == nil, line.hasPrefix("```sh") {
                current = []
            } else if current != nil, line.hasPrefix("```") {
                blocks.append(current!)
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks.flatMap { block -> [String] in
            let prompted = block.contains { $0.hasPrefix("$ ") }
            return block.filter { prompted ? $0.hasPrefix("$ ") : !$0.hasPrefix("#") }
        }
    }

    /// Quick start builds orisctl as `.build/release/orisctl` and puts nothing on PATH, so every
    /// example runs it by that path.
    @Test func shellExamples_runOrisctlByItsPathInTheBuildFolder() throws {
        let commands = Self.shellCommands(try Self.readme())

        #expect(commands.count > 10)
        for command in commands {
            let words = command.split { " \t;|&()".contains($0) }
            #expect(!words.contains("orisctl"), "bare orisctl in: \(command)")
        }
    }

    /// The embedded default syncs `always`; wherever the README names the daemon's default
    /// fsync policy, it says `always`.
    @Test func fsyncDefault_isAlwaysWhereverTheREADMENamesIt() throws {
        let text = try Self.readme().split(separator: "\n").joined(separator: " ")
        let clauses = text.split { ".;()".contains($0) }.filter {
            $0.contains("fsync") && $0.contains("daemon's") && $0.contains("default")
        }

        #expect(text.contains("| `journal.fsync` | `always` |"))
        #expect(ConfigurationLoader.defaultText.contains(#""fsync": "always""#))
        #expect(!clauses.isEmpty)
        for clause in clauses {
            #expect(clause.contains("`always`"), "\(clause)")
        }
    }

    /// A GIP member reads the `gip`, `test` and `archive` tiers of its themes: whatever says that
    /// a stratum reads its own tier says so too.
    @Test func ownTierStatements_nameTheGIPsTestAndArchiveTiers() throws {
        let text = try Self.readme()
        let help = try runCommand(Binaries.orisctl, ["subscribe", "--help"])

        #expect(ReadPolicy.tiers(of: .gip) == [.gip, .test, .archive])
        #expect(!text.contains("exactly its own tier"))
        let statements = (Self.sentences(text) + Self.sentences(help.stdout)).filter {
            $0.contains("own tier") || $0.contains("own stratum's tier")
        }
        #expect(statements.count >= 4)
        for sentence in statements {
            #expect(sentence.contains("test") && sentence.contains("archive"), "\(sentence)")
        }
    }
}
