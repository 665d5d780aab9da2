// SPDX-License-Identifier: Apache-2.0

extension Bus {
    /// The extension field that marks a back-planning reminder and says what it is about.
    static let reminderField = "x-reminder"

    /// The item id of a reminder: made from its key, so that the id window recognises a
    /// reminder already stored when a crash came before it was recorded as raised. Its `~`
    /// keeps publishers from taking it (``Identifier/isValidPublishedID(_:)``).
    static func reminderID(_ due: ReminderPlanner.Due) -> String {
        String(SHA256.hex(SHA256.hash(Array(due.key.utf8))).prefix(32)) + "~reminder"
    }

    /// Raises a reminder of `theme`'s back-planning: an item of kind `reminder`, sent by the
    /// daemon, on the tiers its milestone names (the GIP always; the CRPS for the consolidated
    /// diagnostic and its use; an axis's collectors for its deadline).
    ///
    /// - Returns: the stored item, or nil when its id was already stored (a crash came between
    ///   storing it and recording it as raised).
    func remind(_ due: ReminderPlanner.Due, theme: ThemeConfiguration, now: Timestamp) throws(Rejection) -> Accepted? {
        let id = Self.reminderID(due)
        if self.stores[due.tenant]?.window.find(id)?.sender == Self.daemonSender { return nil }
        let milestone = due.milestone
        let date = milestone.planned.date
        // Whole days left, counted down: 4 days and 2 hours is "in 4 days".
        let days = (date.milliseconds - now.milliseconds) / 86_400_000
        let when = days < 1 ? "within a day" : days == 1 ? "in a day" : "in \(days) days"
        let title = due.state == .overdue
            ? "Overdue since \(date.text): \(milestone.label) of theme '\(theme.id)'"
            : "Due \(when), \(date.text): \(milestone.label) of theme '\(theme.id)'"
        // Within the title limit every client was promised (a checkpoint's label can be long).
        let most = self.reader.limits.maximumTitleLength
        let fitted = String(String.UnicodeScalarView(title.unicodeScalars.prefix(most)))
        var header = ItemHeader(id: id, kind: .reminder, theme: theme.id, title: fitted)
        header.severity = due.state == .overdue ? .moderate : .minor
        header.tlp = .amber
        header.axis = milestone.axis
        header.extensions = [(Self.reminderField, .object(JSONObject([
            ("milestone", .string(milestone.key)), ("label", .string(milestone.label)), ("date", .string(date.text)),
            ("state", .string(due.state.word)),
        ])))]
        header.tenant = due.tenant
        header.sender = Self.daemonSender
        header.received = now
        header.origin = due.tenant
        let reason = "back-planning reminder (\(due.state.word)): \(milestone.label), \(date.text)"
        let routes = milestone.tiers.map {
            Delivery(tier: $0, reason: reason, axis: $0 == .axis ? milestone.axis : nil)
        }
        return try self.store(header, routes: routes, body: [], sender: Self.daemonSender, tenant: due.tenant,
                              quota: nil, claimed: nil, now: now)
    }
}
