// SPDX-License-Identifier: Apache-2.0
import ORISBus

/// Publishes what an importer made, one member's connection per publisher, with a progress line
/// on long imports, one line per rejection and a summary at the end.
final class ImportRun {
    let common: CommonOptions
    let quiet: Bool
    private(set) var report = ImportReport()
    private var connections: [String: (Connection, ImportPublisher)] = [:]
    private var unreachable: [String: String] = [:]
    /// Publishers whose daemon stopped answering during the run, with the error that said so: the
    /// rest of their items are counted as rejected, not sent.
    private var silent: [String: String] = [:]
    private var done = 0
    private let total: Int

    init(common: CommonOptions, total: Int, quiet: Bool) {
        self.common = common
        self.total = total
        self.quiet = quiet
    }

    /// Counts a source that could not be read, and says so on one line.
    func reject(_ source: String, _ reason: String) {
        self.report.rejected.append((source, reason))
        Output.error("rejected \(source): \(reason)")
        self.step()
    }

    /// Publishes one item as its publisher (or as `--as`).
    ///
    /// - Returns: what became of it, or nil when its publisher cannot be reached (counted), or
    ///   its daemon stopped answering (counted as rejected).
    @discardableResult
    func publish(_ item: ImportItem) throws -> ImportPublisher.Outcome? {
        defer { self.step() }
        let key = item.publisher?.member ?? ""
        if let silence = self.silent[key] {
            self.report.rejected.append((item.source, "not sent: \(silence)"))
            return nil
        }
        guard let publisher = try self.publisher(for: item.publisher) else {
            return nil
        }
        let outcome: ImportPublisher.Outcome
        do {
            outcome = try publisher.publish(item)
        } catch {
            // No answer in time: this item may or may not be stored (importing again stores it
            // at most once, by its id). The connection is closed, the member's other items are
            // not sent, and the rest of the run goes on.
            self.connections[key]?.0.close()
            self.connections[key] = nil
            self.silent[key] = "the daemon stopped answering (\(error))"
            self.report.rejected.append((item.source, "\(error); it may or may not be stored"))
            Output.error("rejected \(item.source): \(error); it may or may not be stored (importing again "
                         + "stores it at most once); the items after it " + (key.isEmpty ? "" : "of \(key) ")
                         + "are not sent")
            return nil
        }
        self.report.record(outcome, source: item.source)
        if case .refused(let code, let message) = outcome {
            Output.error("rejected \(item.source): NAK \(code): \(message)")
        }
        return outcome
    }

    /// The tenant a publisher's member belongs to, or nil when the daemon does not know it.
    func tenant(of publisher: ImportMapping.Publisher?) throws -> String? {
        try self.publisher(for: publisher)?.tenant
    }

    /// Prints the summary and closes every connection; the exit code says whether all went in.
    func finish() -> Int32 {
        // No member could reach the daemon: it is most likely not there (a member it refuses
        // looks the same), which a script must not take for success.
        let nobody = self.connections.isEmpty && !self.unreachable.isEmpty
        for (connection, _) in self.connections.values { connection.close() }
        self.connections = [:]
        // Each rejection was said on its own line as it happened.
        Output.line(self.report.summary)
        if nobody {
            let members = self.unreachable.keys.sorted().map { "'\($0)'" }.joined(separator: ", ")
            Output.error("no member of the mapping got an answer from the daemon at \(self.common.api): "
                         + "is orisd running there, and does it know \(members)?")
            return ExitCode.unavailable
        }
        if !self.silent.isEmpty { return ExitCode.unavailable }
        return self.report.rejected.isEmpty ? ExitCode.success : ExitCode.refused
    }

    /// Adds a count of items left out on purpose.
    func skip(_ reason: String, count: Int) {
        self.report.skipped.append((reason, count))
    }

    private func step() {
        self.done += 1
        if !self.quiet && self.total >= 200 && self.done % 100 == 0 {
            Output.error("imported \(self.done)/\(self.total)…")
        }
    }

    private func publisher(for publisher: ImportMapping.Publisher?) throws -> ImportPublisher? {
        let key = publisher?.member ?? ""
        if let (_, found) = self.connections[key] { return found }
        if self.unreachable[key] != nil { return nil }
        var options = self.common
        if let publisher {
            options.member = publisher.member
            if let path = publisher.key { options.keyFile = path }
        }
        let connection = try options.connect()
        do {
            let made = try ImportPublisher(client: connection.client)
            self.connections[key] = (connection, made)
            return made
        } catch {
            connection.close()
            // With a mapping, a member the daemon does not know is that region's problem, not
            // the whole import's; with --as it is the whole import's.
            guard let publisher else { throw error }
            self.unreachable[key] = "\(error)"
            Output.error("member '\(publisher.member)' (tenant \(publisher.tenant)) cannot publish: \(error)")
            return nil
        }
    }
}

/// Files named on the command line, folders read recursively, in a stable order.
enum InputFiles {
    /// The paths, each folder replaced by the files under it that `keep` accepts (sorted, at
    /// any depth); a file named outright is always kept.
    static func expand(_ paths: [String], keep: (String) -> Bool = { _ in true }) -> [String] {
        var out: [String] = []
        for path in paths {
            guard let names = FileBytes.list(path) else {
                out.append(path)
                continue
            }
            let base = path.hasSuffix("/") ? path : path + "/"
            for name in names.sorted() where !name.hasPrefix(".") {
                let inner = base + name
                if FileBytes.list(inner) != nil {
                    out += self.expand([inner], keep: keep)
                } else if keep(inner) {
                    out.append(inner)
                }
            }
        }
        return out
    }

    /// The JSON object in the file at `path`, which an option (`what`: "header file", "theme
    /// file", …) names.
    ///
    /// - Throws: ``CommandFailure/noInput(_:)`` (exit 66) when the file cannot be read, is not
    ///   JSON (with the parser's position) or holds another kind of value.
    static func jsonObject(_ path: String, what: String) throws -> JSONObject {
        guard let bytes = FileBytes.read(path: path) else {
            throw CommandFailure.noInput("cannot read \(what) '\(path)': \(FileBytes.lastErrorText())")
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw CommandFailure.noInput("\(what) '\(path)' is not JSON: \(error)")
        }
        guard case .object(let object) = value else {
            throw CommandFailure.noInput("\(what) '\(path)' holds a JSON value that is not an object ({…})")
        }
        return object
    }

    /// ``expand(_:keep:)``, refusing a command line that names no file to import at all.
    ///
    /// - Throws: ``CommandFailure/noInput(_:)`` naming the paths.
    static func expandSome(_ paths: [String], kind: String, keep: (String) -> Bool) throws -> [String] {
        let files = self.expand(paths, keep: keep)
        guard !files.isEmpty else {
            throw CommandFailure.noInput("no \(kind) to import in \(paths.joined(separator: " "))")
        }
        return files
    }
}

/// `--map FILE` and `--theme THEME`, which every import command takes.
enum MappingOptions {
    static let help = """
      --map FILE           theme rules (and, for tables, columns and regions): docs/IMPORT.md
      --theme THEME        the theme for what no rule of --map matches (overrides its default_theme)
      --quiet              no progress line
    """

    /// The mapping from `--map`, with `--theme` as its default theme.
    static func read(_ arguments: inout ArgumentReader) throws -> ImportMapping {
        var mapping = ImportMapping()
        if let path = try arguments.option("--map") {
            guard let bytes = FileBytes.read(path: path) else {
                throw CommandFailure.noInput("cannot read mapping '\(path)': \(FileBytes.lastErrorText())")
            }
            do {
                mapping = try ImportMapping.read(bytes)
            } catch {
                throw CommandFailure.noInput("mapping '\(path)': \(error)")
            }
        }
        if let theme = try arguments.option("--theme") {
            guard Identifier.isValid(theme) else { throw UsageError("--theme '\(theme)' is not a theme name") }
            mapping.defaultTheme = theme
        }
        return mapping
    }
}
