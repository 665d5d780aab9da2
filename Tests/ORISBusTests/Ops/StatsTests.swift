// SPDX-License-Identifier: Apache-2.0
import Testing
@testable import ORISBus

/// The daemon's counters and their STATS form.
@Suite struct StatsTests {
    @Test func countRejection_isTrueOnlyTheFirstTimeAnEndpointSeesACode() {
        var stats = Stats()

        let first = stats.countRejection(.badTitle, endpoint: "api")
        let second = stats.countRejection(.badTitle, endpoint: "api")
        let otherCode = stats.countRejection(.forbidden, endpoint: "api")
        let otherEndpoint = stats.countRejection(.badTitle, endpoint: "ingest")

        #expect(first)
        #expect(second == false)
        #expect(otherCode)
        #expect(otherEndpoint)
        #expect(stats.rejected["api"]?[.badTitle] == 2)
        #expect(stats.rejected["api"]?[.forbidden] == 1)
        #expect(stats.rejected["ingest"]?[.badTitle] == 1)
    }

    @Test func jsonObject_whenNothingHappened_listsEveryTierAtZero() {
        let object = Stats().jsonObject

        #expect(object.keys == ["accepted", "delivered", "rejected", "subscriptions", "unsubscriptions",
                                "refused_subscriptions", "refused_connections", "feed_rebinds", "duplicates",
                                "raised", "reminders", "replayed",
                                "dropped_replies", "gap_repairs", "heap_bytes"])
        #expect(object["accepted"] == .object(JSONObject()))
        #expect(object["delivered"] == .object(JSONObject([
            ("capteur", .int(0)), ("axis", .int(0)), ("gip", .int(0)), ("crps", .int(0)), ("national", .int(0)),
            ("test", .int(0)), ("archive", .int(0)),
        ])))
        #expect(object["delivered"]?.objectValue?.keys == ["capteur", "axis", "gip", "crps", "national", "test",
                                                            "archive"])
        #expect(object["rejected"] == .object(JSONObject()))
        #expect(object["subscriptions"] == .int(0))
    }

    @Test func jsonObject_carriesEveryCounterUnderItsWireName() {
        var stats = Stats()
        stats.accepted["ingest"] = 2
        stats.accepted["api"] = 5
        stats.delivered[.gip] = 7
        stats.delivered[.crps] = 1
        stats.countRejection(.unknownMember, endpoint: "api")
        stats.countRejection(.badJSON, endpoint: "api")
        stats.countRejection(.badJSON, endpoint: "api")
        stats.subscriptions = 3
        stats.unsubscriptions = 1
        stats.refusedConnections = 4

        let object = stats.jsonObject

        #expect(object["accepted"]?.objectValue?.keys == ["api", "ingest"])
        #expect(object["accepted"] == .object(JSONObject([("api", .int(5)), ("ingest", .int(2))])))
        #expect(object["delivered"]?.objectValue?["gip"] == .int(7))
        #expect(object["delivered"]?.objectValue?["crps"] == .int(1))
        #expect(object["delivered"]?.objectValue?["capteur"] == .int(0))
        let api = object["rejected"]?.objectValue?["api"]?.objectValue
        #expect(api?.keys == ["bad-json", "unknown-member"])
        #expect(api?["bad-json"] == .int(2))
        #expect(api?["unknown-member"] == .int(1))
        #expect(object["subscriptions"] == .int(3))
        #expect(object["unsubscriptions"] == .int(1))
        #expect(object["refused_connections"] == .int(4))
    }

    @Test func jsonObject_writesValidJSON() throws {
        var stats = Stats()
        stats.countRejection(.headerTooLarge, endpoint: "ingest")

        let object = stats.jsonObject

        let parsed = try JSONParser.parse(JSONWriter.encode(.object(object)))

        #expect(parsed == .object(object))
    }

    @Test func jsonObject_carriesTheHeapBytesInUse() throws {
        let object = Stats().jsonObject

        let bytes = try #require(object["heap_bytes"]?.intValue)

        #expect(bytes > 0)
    }
}
