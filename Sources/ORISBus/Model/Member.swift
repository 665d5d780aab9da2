// SPDX-License-Identifier: Apache-2.0

/// A member as the bus knows it: who it is, its tenant, stratum, themes and roles.
package struct Member: Sendable, Equatable {
    package var id: String
    package var tenant: String
    package var stratum: Stratum
    /// Themes it works on; empty means every theme of its tenant.
    package var themes: [String]
    package var name: String?
    package var organisation: String?
    /// Its CURVE public key (Z85), under security `curve`.
    package var publicKey: String?
    /// A tenant admin manages its tenant's members.
    package var isAdmin = false
    /// The themes it runs as animateur.
    package var animates: [String] = []

    package init(
        id: String,
        tenant: String,
        stratum: Stratum,
        themes: [String] = [],
        name: String? = nil,
        organisation: String? = nil,
        publicKey: String? = nil
    ) {
        self.id = id
        self.tenant = tenant
        self.stratum = stratum
        self.themes = themes
        self.name = name
        self.organisation = organisation
        self.publicKey = publicKey
    }

    /// Whether the member works on `theme`.
    package func worksOn(_ theme: String) -> Bool {
        self.themes.isEmpty || self.themes.contains(theme)
    }
}
