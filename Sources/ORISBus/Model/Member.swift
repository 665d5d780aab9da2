// SPDX-License-Identifier: Apache-2.0

/// A member as the bus knows it: who it is, its tenant, stratum, themes and roles.
package struct Member: Sendable, Equatable {
    package var id: String {
        get { self.fields.value.id }
        set { self.fields.value.id = newValue }
    }
    package var tenant: String {
        get { self.fields.value.tenant }
        set { self.fields.value.tenant = newValue }
    }
    package var stratum: Stratum {
        get { self.fields.value.stratum }
        set { self.fields.value.stratum = newValue }
    }
    /// Themes it works on; empty means every theme of its tenant.
    package var themes: [String] {
        get { self.fields.value.themes }
        set { self.fields.value.themes = newValue }
    }
    package var name: String? {
        get { self.fields.value.name }
        set { self.fields.value.name = newValue }
    }
    package var organisation: String? {
        get { self.fields.value.organisation }
        set { self.fields.value.organisation = newValue }
    }
    /// Its CURVE public key (Z85), under security `curve`.
    package var publicKey: String? {
        get { self.fields.value.publicKey }
        set { self.fields.value.publicKey = newValue }
    }
    /// A tenant admin manages its tenant's members.
    package var isAdmin: Bool {
        get { self.fields.value.isAdmin }
        set { self.fields.value.isAdmin = newValue }
    }
    /// The themes it runs as animateur.
    package var animates: [String] {
        get { self.fields.value.animates }
        set { self.fields.value.animates = newValue }
    }

    /// The fields, behind one reference: every publish looks its sender up and hands it on.
    private var fields: CopyOnWrite<Fields>

    private struct Fields: Sendable, Equatable {
        var id: String
        var tenant: String
        var stratum: Stratum
        var themes: [String]
        var name: String?
        var organisation: String?
        var publicKey: String?
        var isAdmin = false
        var animates: [String] = []
    }

    package init(
        id: String,
        tenant: String,
        stratum: Stratum,
        themes: [String] = [],
        name: String? = nil,
        organisation: String? = nil,
        publicKey: String? = nil
    ) {
        self.fields = CopyOnWrite(Fields(id: id, tenant: tenant, stratum: stratum, themes: themes, name: name,
                                         organisation: organisation, publicKey: publicKey))
    }

    package static func == (lhs: Member, rhs: Member) -> Bool {
        lhs.fields.value == rhs.fields.value
    }

    /// Whether the member works on `theme`.
    package func worksOn(_ theme: String) -> Bool {
        self.themes.isEmpty || self.themes.contains(theme)
    }
}
