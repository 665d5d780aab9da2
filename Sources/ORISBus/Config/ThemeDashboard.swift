// SPDX-License-Identifier: Apache-2.0

/// A date a theme's work is due by: a day (`2027-01-15`, due when that day ends, in UTC) or an
/// instant (RFC 3339, due at that instant).
package struct DueDate: Sendable, Equatable {
    /// The date as written, kept for display and as part of a reminder's identity.
    package var text: String
    /// When it is due, in milliseconds since 1970 (UTC).
    package var milliseconds: Int64

    /// Reads `2027-01-15` or an RFC 3339 date and time; nil when it is neither.
    package init?(_ text: String) {
        if let instant = Timestamp(rfc3339: text) {
            self.milliseconds = instant.milliseconds
        } else if text.utf8.count == 10, let midnight = Timestamp(rfc3339: text + "T00:00:00Z") {
            // A day is due when it is over: the deadline "15 January" still holds on the 15th.
            self.milliseconds = midnight.milliseconds + 86_400_000
        } else {
            return nil
        }
        self.text = text
    }
}

/// A back-planning date and whether the work it stands for is done (no reminder then).
package struct PlannedDate: Sendable, Equatable {
    package var date: DueDate
    package var done = false

    package init(date: DueDate, done: Bool = false) {
        self.date = date
        self.done = done
    }
}

/// An intermediate checkpoint of a theme's back-planning.
package struct Checkpoint: Sendable, Equatable {
    /// What is checked; unique within the theme.
    package var label: String
    package var planned: PlannedDate

    package init(label: String, planned: PlannedDate) {
        self.label = label
        self.planned = planned
    }
}

/// A research axis (axe de recherche): one part of a theme, given to analysts and to the
/// capteurs that collect for it.
package struct ResearchAxis: Sendable, Equatable {
    /// Its name, unique within the theme; it appears in topics (`…/axis/<id>/tasking`).
    package var id: String
    package var title = ""
    /// The field it covers (markets, technologies, competitors, regulation…).
    package var domain = ""
    /// GIP members who interpret it.
    package var analysts: [String] = []
    /// When its diagnostic is due.
    package var deadline: PlannedDate?
    /// Capteur members who collect for it: they alone receive its taskings.
    package var collectors: [String] = []
    /// The indicators sought.
    package var indicators: [String] = []
    /// The sources targeted.
    package var sources: [String] = []

    package init(id: String) {
        self.id = id
    }
}

/// The back-planning of a theme: from its start to its use by the CRPS (Fiche 3.3).
package struct BackPlanning: Sendable, Equatable {
    /// When the work starts: the reference date, with no reminder of its own.
    package var start: DueDate?
    package var checkpoints: [Checkpoint] = []
    /// Restitution of the axes' diagnostics.
    package var axesDiagnostics: PlannedDate?
    /// The consolidated diagnostic.
    package var consolidatedDiagnostic: PlannedDate?
    /// Use of the diagnostic by the CRPS.
    package var crpsUse: PlannedDate?

    package init() {}
}

/// A key theme's dashboard (tableau de bord, Fiche 3.3 of the founding document): what the
/// animateur and the team work from. Routing reads only the axes and their collectors; the
/// rest is kept and shown.
package struct ThemeDashboard: Sendable, Equatable {
    /// The theme's reference in the CRPS's records.
    package var reference = ""
    /// The member who runs the theme for the CRPS.
    package var animateur: String?
    /// The request analysis: why the CRPS opened the theme.
    package var requestAnalysis = ""
    package var context = ""
    /// Who works on the theme (member names, or people without an account).
    package var team: [String] = []
    package var axes: [ResearchAxis] = []
    package var planning = BackPlanning()
    /// How many days before a date the "due soon" reminder is raised.
    package var remindDays = 7

    package init() {}

    /// The axis named `id`.
    package func axis(_ id: String) -> ResearchAxis? {
        self.axes.first { $0.id == id }
    }

    /// Whether any date could raise a reminder: what ``milestones`` would list, without building
    /// and sorting it (the daemon's loop asks before each poll).
    package var hasMilestones: Bool {
        let planning = self.planning
        return !planning.checkpoints.isEmpty || self.axes.contains { $0.deadline != nil }
            || planning.axesDiagnostics != nil || planning.consolidatedDiagnostic != nil || planning.crpsUse != nil
    }

    /// The dated milestones that raise reminders, in back-planning order: the checkpoints, each
    /// axis's deadline, the restitution of the axes' diagnostics, the consolidated diagnostic
    /// and its use by the CRPS.
    package var milestones: [Milestone] {
        var out = [Milestone]()
        let planning = self.planning
        for checkpoint in planning.checkpoints {
            // Checkpoints bring the animateur (a CRPS member) and the analysts together.
            out.append(Milestone(key: "checkpoint:" + checkpoint.label, label: "checkpoint '\(checkpoint.label)'",
                                 planned: checkpoint.planned, tiers: [.gip, .crps]))
        }
        for axis in self.axes {
            guard let deadline = axis.deadline else { continue }
            out.append(Milestone(key: "axis:" + axis.id, label: "deadline of axis '\(axis.id)'", planned: deadline,
                                 tiers: [.gip, .axis], axis: axis.id))
        }
        if let planned = planning.axesDiagnostics {
            out.append(Milestone(key: "axes_diagnostics", label: "restitution of the axes' diagnostics",
                                 planned: planned, tiers: [.gip]))
        }
        if let planned = planning.consolidatedDiagnostic {
            out.append(Milestone(key: "consolidated_diagnostic", label: "consolidated diagnostic", planned: planned,
                                 tiers: [.gip, .crps]))
        }
        if let planned = planning.crpsUse {
            out.append(Milestone(key: "crps_use", label: "use of the diagnostic by the CRPS", planned: planned,
                                 tiers: [.gip, .crps]))
        }
        return out.sorted { $0.planned.date.milliseconds < $1.planned.date.milliseconds }
    }
}

/// One dated piece of a theme's back-planning, with whom its reminders go to.
package struct Milestone: Sendable, Equatable {
    /// Stable within the theme: `checkpoint:<label>`, `axis:<id>`, `axes_diagnostics`,
    /// `consolidated_diagnostic`, `crps_use`.
    package var key: String
    /// How a reminder names it.
    package var label: String
    package var planned: PlannedDate
    /// The tiers its reminders reach (``Tier/axis``: the axis's collectors).
    package var tiers: [Tier]
    /// The axis, for an axis's deadline.
    package var axis: String?
}
