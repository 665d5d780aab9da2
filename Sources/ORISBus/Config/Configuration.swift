// SPDX-License-Identifier: Apache-2.0

/// How connections prove who they are.
package enum SecurityMode: String, Sendable, Vocabulary {
    /// Development only: a client names its member as a PLAIN user name and nothing checks it.
    /// Every endpoint must be on loopback or ipc.
    case none
    /// CurveZMQ on every endpoint: a client proves its member by its key pair, the daemon by
    /// its own; the ZAP handler admits only enrolled public keys.
    case curve

    package var word: String { self.rawValue }
}

/// Where the daemon listens.
package struct Endpoints: Sendable, Equatable {
    /// ROUTER: acknowledged publish and requests.
    package var api: [String]
    /// XPUB: live delivery.
    package var feed: [String]
    /// SUB, bound: unacknowledged publish from PUB sockets.
    package var ingest: [String]

    package init(api: [String], feed: [String], ingest: [String]) {
        self.api = api
        self.feed = feed
        self.ingest = ingest
    }
}

/// A key theme of a tenant, as far as routing needs it.
package struct ThemeConfiguration: Sendable, Equatable {
    package var id: String
    package var title: String
    /// An alert at or above this severity also reaches the CRPS…
    package var crpsSeverity: Severity
    /// …when it is also at least this urgent, if set…
    package var crpsUrgency: Urgency?
    /// …and at least this certain, if set.
    package var crpsCertainty: Certainty?
    /// When weak signals from independent capteurs make a corroboration alert; nil: never.
    package var corroboration: CorroborationRule?
    /// Whether other regions follow the theme through the national level.
    package var isTransRegional: Bool
    /// On a trans-regional theme, the severity at which an item is offered to the national level.
    package var nationalSeverity: Severity = .severe
    /// Whether an `amber` item may be offered to the national level (`green` and `clear` may;
    /// `red` and `amber+strict` never).
    package var nationalAmber = false
    /// What the animateur and the team work from: axes, collectors, back-planning.
    package var dashboard: ThemeDashboard {
        _read { yield self.sharedDashboard.value }
        _modify { yield &self.sharedDashboard.value }
    }
    /// The dashboard behind one reference: every publish copies its theme out of the registry,
    /// and the dashboard's texts and lists would each be retained and released.
    private var sharedDashboard = CopyOnWrite(ThemeDashboard())

    package init(id: String, title: String, crpsSeverity: Severity = .severe, isTransRegional: Bool = false) {
        self.id = id
        self.title = title
        self.crpsSeverity = crpsSeverity
        self.isTransRegional = isTransRegional
    }
}

/// One region's bus, or the national level.
package struct TenantConfiguration: Sendable, Equatable {
    package var id: String
    package var name: String
    package var themes: [ThemeConfiguration]
    /// Its members, each with this tenant's id.
    package var members: [Member]
    /// The journal's settings: the configuration's `journal`, with the tenant's own overrides.
    package var durability: DurabilityPolicy
    /// What the tenant may use, so that it cannot starve the others.
    package var quota = TenantQuota()
    /// The escalation rules a theme starts from (the tenant's `defaults`): a theme created at
    /// run time takes them too.
    package var themeDefaults = ThemeConfiguration(id: "-", title: "")

    package init(
        id: String,
        name: String,
        themes: [ThemeConfiguration],
        members: [Member],
        durability: DurabilityPolicy = DurabilityPolicy()
    ) {
        self.id = id
        self.name = name
        self.themes = themes
        self.members = members
        self.durability = durability
    }
}

/// Everything `orisd` needs to run, checked.
package struct Configuration: Sendable, Equatable {
    /// Where state lives; relative ipc endpoints are resolved inside it.
    package var stateDirectory: String
    package var security: SecurityMode
    /// The daemon's own CURVE key pair, under security `curve`.
    package var serverKeys: CurveKeyPair?
    package var endpoints: Endpoints
    package var limits: ItemLimits
    /// Messages queued per feed subscriber before the feed drops for that subscriber.
    package var feedHighWaterMark: Int32
    package var logLevel: LogLevel
    package var tenants: [TenantConfiguration]

    package init(
        stateDirectory: String,
        security: SecurityMode,
        endpoints: Endpoints,
        limits: ItemLimits,
        feedHighWaterMark: Int32,
        logLevel: LogLevel,
        tenants: [TenantConfiguration]
    ) {
        self.stateDirectory = stateDirectory
        self.security = security
        self.endpoints = endpoints
        self.limits = limits
        self.feedHighWaterMark = feedHighWaterMark
        self.logLevel = logLevel
        self.tenants = tenants
    }
}

/// Why a configuration cannot be used: the file, the field, what is wrong.
package struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file read, or `(embedded default)`.
    package var file: String
    /// The field's path, such as `tenants[0].themes[1].crps_severity`; empty for the whole file.
    package var field: String
    package var problem: String

    package init(file: String, field: String, problem: String) {
        self.file = file
        self.field = field
        self.problem = problem
    }

    package var description: String {
        if self.field.isEmpty {
            return "configuration '\(self.file)': \(self.problem)"
        }
        return "configuration '\(self.file)': field '\(self.field)': \(self.problem)"
    }
}

/// When the daemon raises a corroboration alert: at least `sources` independent capteurs sent
/// weak signals on one theme, sharing a tag (or an axis), within `windowSeconds`.
package struct CorroborationRule: Sendable, Equatable {
    /// What makes signals converge.
    package enum Match: String, Sendable, Vocabulary {
        case tag, axis

        package var word: String { self.rawValue }
    }

    package var sources: Int
    package var windowSeconds: Int
    package var match: Match

    package init(sources: Int = 3, windowSeconds: Int = 7 * 86400, match: Match = .tag) {
        self.sources = sources
        self.windowSeconds = windowSeconds
        self.match = match
    }
}
