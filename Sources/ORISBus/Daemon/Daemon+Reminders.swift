// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif

extension Daemon {
    /// Where the keys of the reminders raised are kept.
    var remindersPath: String { self.configuration.stateDirectory + "/reminders.json" }

    /// Once a second at most, raises the back-planning reminders that have come due
    /// (``ReminderPlanner``), delivers them, and records them as raised.
    ///
    /// Exactly once each, across restarts: a reminder is stored in the journal first, then its
    /// key is written to `reminders.json`. A crash between the two leaves the item in the
    /// journal, whose id (made from the key) the id window recognises at the next start, so it
    /// is recorded without being raised twice.
    func raiseRemindersWhenDue(_ sockets: Daemon.Sockets, now: Timestamp = .now()) throws(ZMQError) {
        guard now.milliseconds - self.lastReminderCheck.milliseconds >= 1000, let bus = self.bus else { return }
        self.lastReminderCheck = now
        let themes = self.registry.tenantIDs.flatMap { tenant in
            self.registry.themes(of: tenant).map { (tenant: tenant, theme: $0) }
        }
        let due = ReminderPlanner.due(themes: themes, now: now.milliseconds, raised: self.raisedReminders)
        guard !due.isEmpty else { return }
        var recorded = self.raisedReminders
        // A hundred a second at most, so that a back-planning full of past dates does not hold
        // the loop; the rest come in the next seconds. A tenant whose journal refuses one (a full
        // disk) is passed over until the next second, so that it holds up no other tenant.
        var raised = 0
        var refusing = Set<String>()
        for reminder in due where raised < 100 && !refusing.contains(reminder.tenant) {
            guard let theme = self.registry.theme(reminder.theme, tenant: reminder.tenant) else { continue }
            let accepted: Accepted?
            do {
                accepted = try bus.remind(reminder, theme: theme, now: now)
            } catch {
                refusing.insert(reminder.tenant)
                if self.failedReminders.insert(reminder.key).inserted {
                    self.logger.error("reminder not stored", [("reminder", reminder.key), ("err", error.message)])
                }
                continue
            }
            raised += 1
            recorded.insert(reminder.key)
            guard let accepted else { continue }
            self.stats.reminders += 1
            self.logger.info("reminder raised", [
                ("id", accepted.id), ("tenant", reminder.tenant), ("theme", reminder.theme),
                ("milestone", reminder.milestone.key), ("date", reminder.milestone.planned.date.text),
                ("state", reminder.state.word),
                ("tiers", accepted.outbound.map(\.topic.tier.word).joined(separator: ",")),
            ])
            let deliveries = accepted.outbound.map {
                FeedMessage(tier: $0.topic.tier, frames: [$0.topic.bytes, $0.encodedHeader, []])
            }
            self.hold(deliveries: deliveries, reply: nil, tenant: reminder.tenant, position: accepted.position,
                      id: accepted.id)
            try self.releaseHeld(sockets)
        }
        guard recorded != self.raisedReminders else { return }
        do {
            try Self.saveReminders(recorded, path: self.remindersPath)
        } catch {
            // Kept in memory for this run; after a restart the id window still knows them.
            self.logger.error("reminders not recorded", [("path", self.remindersPath), ("err", error.description)])
        }
        self.raisedReminders = recorded
    }

    /// Each milestone of `theme` with its state now and the reminders it has raised, for
    /// `THEME show`.
    func milestoneStates(_ theme: ThemeConfiguration, tenant: String) -> [JSONValue] {
        let now = Timestamp.now().milliseconds
        return theme.dashboard.milestones.map { milestone in
            let state = ReminderPlanner.state(of: milestone, remindDays: theme.dashboard.remindDays, now: now)
            let raised = ReminderPlanner.State.allCases.filter {
                self.raisedReminders.contains(ReminderPlanner.key(tenant: tenant, theme: theme.id, milestone: milestone,
                                                                  state: $0))
            }
            var o = JSONObject([
                ("key", .string(milestone.key)), ("label", .string(milestone.label)),
                ("date", .string(milestone.planned.date.text)),
                ("state", .string(milestone.planned.done ? "done" : state?.word ?? "planned")),
                ("reminded", .array(raised.map { .string($0.word) })),
                ("tiers", .array(milestone.tiers.map { .string($0.word) })),
            ])
            if let axis = milestone.axis { o["axis"] = .string(axis) }
            return .object(o)
        }
    }

    /// Reads the keys of the reminders raised; a missing file holds none.
    static func loadReminders(path: String) throws(JournalError) -> Set<String> {
        guard let bytes = FileBytes.read(path: path) else {
            guard errno == ENOENT else { throw .io(call: "open", path: path, errno: errno) }
            return []
        }
        guard case .object(let o)? = try? JSONParser.parse(bytes), let keys = o["raised"]?.arrayValue,
              keys.allSatisfy({ $0.stringValue != nil })
        else {
            throw .damaged(path: path, problem: "not a reminders file (an object with 'raised', a list of keys)")
        }
        return Set(keys.compactMap(\.stringValue))
    }

    static func saveReminders(_ keys: Set<String>, path: String) throws(JournalError) {
        let list = JSONValue.array(keys.sorted().map { .string($0) })
        try AtomicFile.replace(path, with: JSONWriter.encode(.object(JSONObject([("raised", list)]))) + [0x0A])
    }
}
