// SPDX-License-Identifier: Apache-2.0

/// Tenants, their themes and members, looked up by name.
///
/// Built from the configuration at start; members are added and removed at run time by the
/// control commands (``Enrolment`` keeps those changes across restarts).
package struct Registry: Sendable {
    private var tenantsByID: [String: TenantConfiguration] = [:]
    private var themesByKey: [ThemeKey: ThemeConfiguration] = [:]
    private var membersByID: [String: Member] = [:]
    private var membersByKey: [String: String] = [:]
    /// Tenant ids in the order they were configured.
    package private(set) var tenantIDs: [String] = []

    package init(configuration: Configuration) {
        for tenant in configuration.tenants {
            self.tenantsByID[tenant.id] = tenant
            self.tenantIDs.append(tenant.id)
            for theme in tenant.themes {
                self.themesByKey[Self.key(tenant.id, theme.id)] = theme
            }
            for var member in tenant.members {
                member.tenant = tenant.id
                self.insert(member)
            }
        }
    }

    /// A theme's tenant and id, hashed as they are: every publish looks its theme up, and a
    /// key made into one string cost an interpolation each time.
    private struct ThemeKey: Hashable, Sendable {
        var tenant: String
        var theme: String
    }

    private static func key(_ tenant: String, _ theme: String) -> ThemeKey { ThemeKey(tenant: tenant, theme: theme) }

    /// The member connecting under this name.
    package func member(_ id: String) -> Member? { self.membersByID[id] }

    /// The member enrolled with this CURVE public key (Z85).
    package func member(publicKey: String) -> Member? {
        self.membersByKey[publicKey].flatMap { self.membersByID[$0] }
    }

    /// A tenant's members, by id.
    package func members(of tenant: String) -> [Member] {
        self.membersByID.values.filter { $0.tenant == tenant }.sorted { $0.id < $1.id }
    }

    /// A theme of a tenant.
    package func theme(_ id: String, tenant: String) -> ThemeConfiguration? {
        self.themesByKey[Self.key(tenant, id)]
    }

    /// A tenant's themes, in their configured order.
    package func themes(of tenant: String) -> [ThemeConfiguration] {
        self.tenantsByID[tenant]?.themes ?? []
    }

    /// A tenant.
    package func tenant(_ id: String) -> TenantConfiguration? { self.tenantsByID[id] }

    /// Why `member` collects for `axis` of `theme`, or nil when it does not: a capteur that
    /// works on the theme, named among the axis's collectors in the theme's dashboard. The
    /// dashboard is the one place that says it, so the animateur can always take it back.
    package func collection(of member: Member, theme: String, axis: String) -> String? {
        guard member.stratum == .capteur, member.worksOn(theme),
              let found = self.theme(theme, tenant: member.tenant)?.dashboard.axis(axis),
              found.collectors.contains(member.id)
        else { return nil }
        return "listed among the collectors of axis '\(axis)' of theme '\(theme)'"
    }

    /// `member` with its roles as the themes give them: each theme whose dashboard names it
    /// animateur is added to its `animates` (its own record is not changed). Only a CRPS or GIP
    /// member is an animateur.
    package func withThemeRoles(_ member: Member) -> Member {
        guard member.stratum == .crps || member.stratum == .gip else { return member }
        var out = member
        for theme in self.themes(of: member.tenant)
        where theme.dashboard.animateur == member.id && !out.animates.contains(theme.id) {
            out.animates.append(theme.id)
        }
        return out
    }

    /// Adds a theme to a tenant, or replaces the theme of the same id in place.
    package mutating func upsert(_ theme: ThemeConfiguration, tenant: String) {
        guard var configuration = self.tenantsByID[tenant] else { return }
        if let n = configuration.themes.firstIndex(where: { $0.id == theme.id }) {
            configuration.themes[n] = theme
        } else {
            configuration.themes.append(theme)
        }
        self.tenantsByID[tenant] = configuration
        self.themesByKey[Self.key(tenant, theme.id)] = theme
    }

    /// How many members are known.
    package var memberCount: Int { self.membersByID.count }

    /// Adds or replaces a member (by id). The caller has checked it with ``Enrolment/check(_:in:)``.
    package mutating func insert(_ member: Member) {
        if let old = self.membersByID[member.id], let key = old.publicKey {
            self.membersByKey[key] = nil
        }
        self.membersByID[member.id] = member
        if let key = member.publicKey { self.membersByKey[key] = member.id }
    }

    /// Removes a member; its key no longer names anyone.
    ///
    /// - Returns: the member removed, or nil when there was none.
    @discardableResult
    package mutating func remove(_ id: String) -> Member? {
        guard let old = self.membersByID.removeValue(forKey: id) else { return nil }
        if let key = old.publicKey, self.membersByKey[key] == id { self.membersByKey[key] = nil }
        return old
    }
}
