// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
@testable import ORISBus

/// A theme's dashboard as `theme.json` writes it: every field read, written back the same,
/// every mistake named by its field. Expected values are written by hand from the file.
@Suite struct ThemeDashboardTests {
    static let base = ThemeConfiguration(id: "-", title: "")

    static func read(_ text: String) throws(ConfigurationError) -> ThemeConfiguration {
        let value = (try? JSONParser.parse(Array(text.utf8))) ?? .null
        return try ConfigurationLoader.readTheme(value, base: Self.base, source: "theme.json")
    }

    /// The example shipped in config/themes/, read field by field.
    @Test func theExampleTheme_readsEveryField() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let path = root.appendingPathComponent("config/themes/auto-rang3.json")
        let text = try String(contentsOf: path, encoding: .utf8)
        let theme = try Self.read(text)
        #expect(theme.id == "auto-rang3")
        #expect(theme.crpsSeverity == .moderate)
        #expect(theme.corroboration == CorroborationRule(sources: 3, windowSeconds: 259_200, match: .tag))
        let board = theme.dashboard
        #expect(board.reference == "TCIT-BFC-2026-03")
        #expect(board.animateur == "crps-bfc")
        #expect(board.team.count == 3 && board.team[0] == "gip-auto")
        #expect(board.axes.map(\.id) == ["dependance", "diversification"])
        #expect(board.axes[0].collectors == ["cci-doubs"])
        #expect(board.axes[0].sources == ["BODACC", "greffes", "entretiens CCI"])
        #expect(board.axes[1].deadline?.date.text == "2027-03-01")
        #expect(board.planning.start?.text == "2026-12-01")
        #expect(board.planning.checkpoints.map(\.label) == ["point d'étape janvier"])
        #expect(board.milestones.map(\.key) == ["checkpoint:point d'étape janvier", "axis:dependance",
                                                 "axis:diversification", "axes_diagnostics",
                                                 "consolidated_diagnostic", "crps_use"])
    }

    @Test func writtenAndReadBack_isTheSameTheme() throws {
        let theme = try Self.read("""
            {"id": "t", "title": "T", "crps_severity": "Extreme", "crps_urgency": "Immediate",
             "trans_regional": true, "national_amber": true, "corroboration": null, "remind_days": 3,
             "reference": "R-1", "animateur": "anim", "request_analysis": "pourquoi", "context": "où",
             "team": ["a", "b"],
             "axes": [{"id": "a1", "title": "x", "domain": "d", "analysts": ["g1", "g2"],
                       "deadline": {"date": "2027-01-15", "done": true}, "collectors": ["c1"],
                       "indicators": ["i"], "sources": ["s"]},
                      {"id": "a2"}],
             "planning": {"start": "2026-12-01",
                          "checkpoints": [{"label": "mi-parcours", "date": "2027-01-10T09:00:00+01:00"}],
                          "axes_diagnostics": "2027-02-01", "consolidated_diagnostic": "2027-02-15",
                          "crps_use": {"date": "2027-03-01", "done": false}}}
            """)
        let again = try ConfigurationLoader.readTheme(.object(theme.jsonObject), base: ThemeConfiguration(
            id: "-", title: "", crpsSeverity: .minor), source: "again")
        #expect(again == theme)
        #expect(theme.crpsUrgency == .immediate && theme.isTransRegional && theme.nationalAmber)
        #expect(theme.corroboration == nil)
        #expect(theme.dashboard.axes[0].deadline == PlannedDate(date: DueDate("2027-01-15")!, done: true))
    }

    /// A day is due when it ends (UTC); an instant when it comes. 2027-01-15 is day 20,833 since
    /// 1970-01-01 (57 years of 365 days, 14 leap days, 14 days into January).
    @Test func dueDates_dayEndsAtMidnightUTC_instantAsWritten() {
        let day: Int64 = (57 * 365 + 14 + 14) * 86_400_000
        #expect(DueDate("2027-01-15")?.milliseconds == day + 86_400_000)
        #expect(DueDate("2027-01-15T09:00:00+01:00")?.milliseconds == day + 8 * 3_600_000)
        #expect(DueDate("2027-02-30") == nil)
        #expect(DueDate("15/01/2027") == nil)
        #expect(DueDate("") == nil)
    }

    @Test(arguments: [
        (#"{"id": "t", "axes": [{"id": "a"}, {"id": "a"}]}"#, "axes[1].id", "listed twice"),
        (#"{"id": "t", "axes": [{"id": "a", "deadline": "bientôt"}]}"#, "axes[0].deadline", "not a date"),
        (#"{"id": "t", "axes": [{"id": "a", "colectors": []}]}"#, "axes[0].colectors", "did you mean 'collectors'"),
        (#"{"id": "t", "axes": [{"id": "A b"}]}"#, "axes[0].id", "is not a name"),
        (#"{"id": "t", "planning": {"checkpoints": [{"date": "2027-01-01"}]}}"#, "planning.checkpoints[0].label",
         "needs a 'label'"),
        (#"{"id": "t", "planning": {"crps_use": {"date": "2027-01-01", "done": "yes"}}}"#, "planning.crps_use.done",
         "true or false"),
        (#"{"id": "t", "remind_days": 400}"#, "remind_days", "outside 0...366"),
        (#"{"id": "t", "axes": [{"id": "a", "collectors": ["c1", 2]}]}"#, "axes[0].collectors[1]", "expected a string"),
        (#"{"title": "t"}"#, "id", "missing"),
    ])
    func mistakes_nameTheirField(text: String, field: String, problem: String) {
        #expect {
            _ = try Self.read(text)
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.field == field && error.problem.contains(problem)
        }
    }

    @Test func overLongTextsAndLists_areRefused() {
        let long = String(repeating: "é", count: 5001)
        #expect(throws: ConfigurationError.self) { _ = try Self.read(#"{"id": "t", "context": "\#(long)"}"#) }
        let many = (0...1000).map { "\"m\($0)\"" }.joined(separator: ",")
        #expect(throws: ConfigurationError.self) { _ = try Self.read(#"{"id": "t", "team": [\#(many)]}"#) }
    }

    /// Milestones in date order, each with the tiers its reminders reach.
    @Test func milestones_inDateOrderWithTheirTiers() throws {
        let theme = try Self.read("""
            {"id": "t", "axes": [{"id": "a1", "deadline": "2027-02-01"}, {"id": "a2"}],
             "planning": {"start": "2026-01-01", "checkpoints": [{"label": "cp", "date": "2027-01-01"}],
                          "crps_use": "2027-04-01", "consolidated_diagnostic": "2027-03-01",
                          "axes_diagnostics": "2027-02-15"}}
            """)
        let milestones = theme.dashboard.milestones
        #expect(milestones.map(\.key) == ["checkpoint:cp", "axis:a1", "axes_diagnostics", "consolidated_diagnostic",
                                          "crps_use"])
        #expect(milestones.map(\.tiers) == [[.gip, .crps], [.gip, .axis], [.gip], [.gip, .crps], [.gip, .crps]])
        #expect(milestones[1].axis == "a1")
        // The loop's cheap question agrees with the list, with dates and without.
        #expect(theme.dashboard.hasMilestones)
        #expect(!ThemeDashboard().hasMilestones && ThemeDashboard().milestones.isEmpty)
        var startOnly = ThemeDashboard()
        startOnly.planning.start = DueDate("2027-01-01")
        startOnly.axes = [ResearchAxis(id: "sans-date")]
        #expect(!startOnly.hasMilestones && startOnly.milestones.isEmpty)
    }
}
