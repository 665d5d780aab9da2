// SPDX-License-Identifier: Apache-2.0

/// Which back-planning reminders are due: for each dated milestone of a theme that is not
/// done, one "due soon" reminder once the date is at most `remind_days` ahead, and one
/// "overdue" reminder once it has passed. Each is raised once: a key names it (tenant, theme,
/// milestone, due instant, state) and the caller remembers the keys raised. A milestone already
/// past when first looked at gets its "overdue" reminder only; moving its date (to another
/// instant: the same one written with another offset is the same date) makes new reminders.
package enum ReminderPlanner {
    /// The two reminders a milestone can raise.
    package enum State: String, Sendable, Vocabulary {
        case dueSoon = "due-soon"
        case overdue

        package var word: String { self.rawValue }
    }

    /// A reminder to raise.
    package struct Due: Sendable, Equatable {
        package var tenant: String
        package var theme: String
        package var milestone: Milestone
        package var state: State

        /// What identifies it across restarts.
        package var key: String {
            ReminderPlanner.key(tenant: self.tenant, theme: self.theme, milestone: self.milestone, state: self.state)
        }
    }

    package static func key(tenant: String, theme: String, milestone: Milestone, state: State) -> String {
        "\(tenant)/\(theme)/\(milestone.key)@\(milestone.planned.date.milliseconds)/\(state.word)"
    }

    /// The state a milestone is in at `now`: nil while it is neither near nor past (or done).
    package static func state(of milestone: Milestone, remindDays: Int, now: Int64) -> State? {
        guard !milestone.planned.done else { return nil }
        let due = milestone.planned.date.milliseconds
        if now >= due { return .overdue }
        if now >= due - Int64(remindDays) * 86_400_000 { return .dueSoon }
        return nil
    }

    /// The reminders due at `now` in `themes` (tenant, theme) that `raised` does not hold yet.
    package static func due(
        themes: [(tenant: String, theme: ThemeConfiguration)],
        now: Int64,
        raised: Set<String>
    ) -> [Due] {
        var out = [Due]()
        for (tenant, theme) in themes {
            for milestone in theme.dashboard.milestones {
                guard let state = self.state(of: milestone, remindDays: theme.dashboard.remindDays, now: now)
                else { continue }
                let due = Due(tenant: tenant, theme: theme.id, milestone: milestone, state: state)
                if !raised.contains(due.key) { out.append(due) }
            }
        }
        return out
    }
}
