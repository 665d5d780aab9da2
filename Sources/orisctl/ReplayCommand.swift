// SPDX-License-Identifier: Apache-2.0
import ORISBus

/// `orisctl replay`: prints stored items, page by page.
enum ReplayCommand: DaemonCommand {
    static let name = "replay"
    static let summary = "print stored items of a topic or prefix, from a sequence number or a time"
    static let usage = """
    Usage: orisctl replay PREFIX [--from-seq N] [--to-seq N] [--since TIME] [--limit N] [--json] [--quiet]
                          [common options]

    PREFIX is a topic (bfc/auto-rang3/gip/alert) or a prefix ending in / (bfc/auto-rang3/);
    only your own tenant's topics can be replayed. Items come in the order they were stored.

      --from-seq N       on each topic, start at sequence number N
      --to-seq N         on each topic, stop after sequence number N
      --since TIME       only items received at or after TIME (RFC 3339)
      --limit N          stop after N items (default: all)
      --json             one JSON object a line, as subscribe --json
      --quiet            no progress line on standard error

    A progress line goes to standard error every 10,000 items on long replays.
    """

    static func run(_ arguments: inout ArgumentReader, common: CommonOptions) throws -> Int32 {
        let fromSeq = try arguments.integer("--from-seq", in: 0...Int.max)
        let toSeq = try arguments.integer("--to-seq", in: 0...Int.max)
        let since = try arguments.option("--since")
        let limit = try arguments.integer("--limit", in: 1...Int.max)
        let json = arguments.flag("--json")
        let quiet = arguments.flag("--quiet")
        let words = try arguments.positionals()
        guard words.count == 1, let prefix = words.first else {
            throw UsageError("give exactly one PREFIX")
        }
        var request = ReplayRequest(prefix: prefix)
        request.fromSeq = UInt64(fromSeq ?? 0)
        if let toSeq { request.toSeq = UInt64(toSeq) }
        if let since {
            guard let time = Timestamp(rfc3339: since) else {
                throw UsageError("--since takes an RFC 3339 time such as 2026-12-04T09:00:00Z, not '\(since)'")
            }
            request.fromTime = time
        }

        let connection = try common.connect()
        defer { connection.close() }
        let client = connection.client
        var shown = 0
        var nextProgress = 10_000
        while true {
            request.limit = min(ReplayRequest.maximumLimit, (limit ?? Int.max) - shown)
            let page: ReplayPage
            do {
                page = try client.replay(request)
            } catch let refused as ReplayRefused {
                throw CommandFailure.refused(refused.reply)
            }
            if shown == 0, let first = page.items.first, let firstSeq = first.seq,
               let range = page.topics[first.topic], request.fromSeq > 0, UInt64(firstSeq) > request.fromSeq,
               range.first > request.fromSeq {
                Output.error("note: history of \(first.topic) starts at #\(range.first); earlier items were removed")
            }
            for item in page.items {
                Output.line(json ? ItemFormatter.jsonLine(item) : ItemFormatter.humanLine(item))
            }
            shown += page.items.count
            if !quiet && shown >= nextProgress {
                Output.error("replayed \(shown) items…")
                nextProgress += 10_000
            }
            guard page.more, shown < (limit ?? Int.max) else { break }
            request.after = page.cursor
        }
        if !quiet && shown >= 10_000 {
            Output.error("replayed \(shown) items in all")
        }
        return ExitCode.success
    }
}
