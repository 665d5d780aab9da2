// SPDX-License-Identifier: Apache-2.0

extension ThemeConfiguration {
    /// The theme as JSON, in the shape ``ConfigurationLoader/readTheme(_:base:source:path:allowing:)``
    /// reads: what `THEME show` answers and `themes.json` keeps. Every rule is written out, so
    /// that reading it back gives the same theme whatever the tenant's defaults.
    package var jsonObject: JSONObject {
        var o = JSONObject()
        o["id"] = .string(self.id)
        o["title"] = .string(self.title)
        o["trans_regional"] = .bool(self.isTransRegional)
        o["crps_severity"] = .string(self.crpsSeverity.word)
        if let urgency = self.crpsUrgency { o["crps_urgency"] = .string(urgency.word) }
        if let certainty = self.crpsCertainty { o["crps_certainty"] = .string(certainty.word) }
        o["national_severity"] = .string(self.nationalSeverity.word)
        o["national_amber"] = .bool(self.nationalAmber)
        if let rule = self.corroboration {
            o["corroboration"] = .object(JSONObject([
                ("sources", .int(Int64(rule.sources))), ("window_seconds", .int(Int64(rule.windowSeconds))),
                ("match", .string(rule.match.word)),
            ]))
        } else {
            o["corroboration"] = .null
        }
        let board = self.dashboard
        o["reference"] = .string(board.reference)
        if let animateur = board.animateur { o["animateur"] = .string(animateur) }
        o["request_analysis"] = .string(board.requestAnalysis)
        o["context"] = .string(board.context)
        o["team"] = Self.strings(board.team)
        o["remind_days"] = .int(Int64(board.remindDays))
        o["axes"] = .array(board.axes.map { .object(Self.json($0)) })
        o["planning"] = .object(Self.json(board.planning))
        return o
    }

    private static func strings(_ list: [String]) -> JSONValue { .array(list.map { .string($0) }) }

    private static func json(_ planned: PlannedDate) -> JSONValue {
        planned.done ? .object(JSONObject([("date", .string(planned.date.text)), ("done", .bool(true))]))
            : .string(planned.date.text)
    }

    private static func json(_ axis: ResearchAxis) -> JSONObject {
        var o = JSONObject()
        o["id"] = .string(axis.id)
        o["title"] = .string(axis.title)
        o["domain"] = .string(axis.domain)
        o["analysts"] = self.strings(axis.analysts)
        if let deadline = axis.deadline { o["deadline"] = self.json(deadline) }
        o["collectors"] = self.strings(axis.collectors)
        o["indicators"] = self.strings(axis.indicators)
        o["sources"] = self.strings(axis.sources)
        return o
    }

    private static func json(_ planning: BackPlanning) -> JSONObject {
        var o = JSONObject()
        if let start = planning.start { o["start"] = .string(start.text) }
        o["checkpoints"] = .array(planning.checkpoints.map { checkpoint in
            .object(JSONObject([("label", .string(checkpoint.label)), ("date", .string(checkpoint.planned.date.text)),
                                ("done", .bool(checkpoint.planned.done))]))
        })
        if let planned = planning.axesDiagnostics { o["axes_diagnostics"] = self.json(planned) }
        if let planned = planning.consolidatedDiagnostic { o["consolidated_diagnostic"] = self.json(planned) }
        if let planned = planning.crpsUse { o["crps_use"] = self.json(planned) }
        return o
    }
}
