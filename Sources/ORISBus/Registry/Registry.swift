// SPDX-License-Identifier: Apache-2.0

/// A member as the bus knows it: its configuration and its tenant.
package struct Member: Sendable, Equatable {
    package var id: String
    package var tenant: String
    package var stratum: Stratum
    /// Themes it works on; empty means every theme of its tenant.
    package var themes: [String]
    package var organisation: String?

    /// Whether the member works on `theme`.
    package func worksOn(_ theme: String) -> Bool {
        self.themes.isEmpty || self.themes.contains(theme)
    }
}

/// Tenants, their themes and members, looked up by name.
///
/// Built from the configuration at start.
package struct Registry: Sendable {
    private var tenantsByID: [String: TenantConfiguration] = [:]
    private var themesByKey: [String: ThemeConfiguration] = [:]
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
            for m in tenant.members {
                self.membersByID[m.id] = Member(id: m.id, tenant: tenant.id, stratum: m.stratum,
                                                themes: m.themes, organisation: m.organisation)
                if let key = m.publicKey { self.membersByKey[key] = m.id }
            }
        }
    }

    private static func key(_ tenant: String, _ theme: String) -> String { "\(tenant)/\(theme)" }

    /// The member connecting under this name.
    package func member(_ id: String) -> Member? { self.membersByID[id] }

    /// The member enrolled with this CURVE public key (Z85).
    package func member(publicKey: String) -> Member? {
        self.membersByKey[publicKey].flatMap { self.membersByID[$0] }
    }

    /// A theme of a tenant.
    package func theme(_ id: String, tenant: String) -> ThemeConfiguration? {
        self.themesByKey[Self.key(tenant, id)]
    }

    /// A tenant.
    package func tenant(_ id: String) -> TenantConfiguration? { self.tenantsByID[id] }

    /// How many members are known.
    package var memberCount: Int { self.membersByID.count }
}
