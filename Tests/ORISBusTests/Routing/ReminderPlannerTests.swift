// SPDX-License-Identifier: Apache-2.0
import Testing
@testable import ORISBus

/// When reminders come due: written by hand from the rule ("due soon" from `remind_days`
/// before the date, "overdue" from the date on, nothing once done, each key once).
@Suite struct ReminderPlannerTests {
    static let day: Int64 = 86_400_000
    static let due = DueDate("2027-01-15T00:00:00Z")!

    static func milestone(done: Bool = false) -> Milestone {
        Milestone(key: "axis:a1", label: "deadline of axis 'a1'", planned: PlannedDate(date: Self.due, done: done),
                  tiers: [.gip, .axis], axis: "a1")
    }

    @Test func states_atEachBoundary() {
        let t = Self.due.milliseconds
        let m = Self.milestone()
        #expect(ReminderPlanner.state(of: m, remindDays: 7, now: t - 7 * Self.day - 1) == nil)
        #expect(ReminderPlanner.state(of: m, remindDays: 7, now: t - 7 * Self.day) == .dueSoon)
        #expect(ReminderPlanner.state(of: m, remindDays: 7, now: t - 1) == .dueSoon)
        #expect(ReminderPlanner.state(of: m, remindDays: 7, now: t) == .overdue)
        #expect(ReminderPlanner.state(of: m, remindDays: 0, now: t - 1) == nil)
        #expect(ReminderPlanner.state(of: Self.milestone(done: true), remindDays: 7, now: t + Self.day) == nil)
    }

    @Test func due_skipsWhatWasRaised_andAPastDateGetsOnlyItsOverdue() throws {
        var theme = ThemeConfiguration(id: "t", title: "")
        var axis = ResearchAxis(id: "a1")
        axis.deadline = PlannedDate(date: Self.due)
        theme.dashboard.axes = [axis]
        theme.dashboard.planning.crpsUse = PlannedDate(date: DueDate("2027-03-01")!)
        let themes = [(tenant: "bfc", theme: theme)]
        let t = Self.due.milliseconds

        let soon = ReminderPlanner.due(themes: themes, now: t - Self.day, raised: [])
        #expect(soon.map(\.key) == ["bfc/t/axis:a1@\(t)/due-soon"])
        #expect(ReminderPlanner.due(themes: themes, now: t - 1, raised: Set(soon.map(\.key))).isEmpty)

        let late = ReminderPlanner.due(themes: themes, now: t, raised: Set(soon.map(\.key)))
        #expect(late.map(\.key) == ["bfc/t/axis:a1@\(t)/overdue"])
        // A daemon that was down through the whole "due soon" span raises the overdue one alone.
        #expect(ReminderPlanner.due(themes: themes, now: t + Self.day, raised: []).map(\.state) == [.overdue])
    }

    @Test func movingADate_makesNewReminders() {
        var moved = Self.milestone()
        moved.planned.date = DueDate("2027-01-22T00:00:00Z")!
        let old = ReminderPlanner.key(tenant: "bfc", theme: "t", milestone: Self.milestone(), state: .overdue)
        let new = ReminderPlanner.key(tenant: "bfc", theme: "t", milestone: moved, state: .overdue)
        #expect(old != new)
        // The same instant written with another offset is the same date.
        var rewritten = Self.milestone()
        rewritten.planned.date = DueDate("2027-01-15T01:00:00+01:00")!
        #expect(ReminderPlanner.key(tenant: "bfc", theme: "t", milestone: rewritten, state: .overdue) == old)
    }
}
