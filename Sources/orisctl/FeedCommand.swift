// SPDX-License-Identifier: Apache-2.0
import ORISBus

/// `orisctl feed`: publishes the new entries of Atom and RSS feeds, once each.
enum FeedCommand: DaemonCommand {
    static let name = "feed"
    static let summary = "publish each new entry of Atom/RSS feeds once, remembering what was sent"
    static let usage = """
    Usage: orisctl feed FILE|FOLDER... [--state FILE] [--map FILE] [--theme THEME] [common options]

    Reads Atom feeds and RSS channels (files, or folders of snapshots, read in name order) and
    publishes each entry as a weak signal, or as an alert when the entry is a CAP alert (whole,
    or an index entry's cap: fields) of severity Severe or Extreme. The entry's XML is the body.
    What was sent is written to the state file after each run, and an entry found there is
    not sent again; ids are stable too, so the daemon stores an entry once even without it.

      --state FILE         what was already sent (default oris-feed-state.json); when it
                           cannot be written, nothing is published (exit 73)
    \(MappingOptions.help)
    """

    static func run(_ arguments: inout ArgumentReader, common: CommonOptions) throws -> Int32 {
        let statePath = try arguments.option("--state") ?? "oris-feed-state.json"
        let mapping = try MappingOptions.read(&arguments)
        let quiet = arguments.flag("--quiet")
        let paths = try arguments.positionals()
        try arguments.finish()
        guard !paths.isEmpty else { throw UsageError("give at least one feed file or folder") }
        var state = FeedState()
        if let bytes = FileBytes.read(path: statePath) {
            // Parsed here first for the position of a syntax error, which FeedState does not keep.
            do {
                _ = try JSONParser.parse(bytes)
            } catch {
                throw CommandFailure.noInput("feed state '\(statePath)' is not JSON: \(error)")
            }
            do {
                state = try FeedState(bytes)
            } catch {
                throw CommandFailure.noInput("feed state '\(statePath)': \(error)")
            }
        }

        // Checked before anything is published: a run that cannot record what it sent would
        // publish the same entries again next time (the daemon stores them once, by their ids).
        if let problem = ReplaceableFile.problem(replacing: statePath) {
            throw CommandFailure.cannotCreate("cannot write feed state '\(statePath)': \(problem); nothing was "
                                              + "published")
        }

        let files = try InputFiles.expandSome(paths, kind: "feed file") { !$0.hasSuffix(".json") }
        var items: [ImportItem] = []
        var rejected: [(String, String)] = []
        for file in files {
            guard let bytes = FileBytes.read(path: file) else {
                rejected.append((file, "cannot read: \(FileBytes.lastErrorText())"))
                continue
            }
            do {
                let feed = try Feed.read(bytes)
                for (n, entry) in feed.entries.enumerated() {
                    do {
                        items.append(try entry.item(feedKey: feed.id ?? file, format: feed.format, mapping: mapping,
                                                    source: "\(file) entry \(n + 1)"))
                    } catch {
                        rejected.append(("\(file) entry \(n + 1)", error.description))
                    }
                }
            } catch {
                rejected.append((file, error.description))
            }
        }

        let run = ImportRun(common: common, total: items.count + rejected.count, quiet: quiet)
        for (source, reason) in rejected { run.reject(source, reason) }
        var sentBefore = 0
        do {
            for item in items {
                if state.sent.contains(item.id) {
                    sentBefore += 1
                    continue
                }
                switch try run.publish(item) {
                case .published?, .alreadyPresent?: state.insert(item.id)
                default: break
                }
            }
        } catch {
            // Keep what was sent before the daemon stopped answering.
            try? state.save(path: statePath)
            throw error
        }
        run.skip("sent by an earlier run", count: sentBefore)
        // Should the state still fail now (a disk that filled), the summary says first what was
        // published, and finish closes the connections.
        let saved = Result { () throws(IngestError) in try state.save(path: statePath) }
        let status = run.finish()
        if case .failure(let error) = saved {
            throw CommandFailure.cannotCreate(error.description)
        }
        return status
    }
}
