// SPDX-License-Identifier: Apache-2.0

extension Daemon {
    /// Where run-time theme changes are kept.
    var themeStorePath: String { self.configuration.stateDirectory + "/themes.json" }

    /// `THEME {"action": …}` (PROTOCOL.md section 6.10): list, show, create, update, axis-add,
    /// axis-remove, collector-add, collector-remove.
    func themeCommand(_ bytes: [UInt8], actor: Member) throws(Rejection) -> Reply {
        guard case .object(let o)? = try? JSONParser.parse(bytes) else {
            throw Rejection(.badRequest, "the THEME arguments must be a JSON object")
        }
        let actions = ["list", "show", "create", "update", "axis-add", "axis-remove", "collector-add",
                       "collector-remove"]
        guard let action = o["action"]?.stringValue, actions.contains(action) else {
            throw Rejection(.badRequest, "THEME needs an 'action': \(actions.joined(separator: ", "))")
        }
        let known: [String]
        switch action {
        case "list": known = ["action", "tenant"]
        case "show", "axis-remove": known = ["action", "tenant", "id"] + (action == "axis-remove" ? ["axis"] : [])
        case "create", "update": known = ["action", "tenant", "theme"]
        case "axis-add": known = ["action", "tenant", "id", "axis"]
        default: known = ["action", "tenant", "id", "axis", "member"]
        }
        for key in o.keys where !known.contains(key) {
            throw Rejection(.badRequest, "unknown THEME \(action) argument '\(key)' (known: "
                            + "\(known.joined(separator: ", ")))")
        }
        let tenant = try self.themeTenant(o, actor: actor)
        switch action {
        case "list":
            let themes = self.registry.themes(of: tenant).filter {
                ControlPolicy.allows(actor, .readTheme($0.id, animateur: $0.dashboard.animateur), tenant: tenant)
            }
            return Reply(word: "THEME", body: JSONObject([
                ("tenant", .string(tenant)), ("themes", .array(themes.map { .object(self.summary(of: $0)) })),
            ]))
        case "show":
            let theme = try self.namedTheme(o, tenant: tenant)
            try ControlPolicy.check(actor, .readTheme(theme.id, animateur: theme.dashboard.animateur), tenant: tenant)
            return self.themeReply(theme, tenant: tenant, warnings: [])
        case "create", "update":
            guard let value = o["theme"], value.objectValue != nil else {
                throw Rejection(.badRequest, "'theme' must be a theme object (id, title, axes, planning, …)")
            }
            let base = self.registry.tenant(tenant)?.themeDefaults ?? ThemeConfiguration(id: "-", title: "")
            let theme: ThemeConfiguration
            do throws(ConfigurationError) {
                theme = try ConfigurationLoader.readTheme(value, base: base, source: "theme", path: "theme")
            } catch {
                throw Rejection(.badRequest, error.field.isEmpty ? error.problem : "\(error.field): \(error.problem)")
            }
            let current = self.registry.theme(theme.id, tenant: tenant)
            if action == "create" {
                try ControlPolicy.check(actor, .createTheme, tenant: tenant)
                if current != nil {
                    throw Rejection(.conflict, "tenant '\(tenant)' already has a theme '\(theme.id)' "
                                    + "(change it with 'update')")
                }
            } else {
                let reader = ControlPolicy.Action.readTheme(theme.id, animateur: current?.dashboard.animateur)
                guard let current, ControlPolicy.allows(actor, reader, tenant: tenant) else {
                    throw Rejection(.notFound, "there is no theme '\(theme.id)' in tenant '\(tenant)'")
                }
                // The title, the rules and who the animateur is are the CRPS's choice (an admin's);
                // the rest of the dashboard is the animateur's.
                var sameRules = theme
                sameRules.dashboard = current.dashboard
                sameRules.dashboard.animateur = theme.dashboard.animateur
                let action: ControlPolicy.Action = sameRules == current ? .changeDashboard(
                    theme: theme.id, animateur: current.dashboard.animateur) : .createTheme
                try ControlPolicy.check(actor, action, tenant: tenant)
            }
            return try self.change(to: theme, from: current, tenant: tenant, actor: actor)
        default:
            let current = try self.namedTheme(o, tenant: tenant)
            try ControlPolicy.check(actor, .changeDashboard(theme: current.id, animateur: current.dashboard.animateur),
                                    tenant: tenant)
            var theme = current
            try Self.changeAxes(of: &theme, action: action, o)
            return try self.change(to: theme, from: current, tenant: tenant, actor: actor)
        }
    }

    /// The tenant a THEME command is about: the actor's own, or any an operator names.
    private func themeTenant(_ o: JSONObject, actor: Member) throws(Rejection) -> String {
        if let value = o["tenant"], value.stringValue == nil {
            throw Rejection(.badRequest, "'tenant' must be a string")
        }
        guard let tenant = o["tenant"]?.stringValue ?? (actor.tenant.isEmpty ? nil : actor.tenant) else {
            throw Rejection(.badRequest, "say which tenant ('tenant')")
        }
        guard tenant == actor.tenant || actor.stratum == .operator else {
            throw Rejection(.forbidden, "member '\(actor.id)' works in tenant '\(actor.tenant)', not '\(tenant)'")
        }
        guard self.registry.tenant(tenant) != nil else {
            throw Rejection(.notFound, "there is no tenant '\(tenant)'")
        }
        return tenant
    }

    private func namedTheme(_ o: JSONObject, tenant: String) throws(Rejection) -> ThemeConfiguration {
        guard let id = o["id"]?.stringValue else { throw Rejection(.badRequest, "'id' must name a theme") }
        guard let theme = self.registry.theme(id, tenant: tenant) else {
            throw Rejection(.notFound, "there is no theme '\(id)' in tenant '\(tenant)'")
        }
        return theme
    }

    /// Applies `axis-add`, `axis-remove`, `collector-add` or `collector-remove` to `theme`.
    private static func changeAxes(of theme: inout ThemeConfiguration, action: String, _ o: JSONObject)
    throws(Rejection) {
        if action == "axis-add" {
            guard let value = o["axis"], value.objectValue != nil else {
                throw Rejection(.badRequest, "'axis' must be an axis object (id, domain, deadline, collectors, …)")
            }
            let axis: ResearchAxis
            do throws(ConfigurationError) {
                axis = try ConfigurationLoader.readAxis(value, source: "axis", path: "axis")
            } catch {
                throw Rejection(.badRequest, "\(error.field): \(error.problem)")
            }
            guard theme.dashboard.axis(axis.id) == nil else {
                throw Rejection(.conflict, "theme '\(theme.id)' already has an axis '\(axis.id)'")
            }
            theme.dashboard.axes.append(axis)
            return
        }
        guard let name = o["axis"]?.stringValue else { throw Rejection(.badRequest, "'axis' must name an axis") }
        guard let n = theme.dashboard.axes.firstIndex(where: { $0.id == name }) else {
            throw Rejection(.notFound, "theme '\(theme.id)' has no axis '\(name)'")
        }
        if action == "axis-remove" {
            theme.dashboard.axes.remove(at: n)
            return
        }
        guard let member = o["member"]?.stringValue, Identifier.isValid(member) else {
            throw Rejection(.badRequest, "'member' must name a member")
        }
        var collectors = theme.dashboard.axes[n].collectors
        if action == "collector-add" {
            guard !collectors.contains(member) else {
                throw Rejection(.conflict, "member '\(member)' already collects for axis '\(name)'")
            }
            collectors.append(member)
        } else {
            guard collectors.contains(member) else {
                throw Rejection(.notFound, "member '\(member)' is not a collector of axis '\(name)'")
            }
            collectors.removeAll { $0 == member }
        }
        theme.dashboard.axes[n].collectors = collectors
    }

    /// Checks the member names a theme adds (animateur, analysts, collectors), writes the theme
    /// to `themes.json` and the audit trail, applies it, and cuts the feed when someone may now
    /// read less than before.
    private func change(
        to theme: ThemeConfiguration,
        from current: ThemeConfiguration?,
        tenant: String,
        actor: Member
    ) throws(Rejection) -> Reply {
        let warnings = try self.checkNames(theme, from: current, tenant: tenant)
        var store = self.themeStore
        store.put(theme, tenant: tenant)
        var registry = self.registry
        registry.upsert(theme, tenant: tenant)
        do throws(JournalError) {
            try store.save(path: self.themeStorePath)
            try self.registryStore?.record(registry, actor: actor.id)
        } catch {
            throw Self.writeFailure(error, "the theme change")
        }
        let members = registry.members(of: tenant)
        let narrowed = members.contains { member in
            let before = Set(ReadPolicy.readable(by: member, in: self.registry))
            return !before.isSubset(of: ReadPolicy.readable(by: member, in: registry))
        }
        self.themeStore = store
        self.registry = registry
        self.bus?.registry = registry
        if narrowed {
            // A member already subscribed to an axis it no longer collects for would go on
            // receiving: as for a revocation, every feed connection is cut and reconnects.
            self.feedResetPending = true
        }
        self.logger.notice(current == nil ? "theme created" : "theme changed",
                           [("theme", theme.id), ("tenant", tenant), ("by", actor.id)])
        return self.themeReply(theme, tenant: tenant, warnings: warnings)
    }

    /// Refuses names a theme introduces that are not members of the tenant, or collectors that
    /// are not capteurs; warns of collectors that do not work on the theme (they cannot read it
    /// until they do). Names already in `current` are left alone, so that a member removed since
    /// does not block every later change.
    private func checkNames(
        _ theme: ThemeConfiguration,
        from current: ThemeConfiguration?,
        tenant: String
    ) throws(Rejection) -> [String] {
        let old = current?.dashboard
        func member(_ id: String, as role: String) throws(Rejection) -> Member {
            guard let member = self.registry.member(id), member.tenant == tenant else {
                throw Rejection(.notFound, "'\(id)' (\(role)) is not a member of tenant '\(tenant)'")
            }
            return member
        }
        if let animateur = theme.dashboard.animateur, animateur != old?.animateur {
            let found = try member(animateur, as: "animateur")
            // The animateur runs the theme for the CRPS, and may name the axes' collectors: a
            // capteur in that role could make itself a collector of every axis.
            guard found.stratum == .crps || found.stratum == .gip else {
                throw Rejection(.badRequest, "animateur '\(animateur)' is a \(found.stratum.word) member; an "
                                + "animateur is a CRPS or GIP member")
            }
        }
        var warnings = [String]()
        for axis in theme.dashboard.axes {
            let before = old?.axis(axis.id)
            for analyst in axis.analysts where !(before?.analysts.contains(analyst) ?? false) {
                _ = try member(analyst, as: "analyst of axis '\(axis.id)'")
            }
            for collector in axis.collectors where !(before?.collectors.contains(collector) ?? false) {
                let found = try member(collector, as: "collector of axis '\(axis.id)'")
                guard found.stratum == .capteur else {
                    throw Rejection(.badRequest, "collector '\(collector)' of axis '\(axis.id)' is a "
                                    + "\(found.stratum.word) member; collectors are capteurs")
                }
                if !found.worksOn(theme.id) {
                    warnings.append("collector '\(collector)' does not work on theme '\(theme.id)': it receives "
                                    + "nothing of axis '\(axis.id)' until it does")
                }
            }
        }
        return warnings
    }

    private func themeReply(_ theme: ThemeConfiguration, tenant: String, warnings: [String]) -> Reply {
        var body = JSONObject([("tenant", .string(tenant)), ("theme", .object(theme.jsonObject))])
        // Who receives each axis's taskings: the collectors listed, and capteurs whose own axes
        // name it.
        var receivers = JSONObject()
        for axis in theme.dashboard.axes {
            let ids = self.registry.members(of: tenant).filter {
                self.registry.collection(of: $0, theme: theme.id, axis: axis.id) != nil
            }.map { JSONValue.string($0.id) }
            receivers[axis.id] = .array(ids)
        }
        body["axis_readers"] = .object(receivers)
        body["milestones"] = .array(self.milestoneStates(theme, tenant: tenant))
        if !warnings.isEmpty { body["warnings"] = .array(warnings.map { .string($0) }) }
        return Reply(word: "THEME", body: body)
    }

    /// What the themes' dashboards name that does not fit, for a warning at start (the file and
    /// `themes.json` are read before the members added at run time, so they are checked then):
    /// an animateur that is not a CRPS or GIP member of the tenant, analysts that are not
    /// members, collectors that are not capteurs of the tenant (they receive nothing).
    static func dashboardProblems(_ registry: Registry) -> [String] {
        var out = [String]()
        for tenant in registry.tenantIDs {
            func of(_ id: String) -> Member? { registry.member(id).flatMap { $0.tenant == tenant ? $0 : nil } }
            for theme in registry.themes(of: tenant) {
                let board = theme.dashboard
                let place = "theme '\(theme.id)' of tenant '\(tenant)'"
                if let animateur = board.animateur, ![.crps, .gip].contains(of(animateur)?.stratum) {
                    out.append("\(place): animateur '\(animateur)' is not a CRPS or GIP member of the tenant")
                }
                for axis in board.axes {
                    for analyst in axis.analysts where of(analyst) == nil {
                        out.append("\(place): analyst '\(analyst)' of axis '\(axis.id)' is not a member of the tenant")
                    }
                    for collector in axis.collectors where of(collector)?.stratum != .capteur {
                        out.append("\(place): collector '\(collector)' of axis '\(axis.id)' is not a capteur of the "
                                   + "tenant: it receives nothing")
                    }
                }
            }
        }
        return out
    }

    /// One line of `THEME list`.
    private func summary(of theme: ThemeConfiguration) -> JSONObject {
        var o = JSONObject([("id", .string(theme.id)), ("title", .string(theme.title)),
                            ("reference", .string(theme.dashboard.reference)),
                            ("trans_regional", .bool(theme.isTransRegional)),
                            ("axes", .array(theme.dashboard.axes.map { .string($0.id) }))])
        if let animateur = theme.dashboard.animateur { o["animateur"] = .string(animateur) }
        let now = Timestamp.now().milliseconds
        let upcoming = theme.dashboard.milestones.filter { !$0.planned.done && $0.planned.date.milliseconds > now }
        if let next = upcoming.first {
            o["next"] = .object(JSONObject([("label", .string(next.label)), ("date", .string(next.planned.date.text))]))
        }
        return o
    }
}
