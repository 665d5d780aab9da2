// SPDX-License-Identifier: Apache-2.0

extension Member {
    /// The member as JSON, as `MEMBER list/show` answer it and `enrolment.json` keeps it.
    package var jsonObject: JSONObject {
        var o = JSONObject()
        o["id"] = .string(self.id)
        o["tenant"] = .string(self.tenant)
        o["stratum"] = .string(self.stratum.word)
        o["themes"] = .array(self.themes.map { .string($0) })
        if let name { o["name"] = .string(name) }
        if let organisation { o["organisation"] = .string(organisation) }
        if let publicKey { o["public_key"] = .string(publicKey) }
        if self.isAdmin { o["admin"] = .bool(true) }
        if !self.animates.isEmpty { o["animates"] = .array(self.animates.map { .string($0) }) }
        return o
    }

    /// The fields a member object may have.
    static let fields = ["id", "tenant", "stratum", "themes", "name", "organisation", "public_key", "admin",
                         "animates"]

    /// Reads a member from a JSON object, checking the shape of each field (not whether it fits
    /// the registry: see ``Enrolment/check(_:in:security:)``).
    ///
    /// - Parameters:
    ///   - o: the fields.
    ///   - tenant: the tenant when the object names none.
    ///   - allowTenant: whether the object may name its tenant (`tenant` is refused otherwise).
    ///   - allowAxes: whether `axes` is passed over (members of `enrolment.json` written by
    ///     0.3.0 have it; the axes a capteur collects for now live in the themes' dashboards).
    /// - Throws: ``Rejection`` with `bad-request` naming the field.
    package static func read(
        _ o: JSONObject,
        tenant: String,
        allowTenant: Bool = true,
        allowAxes: Bool = false
    ) throws(Rejection) -> Member {
        if o["axes"] != nil && !allowAxes {
            throw Rejection(.badRequest, "a member no longer lists its axes: name it among an axis's collectors "
                            + "('orisctl theme collector add THEME AXIS MEMBER')")
        }
        for key in o.keys where (!Self.fields.contains(key) && !(key == "axes" && allowAxes))
            || (key == "tenant" && !allowTenant) {
            let known = Self.fields.joined(separator: ", ")
            throw Rejection(.badRequest, "unknown member field '\(key)' (known: \(known))")
        }
        func text(_ key: String) throws(Rejection) -> String? {
            guard let value = o[key] else { return nil }
            guard let text = value.stringValue else { throw Rejection(.badRequest, "'\(key)' must be a string") }
            return text
        }
        func names(_ key: String) throws(Rejection) -> [String] {
            guard let value = o[key] else { return [] }
            guard let items = value.arrayValue else {
                throw Rejection(.badRequest, "'\(key)' must be an array of names")
            }
            var out = [String]()
            for item in items {
                guard let name = item.stringValue, Identifier.isValid(name) else {
                    throw Rejection(.badRequest, "'\(key)' must be an array of names")
                }
                if !out.contains(name) { out.append(name) }
            }
            return out
        }
        guard let id = try text("id") else { throw Rejection(.badRequest, "a member needs an 'id'") }
        guard let stratumWord = try text("stratum") else {
            throw Rejection(.badRequest, "a member needs a 'stratum' (\(Stratum.wordList))")
        }
        guard let stratum = Stratum(word: stratumWord) else {
            throw Rejection(.badRequest, "'\(stratumWord)' is not a stratum (\(Stratum.wordList))")
        }
        for key in ["name", "organisation"] {
            guard let value = try text(key) else { continue }
            guard !value.isEmpty, value.count <= 200, !value.unicodeScalars.contains(where: DisplayText.isUnsafe)
            else {
                throw Rejection(.badRequest, "'\(key)' must be 1 to 200 characters without control characters")
            }
        }
        var member = Member(id: id, tenant: try text("tenant") ?? tenant, stratum: stratum,
                            themes: try names("themes"), name: try text("name"),
                            organisation: try text("organisation"), publicKey: try text("public_key"))
        if let value = o["admin"] {
            guard let flag = value.boolValue else { throw Rejection(.badRequest, "'admin' must be true or false") }
            member.isAdmin = flag
        }
        member.animates = try names("animates")
        return member
    }
}
