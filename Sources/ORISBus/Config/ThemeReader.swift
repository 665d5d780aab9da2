// SPDX-License-Identifier: Apache-2.0

/// Reads a key theme, with its escalation rules and its dashboard, from a JSON object: a theme
/// of the configuration file, a `theme.json` given to `orisctl theme create`, or an entry of
/// the state folder's `themes.json`. Every problem names its field.
extension ConfigurationLoader {
    /// The fields a theme object may have.
    static let themeFields = ["id", "title", "trans_regional"] + escalationFields
        + ["reference", "animateur", "request_analysis", "context", "team", "axes", "planning", "remind_days"]

    /// Longest free text a dashboard field may hold, in bytes.
    static let maximumDashboardText = 10_000
    /// Most entries of a dashboard list (team, axes, collectors, indicators…).
    static let maximumDashboardList = 1000

    /// Reads a theme from `value`, starting from `base` (the tenant's escalation defaults).
    ///
    /// - Parameters:
    ///   - source: what names the document in errors (a file, or `theme`).
    ///   - allowed: extra fields the caller reads itself (such as `tenant`), ignored here.
    package static func readTheme(
        _ value: JSONValue,
        base: ThemeConfiguration,
        source: String,
        path: String = "",
        allowing extra: [String] = []
    ) throws(ConfigurationError) -> ThemeConfiguration {
        try self.readTheme(ConfigNode(value: value, path: path, file: source), base: base, allowing: extra)
    }

    static func readTheme(
        _ node: ConfigNode,
        base: ThemeConfiguration,
        allowing extra: [String] = []
    ) throws(ConfigurationError) -> ThemeConfiguration {
        let t = try node.object(allowed: Self.themeFields + extra)
        var theme = try self.readEscalation(node, t, base: base)
        theme.id = try node.required(t, "id").identifier()
        theme.title = try self.text(node.child(t, "title")) ?? ""
        theme.isTransRegional = try node.child(t, "trans_regional")?.bool() ?? false
        var board = ThemeDashboard()
        board.reference = try self.text(node.child(t, "reference")) ?? ""
        board.animateur = try node.child(t, "animateur")?.identifier()
        board.requestAnalysis = try self.text(node.child(t, "request_analysis")) ?? ""
        board.context = try self.text(node.child(t, "context")) ?? ""
        board.team = try self.texts(node.child(t, "team"))
        if let n = node.child(t, "remind_days") { board.remindDays = Int(try n.integer(in: 0...366)) }
        for axisNode in try self.list(node.child(t, "axes")) {
            let axis = try self.readAxis(axisNode)
            guard board.axis(axis.id) == nil else {
                throw axisNode.fail("axis '\(axis.id)' is listed twice in theme '\(theme.id)'",
                                    field: "\(axisNode.path).id")
            }
            board.axes.append(axis)
        }
        if let planningNode = node.child(t, "planning") {
            board.planning = try self.readPlanning(planningNode)
        }
        theme.dashboard = board
        return theme
    }

    /// Reads one research axis from `value` (what `THEME axis-add` sends); errors name their
    /// field under `path`.
    package static func readAxis(_ value: JSONValue, source: String, path: String) throws(ConfigurationError)
    -> ResearchAxis {
        try self.readAxis(ConfigNode(value: value, path: path, file: source))
    }

    private static func readAxis(_ node: ConfigNode) throws(ConfigurationError) -> ResearchAxis {
        let a = try node.object(allowed: ["id", "title", "domain", "analysts", "deadline", "collectors",
                                          "indicators", "sources"])
        var axis = ResearchAxis(id: try node.required(a, "id").identifier())
        axis.title = try self.text(node.child(a, "title")) ?? ""
        axis.domain = try self.text(node.child(a, "domain")) ?? ""
        axis.analysts = try self.names(node.child(a, "analysts"))
        axis.deadline = try node.child(a, "deadline").map { n throws(ConfigurationError) in try self.planned(n) }
        axis.collectors = try self.names(node.child(a, "collectors"))
        axis.indicators = try self.texts(node.child(a, "indicators"))
        axis.sources = try self.texts(node.child(a, "sources"))
        return axis
    }

    private static func readPlanning(_ node: ConfigNode) throws(ConfigurationError) -> BackPlanning {
        let p = try node.object(allowed: ["start", "checkpoints", "axes_diagnostics", "consolidated_diagnostic",
                                          "crps_use"])
        var planning = BackPlanning()
        planning.start = try node.child(p, "start").map { n throws(ConfigurationError) in try self.date(n) }
        for checkpointNode in try self.list(node.child(p, "checkpoints")) {
            let c = try checkpointNode.object(allowed: ["label", "date", "done"])
            guard let label = try self.text(checkpointNode.child(c, "label")),
                  HeaderReader.isAcceptableTitle(label, limits: ItemLimits())
            else {
                throw checkpointNode.fail("a checkpoint needs a 'label' with a visible character",
                                          field: "\(checkpointNode.path).label")
            }
            // The label goes into reminders' titles and keys.
            guard label.utf8.count <= 200 else {
                throw checkpointNode.fail("a checkpoint label holds at most 200 bytes",
                                          field: "\(checkpointNode.path).label")
            }
            guard !planning.checkpoints.contains(where: { $0.label == label }) else {
                throw checkpointNode.fail("checkpoint '\(label)' is listed twice",
                                          field: "\(checkpointNode.path).label")
            }
            let date = try self.date(checkpointNode.required(c, "date"))
            let done = try checkpointNode.child(c, "done")?.bool() ?? false
            planning.checkpoints.append(Checkpoint(label: label, planned: PlannedDate(date: date, done: done)))
        }
        func planned(_ key: String) throws(ConfigurationError) -> PlannedDate? {
            try node.child(p, key).map { n throws(ConfigurationError) in try self.planned(n) }
        }
        planning.axesDiagnostics = try planned("axes_diagnostics")
        planning.consolidatedDiagnostic = try planned("consolidated_diagnostic")
        planning.crpsUse = try planned("crps_use")
        return planning
    }

    /// A date, or `{"date": …, "done": true|false}`.
    private static func planned(_ node: ConfigNode) throws(ConfigurationError) -> PlannedDate {
        guard let o = node.value.objectValue else { return PlannedDate(date: try self.date(node)) }
        _ = try node.object(allowed: ["date", "done"])
        let date = try self.date(node.required(o, "date"))
        return PlannedDate(date: date, done: try node.child(o, "done")?.bool() ?? false)
    }

    private static func date(_ node: ConfigNode) throws(ConfigurationError) -> DueDate {
        let text = try node.string()
        guard let date = DueDate(text) else {
            throw node.fail("'\(text)' is not a date (2027-01-15) or an RFC 3339 time (2027-01-15T12:00:00Z)")
        }
        return date
    }

    private static func text(_ node: ConfigNode?) throws(ConfigurationError) -> String? {
        guard let node else { return nil }
        let text = try node.string()
        guard text.utf8.count <= Self.maximumDashboardText else {
            throw node.fail("longer than \(Self.maximumDashboardText) bytes")
        }
        guard !text.utf8.contains(0) else { throw node.fail("holds a NUL character") }
        return text
    }

    private static func list(_ node: ConfigNode?) throws(ConfigurationError) -> [ConfigNode] {
        guard let node else { return [] }
        let items = try node.array()
        guard items.count <= Self.maximumDashboardList else {
            throw node.fail("more than \(Self.maximumDashboardList) entries")
        }
        return items
    }

    private static func texts(_ node: ConfigNode?) throws(ConfigurationError) -> [String] {
        var out = [String]()
        for item in try self.list(node) {
            if let text = try self.text(item) { out.append(text) }
        }
        return out
    }

    /// Member names, each once.
    private static func names(_ node: ConfigNode?) throws(ConfigurationError) -> [String] {
        var out = [String]()
        for item in try self.list(node) {
            let name = try item.identifier()
            if !out.contains(name) { out.append(name) }
        }
        return out
    }
}
