// SPDX-License-Identifier: Apache-2.0
import ORISBus

/// `orisctl subscribe`: shows items live as they arrive.
enum SubscribeCommand: Command {
    static let name = "subscribe"
    static let summary = "show items live as they arrive, one line each (or JSON lines)"
    static let usage = """
    Usage: orisctl subscribe [PREFIX...] [--theme THEME] [--tier TIER] [--kind KIND] [options]

    Without a PREFIX, subscribes to your tenant's items, narrowed by --theme, --tier and --kind.
    A PREFIX is a topic prefix such as bfc/auto-rang3/gip/ (topics are tenant/theme/tier/kind).

      --theme THEME      only this theme
      --tier TIER        only this tier: capteur, gip, crps, national
      --kind KIND        only this kind: signal, alert, diagnostic, decision, tasking
      --json             one JSON object a line: {"topic":…,"header":{…},"body":…}
                         (a body that is not UTF-8 comes as "body_base64")
      --count N          stop after N items
      --feed ENDPOINT    the feed endpoint (env ORIS_FEED; default: the one the daemon names)
    """

    static func run(_ arguments: inout ArgumentReader, common: CommonOptions) throws -> Int32 {
        let theme = try arguments.option("--theme")
        let tier = try arguments.word("--tier", Tier.self)
        let kind = try arguments.word("--kind", Kind.self)
        let json = arguments.flag("--json")
        let count = try arguments.integer("--count", in: 1...Int.max)
        let feedOption = try arguments.option("--feed") ?? environment("ORIS_FEED")
        let explicit = try arguments.positionals()
        let member = try common.requireMember()

        let context = try Context()
        defer { context.terminate() }
        let client = try APIClient(context: context, endpoint: common.api, member: member,
                                   timeoutMilliseconds: common.timeoutMilliseconds)
        let welcome: JSONObject
        do {
            welcome = try common.hello(client)
            client.close()
        } catch {
            client.close()
            throw error
        }
        guard let tenant = welcome["tenant"]?.stringValue else {
            throw CommandFailure.noInput("the daemon did not say which tenant member '\(member)' belongs to")
        }
        let advertised = welcome["feed"]?.arrayValue?.compactMap(\.stringValue) ?? []
        guard let feed = feedOption ?? self.pickFeed(advertised, api: common.api) else {
            throw UsageError("the daemon names no feed endpoint; give one with --feed")
        }

        var prefixes = explicit
        if prefixes.isEmpty {
            var prefix = Topic.prefix(tenant: tenant)
            if let theme {
                prefix = Topic.prefix(tenant: tenant, theme: theme, tier: tier)
                if tier != nil, let kind { prefix += kind.word }
            }
            prefixes = [prefix]
        }
        let subscriber = try FeedSubscriber(context: context, endpoint: feed, member: member, prefixes: prefixes)
        defer { subscriber.close() }
        Output.error("subscribed to \(prefixes.joined(separator: " ")) at \(feed) as \(member)")

        var shown = 0
        while count.map({ shown < $0 }) ?? true {
            guard let item = try subscriber.next(timeoutMilliseconds: -1) else { continue }
            if let wanted = Topic(item.topic) {
                if let theme, wanted.theme != theme { continue }
                if let tier, wanted.tier != tier { continue }
                if let kind, wanted.kind != kind { continue }
            }
            Output.line(json ? ItemFormatter.jsonLine(item) : ItemFormatter.humanLine(item))
            shown += 1
        }
        return ExitCode.success
    }

    /// The advertised feed endpoint on the same transport as the api endpoint in use.
    static func pickFeed(_ advertised: [String], api: String) -> String? {
        let transport = api.hasPrefix("ipc://") ? "ipc://" : "tcp://"
        return advertised.first { $0.hasPrefix(transport) } ?? advertised.first
    }
}
