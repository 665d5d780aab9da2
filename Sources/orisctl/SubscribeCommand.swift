// SPDX-License-Identifier: Apache-2.0
import ORISBus

/// `orisctl subscribe`: shows items live as they arrive.
enum SubscribeCommand: DaemonCommand {
    static let name = "subscribe"
    static let summary = "show items live as they arrive, one line each (or JSON lines)"
    static let usage = """
    Usage: orisctl subscribe [PREFIX...] [--theme THEME] [--tier TIER] [--kind KIND] [options]

    Without a PREFIX, subscribes to everything you may read live (each stratum reads its own tier
    on its themes, a GIP also the test tier, a capteur the axes it collects for: `orisctl hello`
    lists them; the archive tier, which a GIP also reads, is sent to nobody live, so it is taken
    only with --tier archive), narrowed by --theme, --tier and --kind. A PREFIX is a
    topic prefix such as bfc/auto-rang3/gip/ (topics are tenant/theme/tier/kind, and
    tenant/theme/axis/AXIS/kind for the collectors of a research axis); one reaching beyond what
    you may read is refused here (exit 77) since the daemon would deliver nothing, and so is a
    --theme you do not work on or a --tier you do not read. What you may read is asked once, at
    start: when you lose a prefix (taken off an axis) it is dropped with a line on standard
    error and the rest goes on (when none is left, exit 77); one you gain needs a new subscribe.
    When the daemon stops answering (a restart) it says so and waits; once the daemon is back it
    fills from the journal what was published meanwhile (unless --no-repair).

      --theme THEME      only this theme
      --tier TIER        only this tier: capteur, axis, gip, crps, national, test, archive
      --kind KIND        only this kind: signal, alert, diagnostic, decision, tasking, reminder
      --json             one JSON object a line: {"topic":…,"header":{…},"body":…}
                         (a body that is not UTF-8 comes as "body_base64")
      --count N          stop after N items
      --from-start       first show what the daemon stores for these prefixes, then go live
      --from-seq N       the same, from sequence number N on each topic
      --no-repair        show the feed as it comes, without filling gaps from the journal
      --feed ENDPOINT    the feed endpoint, tcp://HOST:PORT or ipc://PATH (env ORIS_FEED;
                         default: the one the daemon names); when no handshake with it finishes
                         within --timeout (nothing there, or the member refused), exit 69

    Gap repair: every item carries its topic's sequence number. When a number is skipped (the
    subscriber was disconnected, or too slow and the daemon dropped for it), the missing items
    are fetched from the journal and shown first, so the output has no holes and no duplicates.
    When the feed is quiet for 2 seconds, the daemon is asked for its last numbers, so items
    missed at the end are filled too.
    """

    static func run(_ arguments: inout ArgumentReader, common: CommonOptions) throws -> Int32 {
        let theme = try arguments.option("--theme")
        let tier = try arguments.word("--tier", Tier.self)
        let kind = try arguments.word("--kind", Kind.self)
        let json = arguments.flag("--json")
        let count = try arguments.integer("--count", in: 1...Int.max)
        var feedOption = try arguments.option("--feed").map { (given) throws(UsageError) in
            try ClientEndpoint.check(given, from: "--feed")
        }
        if feedOption == nil, let given = environment("ORIS_FEED") {
            feedOption = try ClientEndpoint.check(given, from: "ORIS_FEED")
        }
        let fromStart = arguments.flag("--from-start")
        let fromSeq = try arguments.integer("--from-seq", in: 1...Int.max)
        let repair = !arguments.flag("--no-repair")
        let explicit = try arguments.positionals()

        if common.control != nil {
            throw UsageError("the feed takes members, not the control socket: subscribe --as operator (or with an "
                             + "operator's key)")
        }
        let connection = try common.connect()
        defer { connection.close() }
        // Replaced when the daemon stops answering (a restart): see `step` below.
        var client = connection.client
        var spare: APIClient?
        defer { spare?.close() }
        let welcome = try common.hello(client)
        let member = welcome["member"]?.stringValue ?? connection.member
        let themes = welcome["themes"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if let theme, !themes.isEmpty, !themes.contains(theme) {
            let hint = Suggestion.closest(to: theme, among: themes).map { "; did you mean '\($0)'?" } ?? ""
            throw CommandFailure.notPermitted("member '\(member)' does not work on theme '\(theme)'\(hint) "
                                              + "(its themes: \(themes.joined(separator: ", ")))")
        }
        let advertised = welcome["feed"]?.arrayValue?.compactMap(\.stringValue) ?? []
        guard let feed = feedOption ?? self.pickFeed(advertised, api: common.api) else {
            throw UsageError("the daemon names no feed endpoint; give one with --feed")
        }
        let readable = welcome["readable"]?.arrayValue?.compactMap(\.stringValue) ?? []
        var prefixes = explicit
        if prefixes.isEmpty {
            prefixes = try self.defaultPrefixes(readable: readable, tenant: welcome["tenant"]?.stringValue,
                                                theme: theme, tier: tier, kind: kind, member: member)
        }
        for prefix in prefixes where !readable.contains(where: { prefix.hasPrefix($0) }) {
            let list = readable.isEmpty ? "nothing" : readable.joined(separator: " ")
            Output.error("orisctl subscribe: member '\(member)' may not read '\(prefix)'; it reads: \(list)")
            return ExitCode.notPermitted
        }
        var catchUp = CatchUp(prefixes: prefixes) { request in
            do {
                return try client.replay(request)
            } catch let refused as ReplayRefused {
                if refused.reply.body["code"]?.stringValue == NAKCode.forbidden.word {
                    throw NoLongerReadable(reply: refused.reply)
                }
                throw CommandFailure.refused(refused.reply)
            }
        }
        // Where each topic stands before subscribing: what comes after is owed, with no holes.
        if repair && !fromStart && fromSeq == nil {
            do {
                try catchUp.baseline()
            } catch let refused as ReplayRefused {
                throw CommandFailure.refused(refused.reply)
            }
        }
        let subscriber = try FeedSubscriber(context: connection.context, endpoint: feed, member: member,
                                            curve: connection.curve, prefixes: prefixes)
        defer { subscriber.close() }
        try subscriber.waitUntilConnected(timeoutMilliseconds: common.timeoutMilliseconds)
        Output.error("subscribed to \(prefixes.joined(separator: " ")) at \(feed) as \(member)")

        var shown = 0
        struct Enough: Error {}
        func show(_ item: ReceivedItem) throws {
            if let wanted = Topic(item.topic) {
                if let theme, wanted.theme != theme { return }
                if let tier, wanted.tier != tier { return }
                if let kind, wanted.kind != kind { return }
            }
            Output.line(json ? ItemFormatter.jsonLine(item) : ItemFormatter.humanLine(item))
            shown += 1
            if let count, shown >= count { throw Enough() }
        }

        /// Shows the next live item, or repairs tails when none came.
        func step() throws {
            guard let item = try subscriber.next(timeoutMilliseconds: repair ? 2000 : -1) else {
                if repair {
                    let before = catchUp.repaired
                    try catchUp.checkTails(show: show)
                    if catchUp.repaired > before {
                        Output.error("filled \(catchUp.repaired - before) missed items from the journal")
                    }
                }
                return
            }
            if repair {
                let before = catchUp.repaired
                try catchUp.live(item, show: show)
                if catchUp.repaired > before {
                    let count = catchUp.repaired - before
                    Output.error("filled \(count) missed items on \(item.topic) from the journal")
                }
            } else {
                try show(item)
            }
        }

        // A member's rights can shrink while it listens (an axis it no longer collects for): the
        // daemon then cuts the feed and refuses the repair; what it still reads goes on.
        func narrow(_ refusal: NoLongerReadable) throws {
            let now = try common.hello(client)["readable"]?.arrayValue?.compactMap(\.stringValue) ?? []
            let lost = prefixes.filter { prefix in !now.contains { prefix.hasPrefix($0) } }
            guard !lost.isEmpty else { throw CommandFailure.refused(refusal.reply) }
            guard lost.count < prefixes.count else {
                Output.error("orisctl subscribe: member '\(member)' may no longer read "
                             + "\(prefixes.joined(separator: " ")); nothing is left to follow")
                throw NothingLeft()
            }
            for prefix in lost {
                try subscriber.unsubscribe(prefix)
                catchUp.drop(prefix)
                Output.error("member '\(member)' may no longer read '\(prefix)': unsubscribed")
            }
            prefixes.removeAll { lost.contains($0) }
        }
        var silent = false
        do {
            if fromStart || fromSeq != nil {
                try catchUp.history(fromSeq: UInt64(fromSeq ?? 0), show: show)
            }
            while true {
                do {
                    try step()
                    if silent {
                        silent = false
                        Output.error("orisd answers again at \(common.api)")
                    }
                } catch let refusal as NoLongerReadable {
                    try narrow(refusal)
                } catch ClientError.timeout where repair {
                    // The daemon stopped or restarts: the feed reconnects by itself, and the
                    // repair fills what was missed once the daemon answers again.
                    if !silent {
                        silent = true
                        Output.error("orisd does not answer at \(common.api); waiting for it (gaps are filled "
                                     + "when it is back)")
                    }
                    spare?.close()
                    spare = try connection.newClient()
                    client = spare!
                }
            }
        } catch is Enough {
            if catchUp.repaired > 0 {
                Output.error("filled \(catchUp.repaired) missed items from the journal (\(catchUp.gaps) gaps)")
            }
            return ExitCode.success
        } catch is NothingLeft {
            return ExitCode.notPermitted
        }
    }

    /// Every prefix followed became unreadable.
    struct NothingLeft: Error {}

    /// A repair REPLAY refused as `forbidden`: the member's rights changed while it listened.
    struct NoLongerReadable: Error {
        var reply: Reply
    }

    /// What to subscribe to when no prefix is given: what the member may read, narrowed by the
    /// options (an operator, who reads everything, by its tenant unless it names none).
    ///
    /// - Throws: ``CommandFailure/notPermitted(_:)`` when `tier` is one the member does not read.
    static func defaultPrefixes(
        readable: [String],
        tenant: String?,
        theme: String?,
        tier: Tier?,
        kind: Kind?,
        member: String
    ) throws(CommandFailure) -> [String] {
        if readable == [""] {
            guard let tenant else { return [""] }
            guard let theme else { return [Topic.prefix(tenant: tenant)] }
            var prefix = Topic.prefix(tenant: tenant, theme: theme, tier: tier)
            // On the axis tier the axis comes before the kind: the kind is filtered on arrival.
            if tier != nil && tier != .axis, let kind { prefix += kind.word }
            return [prefix]
        }
        // The archive tier is never sent live: it is there to replay, so only asked for by name.
        var prefixes = readable.filter { prefix in
            if tier != .archive && prefix.hasSuffix("/archive/") { return false }
            guard let theme else { return true }
            return prefix.split(separator: "/").dropFirst().first.map(String.init) == theme
        }
        if let tier {
            // The third segment is the tier (`…/axis/<axis>/` for the axis tier).
            prefixes = prefixes.filter { $0.split(separator: "/").dropFirst(2).first.map(String.init) == tier.word }
            guard !prefixes.isEmpty else {
                throw .notPermitted("member '\(member)' does not read tier '\(tier.word)' "
                                    + "(it reads: \(readable.joined(separator: " ")))")
            }
        }
        if let kind { prefixes = prefixes.map { $0 + kind.word } }
        return prefixes
    }

    /// The advertised feed endpoint on the same transport as the api endpoint in use.
    static func pickFeed(_ advertised: [String], api: String) -> String? {
        let transport = api.hasPrefix("ipc://") ? "ipc://" : "tcp://"
        return advertised.first { $0.hasPrefix(transport) } ?? advertised.first
    }
}
