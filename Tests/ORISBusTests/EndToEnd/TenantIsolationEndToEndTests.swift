// SPDX-License-Identifier: Apache-2.0
import Foundation
import ORISBus
import Testing

/// The tenant's wall on the feed: a member subscribes only inside its own tenant.
@Suite("tenant isolation end to end", .serialized)
struct TenantIsolationEndToEndTests {
    @Test func subscriptions_beyondTheMembersTenant_takeNothingAndAreCountedAndLoggedOnce() throws {
        let daemon = try RunningDaemon()
        let session = try Session(daemon)
        defer { session.close() }
        // An ara member tries everything to see bfc's items; a bfc member subscribes normally.
        let everything = try session.subscriber(as: "ara-gip", [""])
        let otherTenant = try session.subscriber(as: "ara-gip", ["bfc/"])
        let lookAlike = try session.subscriber(as: "ara-gip", ["bf"])
        let again = try session.subscriber(as: "ara-gip", ["bfc/"])
        let own = try session.subscriber(as: "gip-machine", ["bfc/machine-speciale/gip/"])
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let stats = try session.stats()
            if (stats["subscriptions"]?.intValue ?? 0) >= 1 && (stats["refused_subscriptions"]?.intValue ?? 0) >= 4 {
                break
            }
            usleep(20_000)
        }

        let ack = try session.client(as: "cci-belfort").request(.publish(
            header: header([("kind", .string("alert")), ("theme", .string("machine-speciale")),
                            ("title", .string("réservé à la région")), ("severity", .string("Extreme"))]),
            body: []))

        #expect(ack.word == "ACK")
        #expect(try own.next(timeoutMilliseconds: 5000)?.header?["title"] == .string("réservé à la région"))
        for subscriber in [everything, otherTenant, lookAlike, again] {
            #expect(try subscriber.next(timeoutMilliseconds: 300) == nil)
        }
        let stats = try session.stats()
        #expect(stats["refused_subscriptions"]?.intValue == 4)
        #expect(stats["subscriptions"]?.intValue == 1)
        let notices = daemon.stderr.lines.filter { $0.contains("msg=\"subscription refused\"") }
        // Three different member/prefix pairs: "", "bfc/" (twice, logged once), "bf".
        #expect(notices.count == 3)
        #expect(notices.allSatisfy { $0.contains("member=ara-gip") })
    }
}
