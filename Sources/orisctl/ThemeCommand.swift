// SPDX-License-Identifier: Apache-2.0
import ORISBus

/// `orisctl theme`: key themes with their dashboard (axes, collectors, back-planning).
enum ThemeCommand: DaemonCommand {
    static let name = "theme"
    static let summary = "create, change, list and show key themes with their dashboard, axes and collectors"
    static let usage = """
    Usage: orisctl theme list [--tenant TENANT] [--json]
           orisctl theme show THEME [--tenant TENANT] [--json]
           orisctl theme create --file theme.json [--tenant TENANT]
           orisctl theme update --file theme.json [--tenant TENANT]
           orisctl theme axis add THEME AXIS [--title T] [--domain D] [--deadline DATE]
                  [--analyst MEMBER]... [--collector MEMBER]... [--indicator T]... [--source T]...
           orisctl theme axis remove THEME AXIS
           orisctl theme collector add THEME AXIS MEMBER
           orisctl theme collector remove THEME AXIS MEMBER

    list     the themes of your tenant that you work on (an admin or operator: all of them),
             with their reference, animateur, axes and next back-planning date.
    show     one theme's dashboard: request analysis, context, team, escalation rules, each
             research axis (domain, analysts, deadline, collectors, sought indicators, targeted
             sources, and who reads its taskings), and the back-planning with each date's
             state (planned, due-soon, overdue, done) and the reminders already raised.
    create   a new theme from a JSON file (docs/THEMES.md; config/themes/ has an example):
             a tenant admin or an operator.
    update   replaces a theme with the file's version. Its animateur may change the dashboard
             (axes, collectors, team, dates); the escalation rules and the title are an admin's.
    axis     adds or removes a research axis (the theme's animateur, an admin, an operator).
             DATE is 2027-01-15 (due when that day ends, UTC) or an RFC 3339 time.
    collector
             adds or removes a capteur among an axis's collectors: they alone receive the
             axis's taskings (topic TENANT/THEME/axis/AXIS/tasking).

    Changes take effect at once, are kept across restarts (themes.json in the state folder,
    which takes precedence over the configuration file) and are written to the audit trail.
    Removing a collector or an axis cuts the feed's connections, as a revocation does, so
    that nobody keeps reading what it may no longer read; subscribers reconnect by themselves.
    Back-planning dates raise reminders (kind reminder) on the theme, once each: "due soon"
    remind_days before the date (default 7), "overdue" once it has passed.

      --file PATH        the theme as JSON
      --tenant TENANT    the tenant (default: yours; the control socket must name it)
      --json             print the daemon's answer as JSON
    """

    static func run(_ arguments: inout ArgumentReader, common: CommonOptions) throws -> Int32 {
        let file = try arguments.option("--file")
        let tenant = try arguments.option("--tenant")
        let json = arguments.flag("--json")
        var axis = JSONObject()
        for (option, key) in [("--title", "title"), ("--domain", "domain"), ("--deadline", "deadline")] {
            if let value = try arguments.option(option) { axis[key] = .string(value) }
        }
        for (option, key) in [("--analyst", "analysts"), ("--collector", "collectors"), ("--indicator", "indicators"),
                              ("--source", "sources")] {
            let values = try arguments.options(option)
            if !values.isEmpty { axis[key] = .array(values.map { .string($0) }) }
        }
        let words = try arguments.positionals()
        guard let action = words.first else {
            throw UsageError("say what to do: list, show, create, update, axis or collector")
        }
        var request = JSONObject()
        switch (action, words.count) {
        case ("list", 1):
            request["action"] = .string("list")
        case ("show", 2):
            request["action"] = .string("show")
            request["id"] = .string(words[1])
        case ("create", 1), ("update", 1):
            guard let file else { throw UsageError("theme \(action) needs --file theme.json") }
            request["action"] = .string(action)
            request["theme"] = .object(try InputFiles.jsonObject(file, what: "theme file"))
        case ("axis", 4) where words[1] == "add":
            axis["id"] = .string(words[3])
            request = JSONObject([("action", .string("axis-add")), ("id", .string(words[2])), ("axis", .object(axis))])
        case ("axis", 4) where words[1] == "remove":
            request = JSONObject([("action", .string("axis-remove")), ("id", .string(words[2])),
                                  ("axis", .string(words[3]))])
        case ("collector", 5) where ["add", "remove"].contains(words[1]):
            request = JSONObject([("action", .string("collector-\(words[1])")), ("id", .string(words[2])),
                                  ("axis", .string(words[3])), ("member", .string(words[4]))])
        case ("list", _), ("show", _), ("create", _), ("update", _), ("axis", _), ("collector", _):
            throw UsageError("wrong arguments for 'theme \(words.prefix(2).joined(separator: " "))'")
        default:
            let actions = ["list", "show", "create", "update", "axis", "collector"]
            let hint = Suggestion.closest(to: action, among: actions).map { "; did you mean '\($0)'?" } ?? ""
            throw UsageError("unknown action '\(action)'\(hint) (\(actions.joined(separator: ", ")))")
        }
        if !axis.keys.isEmpty && request["action"]?.stringValue != "axis-add" {
            throw UsageError("--title, --domain, --deadline, --analyst, --collector, --indicator and --source go "
                             + "with 'axis add'")
        }
        if file != nil && !["create", "update"].contains(action) {
            throw UsageError("--file goes with 'create' and 'update'")
        }
        if let tenant { request["tenant"] = .string(tenant) }
        try common.requireTenant(tenant)

        let connection = try common.connect()
        defer { connection.close() }
        let reply = try connection.client.request(.theme(arguments: JSONWriter.encode(.object(request))))
        guard reply.word == "THEME" else { throw CommandFailure.refused(reply) }
        for warning in reply.body["warnings"]?.arrayValue?.compactMap(\.stringValue) ?? [] {
            Output.error("warning: " + ItemFormatter.oneLine(warning))
        }
        if json {
            Output.line(JSONWriter.string(.object(reply.body)))
        } else if let themes = reply.body["themes"]?.arrayValue {
            for theme in themes.compactMap(\.objectValue) {
                Output.line(self.summaryLine(theme))
            }
            if themes.isEmpty { Output.line("no themes") }
        } else {
            let verb = ["create": "created", "update": "updated", "axis": "changed", "collector": "changed"][action]
            if let verb, let id = reply.body["theme"]?.objectValue?["id"]?.stringValue {
                Output.line("\(verb) theme \(ItemFormatter.oneLine(id))")
            } else {
                self.printDashboard(reply.body)
            }
        }
        return ExitCode.success
    }

    /// One theme of `theme list` on a line.
    static func summaryLine(_ o: JSONObject) -> String {
        func text(_ key: String) -> String { ItemFormatter.oneLine(o[key]?.stringValue ?? "") }
        var out = "\(text("id")) \"\(text("title"))\""
        if !text("reference").isEmpty { out += " ref=\(text("reference"))" }
        if o["animateur"] != nil { out += " animateur=\(text("animateur"))" }
        if o["trans_regional"]?.boolValue == true { out += " trans-regional" }
        let axes = o["axes"]?.arrayValue?.compactMap(\.stringValue) ?? []
        out += " axes=\(axes.isEmpty ? "-" : ItemFormatter.oneLine(axes.joined(separator: ",")))"
        if let next = o["next"]?.objectValue {
            out += " next=\(ItemFormatter.oneLine(next["date"]?.stringValue ?? "")) "
                + ItemFormatter.oneLine(next["label"]?.stringValue ?? "")
        }
        return out
    }

    /// `theme show` for people.
    private static func printDashboard(_ body: JSONObject) {
        guard let t = body["theme"]?.objectValue else { return }
        func text(_ o: JSONObject, _ key: String) -> String { ItemFormatter.oneLine(o[key]?.stringValue ?? "") }
        func list(_ o: JSONObject, _ key: String) -> String {
            let items = o[key]?.arrayValue?.compactMap(\.stringValue) ?? []
            return items.isEmpty ? "-" : ItemFormatter.oneLine(items.joined(separator: ", "))
        }
        Output.line("theme \(text(t, "id")) (tenant \(text(body, "tenant"))): \(text(t, "title"))")
        Output.line("  reference: \(text(t, "reference"))   animateur: \(text(t, "animateur"))   trans-regional: "
                    + (t["trans_regional"]?.boolValue == true ? "yes" : "no"))
        Output.line("  request analysis: \(text(t, "request_analysis"))")
        Output.line("  context: \(text(t, "context"))")
        Output.line("  team: \(list(t, "team"))")
        var rules = "crps_severity \(text(t, "crps_severity"))"
        if t["crps_urgency"] != nil { rules += ", crps_urgency \(text(t, "crps_urgency"))" }
        if t["crps_certainty"] != nil { rules += ", crps_certainty \(text(t, "crps_certainty"))" }
        rules += ", national_severity \(text(t, "national_severity"))"
        if let c = t["corroboration"]?.objectValue {
            rules += ", corroboration \(c["sources"]?.intValue ?? 0) sources within "
                + "\(c["window_seconds"]?.intValue ?? 0) s by \(text(c, "match"))"
        }
        Output.line("  rules: \(rules)")
        let readers = body["axis_readers"]?.objectValue ?? JSONObject()
        for axis in t["axes"]?.arrayValue?.compactMap(\.objectValue) ?? [] {
            Output.line("  axis \(text(axis, "id")): \(text(axis, "title"))")
            Output.line("    domain: \(text(axis, "domain"))")
            let deadline = axis["deadline"]?.stringValue ?? axis["deadline"]?.objectValue?["date"]?.stringValue ?? "-"
            Output.line("    deadline: \(ItemFormatter.oneLine(deadline))   analysts: \(list(axis, "analysts"))")
            Output.line("    collectors: \(list(axis, "collectors"))   "
                        + "taskings reach: \(list(readers, text(axis, "id")))")
            Output.line("    indicators: \(list(axis, "indicators"))")
            Output.line("    sources: \(list(axis, "sources"))")
        }
        if let start = t["planning"]?.objectValue?["start"]?.stringValue {
            Output.line("  start: \(ItemFormatter.oneLine(start))")
        }
        for m in body["milestones"]?.arrayValue?.compactMap(\.objectValue) ?? [] {
            let reminded = m["reminded"]?.arrayValue?.compactMap(\.stringValue) ?? []
            Output.line("  \(text(m, "date"))  \(text(m, "label"))  [\(text(m, "state"))]"
                        + (reminded.isEmpty ? "" : " reminded: \(reminded.joined(separator: ", "))"))
        }
    }
}
