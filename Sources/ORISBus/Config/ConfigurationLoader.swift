// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif

/// Reads a configuration document: JSON, with `//` and `/* */` comments allowed.
///
/// Every problem is reported as a ``ConfigurationError`` naming the file, the field's path and
/// what is wrong, before anything is bound or written.
package enum ConfigurationLoader {
    /// The name used for the embedded default in error messages.
    package static let embeddedName = "(embedded default)"

    /// Reads and checks the file at `path`.
    ///
    /// - Throws: ``ConfigurationError``.
    package static func load(path: String) throws(ConfigurationError) -> Configuration {
        guard let bytes = FileBytes.read(path: path) else {
            let reason = FileBytes.lastErrorText()
            throw ConfigurationError(file: path, field: "", problem: "cannot read the file: \(reason)")
        }
        return try self.parse(bytes, file: path)
    }

    /// The embedded default: one demo region, loopback and ipc only.
    package static func embeddedDefault() throws(ConfigurationError) -> Configuration {
        try self.parse(Array(DefaultConfiguration.text.utf8), file: embeddedName)
    }

    /// The embedded default's text, as `orisd --print-default-config` shows it.
    package static var defaultText: String { DefaultConfiguration.text }

    /// A few lines saying what a configuration holds, for `orisd --check-config`.
    package static func summary(of configuration: Configuration, file: String) -> String {
        var lines = ["configuration '\(file)' is valid"]
        lines.append("state folder: \(configuration.stateDirectory)")
        lines.append("security: \(configuration.security.word)")
        lines.append("api: \(configuration.endpoints.api.joined(separator: " "))")
        lines.append("feed: \(configuration.endpoints.feed.joined(separator: " "))")
        lines.append("ingest: \(configuration.endpoints.ingest.joined(separator: " "))")
        for tenant in configuration.tenants {
            func count(_ n: Int, _ word: String) -> String { n == 1 ? "1 \(word)" : "\(n) \(word)s" }
            lines.append("tenant \(tenant.id): \(count(tenant.themes.count, "theme")), "
                         + "\(count(tenant.members.count, "member"))")
        }
        return lines.joined(separator: "\n")
    }

    /// Reads and checks a document.
    ///
    /// - Parameters:
    ///   - bytes: the document.
    ///   - file: its name in error messages.
    /// - Throws: ``ConfigurationError``.
    package static func parse(_ bytes: [UInt8], file: String) throws(ConfigurationError) -> Configuration {
        let stripped: [UInt8]
        do {
            stripped = try CommentStripper.strip(bytes)
        } catch {
            throw ConfigurationError(file: file, field: "", problem: error.description)
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(stripped)
        } catch {
            let (line, column) = CommentStripper.lineAndColumn(of: error.offset, in: bytes)
            throw ConfigurationError(file: file, field: "",
                                     problem: "not valid JSON at line \(line), column \(column): \(error.reason)")
        }
        let root = ConfigNode(value: value, path: "", file: file)
        return try self.read(root)
    }

    /// `path` made absolute against the current working folder.
    package static func absolute(_ path: String) -> String {
        guard !path.hasPrefix("/") else { return path }
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buffer, buffer.count) != nil else { return path }
        let cwd = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var relative = Substring(path)
        while relative.hasPrefix("./") { relative = relative.dropFirst(2) }
        if relative == "." || relative.isEmpty { return cwd }
        return cwd == "/" ? "/" + relative : cwd + "/" + relative
    }

    // MARK: - Fields

    private static func read(_ root: ConfigNode) throws(ConfigurationError) -> Configuration {
        let o = try root.object(allowed: [
            "state_dir", "security", "server_certificate", "log_level", "endpoints", "limits", "feed_high_water_mark",
            "journal", "tenants",
        ])
        let stateSetting = try root.child(o, "state_dir")?.string() ?? "oris-state"
        guard !stateSetting.isEmpty else {
            throw root.fail("the state folder cannot be empty", field: "state_dir")
        }
        // Relative to the daemon's working folder, made absolute so that the ipc endpoints the
        // daemon advertises mean the same to clients started elsewhere.
        let stateDirectory = Self.absolute(stateSetting)
        let security = try root.child(o, "security")?.word(SecurityMode.self) ?? .none
        var serverKeys: CurveKeyPair?
        if let node = root.child(o, "server_certificate") {
            let path = Self.absolute(try node.string())
            let certificate: CurveCertificate
            do {
                certificate = try CurveCertificate.read(path: path)
            } catch {
                throw node.fail(error.description)
            }
            guard let secret = certificate.secretKey else {
                throw node.fail("'\(path)' holds no secret-key: give the _secret file")
            }
            serverKeys = CurveKeyPair(publicKey: certificate.publicKey, secretKey: secret)
        } else if security == .curve {
            throw root.fail("security 'curve' needs the daemon's secret certificate "
                            + "(make one with: orisctl keygen PATH)", field: "server_certificate")
        }
        var logLevel = LogLevel.info
        if let node = root.child(o, "log_level") {
            let word = try node.string()
            guard let level = LogLevel(word: word) else {
                throw node.fail("'\(word)' is not one of \(LogLevel.allCases.map(\.word).joined(separator: ", "))")
            }
            logLevel = level
        }
        let endpoints = try self.readEndpoints(root.required(o, "endpoints"), stateDirectory: stateDirectory,
                                               security: security)
        let limits = try root.child(o, "limits").map(self.readLimits) ?? ItemLimits()
        let hwm = try root.child(o, "feed_high_water_mark")?.integer(in: 1...10_000_000) ?? 10_000
        let durability = try root.child(o, "journal").map { node throws(ConfigurationError) in
            try self.readDurability(node, base: DurabilityPolicy())
        } ?? DurabilityPolicy()

        var tenants = [TenantConfiguration]()
        var memberIDs = Set<String>()
        let tenantNodes = try root.required(o, "tenants").array()
        guard !tenantNodes.isEmpty else {
            throw root.fail("at least one tenant is needed", field: "tenants")
        }
        for node in tenantNodes {
            let tenant = try self.readTenant(node, memberIDs: &memberIDs, durability: durability)
            guard !tenants.contains(where: { $0.id == tenant.id }) else {
                throw node.fail("tenant '\(tenant.id)' is defined twice", field: "\(node.path).id")
            }
            tenants.append(tenant)
        }
        var configuration = Configuration(
            stateDirectory: stateDirectory, security: security, endpoints: endpoints, limits: limits,
            feedHighWaterMark: Int32(hwm), logLevel: logLevel, tenants: tenants
        )
        configuration.serverKeys = serverKeys
        if security == .curve {
            var keys: [String: String] = [:]
            for (t, tenant) in tenants.enumerated() {
                for (m, member) in tenant.members.enumerated() {
                    let field = "tenants[\(t)].members[\(m)].public_key"
                    guard let key = member.publicKey else {
                        throw root.fail("security 'curve' needs each member's public key", field: field)
                    }
                    if let other = keys.updateValue(member.id, forKey: key) {
                        throw root.fail("the same key as member '\(other)'", field: field)
                    }
                }
            }
        }
        return configuration
    }

    private static func readEndpoints(
        _ node: ConfigNode,
        stateDirectory: String,
        security: SecurityMode
    ) throws(ConfigurationError) -> Endpoints {
        let o = try node.object(allowed: ["api", "feed", "ingest"])
        func list(_ key: String, required: Bool) throws(ConfigurationError) -> [String] {
            guard let child = node.child(o, key) else {
                if required { throw node.fail("missing", field: "\(node.path).\(key)") }
                return []
            }
            var out = [String]()
            for item in try child.array() {
                let text = try item.string()
                let resolved: String
                do {
                    resolved = try EndpointRule.resolve(text, stateDirectory: stateDirectory, security: security)
                } catch {
                    throw item.fail(error.description)
                }
                out.append(resolved)
            }
            if required && out.isEmpty {
                throw child.fail("at least one endpoint is needed")
            }
            return out
        }
        let endpoints = Endpoints(api: try list("api", required: true), feed: try list("feed", required: true),
                                  ingest: try list("ingest", required: false))
        // libzmq replaces an existing ipc socket file when it binds, so two endpoints on one path
        // would silently take each other's place; a tcp address can be bound only once.
        var seen: [String: String] = [:]
        for (name, list) in [("api", endpoints.api), ("feed", endpoints.feed), ("ingest", endpoints.ingest)] {
            for (n, endpoint) in list.enumerated() where !endpoint.hasSuffix(":*") {
                let field = "\(node.path).\(name)[\(n)]"
                if let other = seen[endpoint] {
                    throw node.fail("'\(endpoint)' is also given as \(other)", field: field)
                }
                seen[endpoint] = field
            }
        }
        return endpoints
    }

    private static func readLimits(_ node: ConfigNode) throws(ConfigurationError) -> ItemLimits {
        let o = try node.object(allowed: ["max_header_bytes", "max_body_bytes", "max_title_length"])
        var limits = ItemLimits()
        if let n = node.child(o, "max_header_bytes") {
            limits.maximumHeaderBytes = Int(try n.integer(in: 256...1_048_576))
        }
        if let n = node.child(o, "max_body_bytes") {
            limits.maximumBodyBytes = Int(try n.integer(in: 0...268_435_456))
        }
        if let n = node.child(o, "max_title_length") {
            limits.maximumTitleLength = Int(try n.integer(in: 1...10_000))
        }
        return limits
    }

    private static func readDurability(
        _ node: ConfigNode,
        base: DurabilityPolicy
    ) throws(ConfigurationError) -> DurabilityPolicy {
        let o = try node.object(allowed: ["fsync", "batch_ms", "segment_bytes", "dedupe_window_seconds",
                                          "dedupe_max_items", "retention_seconds", "retention_bytes"])
        var policy = base
        var batch = 10
        if case .batch(let ms) = base.fsync { batch = ms }
        if let n = node.child(o, "batch_ms") {
            batch = Int(try n.integer(in: 1...60_000))
        }
        if let n = node.child(o, "fsync") {
            switch try n.string() {
            case "always": policy.fsync = .always
            case "batch": policy.fsync = .batch(milliseconds: batch)
            case "never": policy.fsync = .never
            case let other: throw n.fail("'\(other)' is not one of always, batch, never")
            }
        } else if case .batch = policy.fsync {
            policy.fsync = .batch(milliseconds: batch)
        }
        if let n = node.child(o, "segment_bytes") {
            policy.segmentBytes = Int(try n.integer(in: 65536...(1 << 30)))
        }
        if let n = node.child(o, "dedupe_window_seconds") {
            policy.dedupeWindowSeconds = Int(try n.integer(in: 0...(400 * 86400)))
        }
        if let n = node.child(o, "dedupe_max_items") {
            policy.dedupeMaxItems = Int(try n.integer(in: 1...100_000_000))
        }
        if let n = node.child(o, "retention_seconds") {
            policy.retentionSeconds = Int(try n.integer(in: 0...(100 * 365 * 86400)))
        }
        if let n = node.child(o, "retention_bytes") {
            policy.retentionBytes = Int(try n.integer(in: 0...(1 << 50)))
        }
        return policy
    }

    private static func readTenant(
        _ node: ConfigNode,
        memberIDs: inout Set<String>,
        durability: DurabilityPolicy
    ) throws(ConfigurationError) -> TenantConfiguration {
        let o = try node.object(allowed: ["id", "name", "themes", "members", "journal", "quota", "defaults"])
        let id = try node.required(o, "id").identifier()
        let name = try node.child(o, "name")?.string() ?? id
        // The tenant's escalation defaults: a theme without its own rule takes these.
        var base = ThemeConfiguration(id: "-", title: "")
        if let defaults = node.child(o, "defaults") {
            let d = try defaults.object(allowed: Self.escalationFields)
            base = try self.readEscalation(defaults, d, base: base)
        }
        var themes = [ThemeConfiguration]()
        for themeNode in try node.child(o, "themes")?.array() ?? [] {
            let theme = try self.readTheme(themeNode, base: base)
            guard !themes.contains(where: { $0.id == theme.id }) else {
                throw themeNode.fail("theme '\(theme.id)' is defined twice in tenant '\(id)'",
                                     field: "\(themeNode.path).id")
            }
            themes.append(theme)
        }
        var members = [Member]()
        for memberNode in try node.child(o, "members")?.array() ?? [] {
            let m = try memberNode.object(allowed: ["id", "name", "stratum", "themes", "organisation", "public_key",
                                                    "admin", "animates", "axes"])
            let memberID = try memberNode.required(m, "id").identifier()
            guard memberIDs.insert(memberID).inserted else {
                throw memberNode.fail("member '\(memberID)' is defined twice (member names are unique "
                                      + "across all tenants)", field: "\(memberNode.path).id")
            }
            let themeList = try memberNode.child(m, "themes")?.strings() ?? []
            for (n, theme) in themeList.enumerated() where !themes.contains(where: { $0.id == theme }) {
                throw memberNode.fail("theme '\(theme)' is not a theme of tenant '\(id)'",
                                      field: "\(memberNode.path).themes[\(n)]")
            }
            var member = Member(
                id: memberID,
                tenant: id,
                stratum: try memberNode.required(m, "stratum").word(Stratum.self),
                themes: themeList,
                name: try memberNode.child(m, "name")?.string(),
                organisation: try memberNode.child(m, "organisation")?.string()
            )
            member.isAdmin = try memberNode.child(m, "admin")?.bool() ?? false
            member.animates = try memberNode.child(m, "animates")?.strings() ?? []
            if memberNode.child(m, "axes") != nil {
                throw memberNode.fail("a member no longer lists its axes: name it among the collectors of "
                                      + "an axis of its theme's dashboard ('axes[].collectors')",
                                      field: "\(memberNode.path).axes")
            }
            if !member.animates.isEmpty && member.stratum != .crps && member.stratum != .gip {
                throw memberNode.fail("an animateur is a CRPS or GIP member, not \(member.stratum.word)",
                                      field: "\(memberNode.path).animates")
            }
            for (n, theme) in member.animates.enumerated()
            where !themes.contains(where: { $0.id == theme }) || !(themeList.isEmpty || themeList.contains(theme)) {
                throw memberNode.fail("theme '\(theme)' is not one the member works on in tenant '\(id)'",
                                      field: "\(memberNode.path).animates[\(n)]")
            }
            if let keyNode = memberNode.child(m, "public_key") {
                let key = try keyNode.string()
                guard Z85.decode(key)?.count == 32 else {
                    throw keyNode.fail("'\(key)' is not a 40-character Z85 CURVE public key")
                }
                member.publicKey = key
            }
            members.append(member)
        }
        let own = try node.child(o, "journal").map { journal throws(ConfigurationError) in
            try self.readDurability(journal, base: durability)
        } ?? durability
        var tenant = TenantConfiguration(id: id, name: name, themes: themes, members: members, durability: own)
        tenant.themeDefaults = base
        if let quotaNode = node.child(o, "quota") {
            tenant.quota = try self.readQuota(quotaNode)
            if let most = tenant.quota.maximumMembers, members.count > most {
                throw quotaNode.fail("the tenant lists \(members.count) members, over its quota of \(most)",
                                     field: "\(quotaNode.path).members")
            }
        }
        return tenant
    }

    /// The fields of an escalation rule, in a theme or in a tenant's `defaults`.
    static let escalationFields = ["crps_severity", "crps_urgency", "crps_certainty", "national_severity",
                                   "national_amber", "corroboration"]

    static func readEscalation(
        _ node: ConfigNode,
        _ o: JSONObject,
        base: ThemeConfiguration
    ) throws(ConfigurationError) -> ThemeConfiguration {
        var theme = base
        if let n = node.child(o, "crps_severity") { theme.crpsSeverity = try n.word(Severity.self) }
        if let n = node.child(o, "crps_urgency") { theme.crpsUrgency = try n.word(Urgency.self) }
        if let n = node.child(o, "crps_certainty") { theme.crpsCertainty = try n.word(Certainty.self) }
        if let n = node.child(o, "national_severity") { theme.nationalSeverity = try n.word(Severity.self) }
        if let n = node.child(o, "national_amber") { theme.nationalAmber = try n.bool() }
        if let n = node.child(o, "corroboration") {
            if n.value == .null {
                theme.corroboration = nil
            } else {
                let c = try n.object(allowed: ["sources", "window_seconds", "match"])
                var rule = CorroborationRule()
                if let k = n.child(c, "sources") { rule.sources = Int(try k.integer(in: 2...1000)) }
                if let w = n.child(c, "window_seconds") {
                    rule.windowSeconds = Int(try w.integer(in: 1...(366 * 86400)))
                }
                if let m = n.child(c, "match") { rule.match = try m.word(CorroborationRule.Match.self) }
                theme.corroboration = rule
            }
        }
        return theme
    }

    private static func readQuota(_ node: ConfigNode) throws(ConfigurationError) -> TenantQuota {
        let o = try node.object(allowed: ["rate", "burst", "max_body_bytes", "topics", "members", "storage_bytes"])
        var quota = TenantQuota()
        quota.ratePerSecond = try node.child(o, "rate").map { n throws(ConfigurationError) in
            Double(try n.integer(in: 1...10_000_000))
        }
        quota.burst = try node.child(o, "burst").map { n throws(ConfigurationError) in
            Int(try n.integer(in: 1...100_000_000))
        }
        quota.maximumBodyBytes = try node.child(o, "max_body_bytes").map { n throws(ConfigurationError) in
            Int(try n.integer(in: 0...268_435_456))
        }
        quota.maximumTopics = try node.child(o, "topics").map { n throws(ConfigurationError) in
            Int(try n.integer(in: 1...10_000_000))
        }
        quota.maximumMembers = try node.child(o, "members").map { n throws(ConfigurationError) in
            Int(try n.integer(in: 1...10_000_000))
        }
        quota.maximumStorageBytes = try node.child(o, "storage_bytes").map { n throws(ConfigurationError) in
            Int(try n.integer(in: 65536...(1 << 50)))
        }
        if quota.burst != nil && quota.ratePerSecond == nil {
            throw node.fail("a burst needs a rate", field: "\(node.path).burst")
        }
        return quota
    }
}
