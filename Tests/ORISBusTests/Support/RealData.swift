// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing

/// Real public files nobody on the team wrote, kept beside the repository in
/// `../shared/data/real` (PROVENANCE.md there names each file's source and licence). They are
/// never copied into the repository; tests that read them are skipped when the folder is absent.
enum RealData {
    static var folder: String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.deletingLastPathComponent().path + "/shared/data/real"
    }

    static var isPresent: Bool {
        FileManager.default.fileExists(atPath: self.folder + "/PROVENANCE.md")
    }

    /// The reason shown when the folder is absent.
    static let absent: Comment = "../shared/data/real is absent: real-data tests skipped"

    /// Every file under a subfolder whose name ends with one of `endings`, sorted by path.
    static func files(_ subfolder: String, endings: [String]) -> [String] {
        let root = self.folder + "/" + subfolder
        let names = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []
        return names.filter { name in endings.contains { name.hasSuffix($0) } }.sorted().map { root + "/" + $0 }
    }

    static func bytes(_ path: String) -> [UInt8] {
        Array(FileManager.default.contents(atPath: path) ?? Data())
    }

    /// A file's text, read as ISO-8859-1 (every byte a character), which keeps every ASCII tag
    /// intact whatever the encoding: enough for the tests' own simple counts.
    static func text(_ path: String) -> String {
        String(self.bytes(path).map { Character(Unicode.Scalar($0)) })
    }

    /// The texts of every match of a regular expression's first group, in order.
    static func matches(_ pattern: String, in text: String) -> [String] {
        guard let regex = try? NSRegularExpression(pattern: pattern, options: [.dotMatchesLineSeparators]) else {
            return []
        }
        let ns = text as NSString
        return regex.matches(in: text, range: NSRange(location: 0, length: ns.length)).map {
            ns.substring(with: $0.range(at: 1))
        }
    }
}
