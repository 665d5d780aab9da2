// SPDX-License-Identifier: Apache-2.0
import Testing
@testable import ORISBus

/// Where items go: the kind's route (DESIGN.md §2) and escalation by severity.
@Suite struct RouterTests {
    private static let theme = ThemeConfiguration(id: "machine-speciale", title: "Machine spéciale",
                                                   crpsSeverity: .severe)
    private static let capteur = Member(id: "cci-belfort", tenant: "bfc", stratum: .capteur,
                                        themes: ["machine-speciale"], organisation: nil)

    private static func input(
        _ kind: Kind,
        severity: Severity = .unknown,
        theme: ThemeConfiguration = theme,
        tlp: TLP = .amber
    ) -> RoutingInput {
        var header = ItemHeader(id: "item-1", kind: kind, theme: theme.id, title: "A title")
        header.severity = severity
        header.tlp = tlp
        return RoutingInput(header: header, theme: theme, sender: capteur)
    }

    private static func tiers(_ deliveries: [Delivery]) -> [Tier] { deliveries.map(\.tier) }

    // MARK: - The standard router

    @Test func route_whenAlertIsExactlyAtTheThreshold_reachesGIPAndCRPSWithAReason() {
        let deliveries = Router.standard.route(Self.input(.alert, severity: .severe))

        #expect(Self.tiers(deliveries) == [.gip, .crps])
        #expect(deliveries.first?.reason == nil)
        let reason = deliveries.last?.reason ?? ""
        #expect(reason.isEmpty == false)
        #expect(reason.contains("Severe"))
    }

    @Test func route_whenAlertIsAboveTheThreshold_reachesGIPAndCRPS() {
        let deliveries = Router.standard.route(Self.input(.alert, severity: .extreme))

        #expect(Self.tiers(deliveries) == [.gip, .crps])
        #expect(deliveries.last?.reason != nil)
    }

    @Test func route_whenAlertIsJustBelowTheThreshold_reachesOnlyGIP() {
        let deliveries = Router.standard.route(Self.input(.alert, severity: .moderate))

        #expect(deliveries == [Delivery(tier: .gip)])
    }

    @Test func route_whenAlertHasUnknownSeverity_reachesOnlyGIP() {
        let deliveries = Router.standard.route(Self.input(.alert))

        #expect(deliveries == [Delivery(tier: .gip)])
    }

    @Test func route_whenThemeThresholdIsLower_escalatesAtThatLevel() {
        let lowTheme = ThemeConfiguration(id: "auto-rang3", title: "", crpsSeverity: .moderate)

        let atThreshold = Router.standard.route(Self.input(.alert, severity: .moderate, theme: lowTheme))
        let below = Router.standard.route(Self.input(.alert, severity: .minor, theme: lowTheme))

        #expect(Self.tiers(atThreshold) == [.gip, .crps])
        #expect(Self.tiers(below) == [.gip])
    }

    @Test func route_whenSignalIsExtreme_reachesOnlyGIP() {
        let deliveries = Router.standard.route(Self.input(.signal, severity: .extreme))

        #expect(deliveries == [Delivery(tier: .gip)])
    }

    @Test func route_whenItemIsADiagnostic_reachesCRPS() {
        let deliveries = Router.standard.route(Self.input(.diagnostic, severity: .extreme))

        #expect(deliveries == [Delivery(tier: .crps)])
    }

    @Test func route_whenItemIsADecision_reachesGIPAndCapteurs() {
        let deliveries = Router.standard.route(Self.input(.decision, severity: .extreme))

        #expect(Set(Self.tiers(deliveries)) == [.gip, .capteur])
        #expect(Self.tiers(deliveries) == [.capteur, .gip])
        #expect(deliveries.allSatisfy { $0.reason == nil })
    }

    @Test func route_whenItemIsATasking_reachesItsAxisCollectorsAndTheGIP() {
        var tasking = Self.input(.tasking)
        tasking.header.axis = "fournisseurs"

        let deliveries = Router.standard.route(tasking)

        #expect(deliveries == [Delivery(tier: .axis, axis: "fournisseurs"), Delivery(tier: .gip)])
    }

    /// An exercise tasking still reaches its axis alone: the test tier is read by the GIP only,
    /// and decisions and taskings never reach the CRPS or the national level anyway.
    @Test func route_exerciseTaskingAndDecision_keepTheirRoute_exerciseSignalGoesToTheTestTier() {
        var tasking = Self.input(.tasking)
        tasking.header.axis = "fournisseurs"
        tasking.header.status = .exercise
        var decision = Self.input(.decision)
        decision.header.status = .test
        var signal = Self.input(.signal)
        signal.header.status = .exercise

        #expect(Router.standard.route(tasking) == [Delivery(tier: .axis, axis: "fournisseurs"), Delivery(tier: .gip)])
        #expect(Self.tiers(Router.standard.route(decision)) == [.capteur, .gip])
        #expect(Self.tiers(Router.standard.route(signal)) == [.test])
    }

    @Test func route_redTasking_staysWithItsAxisCollectors() {
        var tasking = Self.input(.tasking, tlp: .red)
        tasking.header.axis = "fournisseurs"

        #expect(Router.standard.route(tasking) == [Delivery(tier: .axis, axis: "fournisseurs")])
    }

    @Test func route_updateOfATasking_reachesTheSameAxis() {
        var update = Self.input(.tasking)
        update.header.axis = "fournisseurs"
        update.header.messageType = .update
        update.header.references = ["t-1"]
        update.originals = [OriginalRoute(theme: "machine-speciale", tier: .axis, axis: "fournisseurs"),
                            OriginalRoute(theme: "machine-speciale", tier: .gip)]

        let deliveries = Router.standard.route(update)

        #expect(deliveries.map(\.tier) == [.axis, .gip])
        #expect(deliveries.first?.axis == "fournisseurs")
        #expect(deliveries.first?.reason == "update of t-1: delivered where the original went")
    }

    // MARK: - Single rules

    @Test func kindRoute_neverDependsOnSeverity() {
        for kind in Kind.allCases {
            let low = KindRoute().deliveries(for: Self.input(kind, severity: .unknown))
            let high = KindRoute().deliveries(for: Self.input(kind, severity: .extreme))

            #expect(low == high)
        }
    }

    @Test func severityEscalation_addsNothingForOtherKinds() {
        for kind in Kind.allCases where kind != .alert {
            #expect(SeverityEscalation().deliveries(for: Self.input(kind, severity: .extreme)).isEmpty)
        }
    }

    // MARK: - Merging

    private struct FixedRule: RoutingRule {
        let result: [Delivery]
        func deliveries(for input: RoutingInput) -> [Delivery] { self.result }
    }

    @Test func route_whenRulesNameTheSameTier_deliversItOnceKeepingTheFirstReason() {
        let router = Router(rules: [
            FixedRule(result: [Delivery(tier: .crps)]),
            FixedRule(result: [Delivery(tier: .crps, reason: "first")]),
            FixedRule(result: [Delivery(tier: .crps, reason: "second"), Delivery(tier: .crps)]),
        ])

        let deliveries = router.route(Self.input(.alert))

        #expect(deliveries == [Delivery(tier: .crps, reason: "first")])
    }

    @Test func route_ordersTiersFromCapteurToNational() {
        let router = Router(rules: [
            FixedRule(result: [Delivery(tier: .national), Delivery(tier: .crps)]),
            FixedRule(result: [Delivery(tier: .gip), Delivery(tier: .capteur)]),
        ])

        let deliveries = router.route(Self.input(.alert, tlp: .green))

        #expect(Self.tiers(deliveries) == [.capteur, .gip, .crps, .national])
    }

    @Test func route_standardRulesRunAsOneFunction_routeAsTheSameRulesRunOneByOne() {
        // The standard router takes a fixed path; the same rules given as a list take the
        // general one. Both must agree on every kind, severity, label, status and original.
        let general = Router(rules: [KindRoute(), SeverityEscalation(), NationalOffer(), FollowOriginal()])
        let originals = [OriginalRoute(theme: "micromeca-medical", tier: .crps),
                         OriginalRoute(theme: "autre", tier: .axis, axis: "veille"),
                         OriginalRoute(theme: "micromeca-medical", tier: .gip)]
        var compared = 0
        for kind in Kind.allCases {
            for severity in Severity.allCases {
                for tlp in TLP.allCases {
                    for theme in [Self.theme, Self.transRegional] {
                        for type: MessageType? in [nil, .update] {
                            var input = Self.input(kind, severity: severity, theme: theme, tlp: tlp)
                            input.header.axis = kind == .tasking ? "veille" : nil
                            input.header.messageType = type
                            input.header.references = type == nil ? [] : ["item-0"]
                            input.originals = type == nil ? [] : originals
                            #expect(Router.standard.route(input) == general.route(input))
                            compared += 1
                        }
                    }
                }
            }
        }
        #expect(compared == Kind.allCases.count * Severity.allCases.count * TLP.allCases.count * 4)
    }

    @Test func route_whenThereAreNoRules_deliversNothing() {
        #expect(Router(rules: []).route(Self.input(.alert, severity: .extreme)).isEmpty)
    }

    // MARK: - TLP and the national level

    private static let transRegional: ThemeConfiguration = {
        var theme = ThemeConfiguration(id: "micromeca-medical", title: "Microméca", crpsSeverity: .severe,
                                       isTransRegional: true)
        theme.nationalSeverity = .severe
        return theme
    }()

    @Test func route_redAlertOverTheThreshold_staysOnTheGIPTier() {
        let deliveries = Router.standard.route(Self.input(.alert, severity: .extreme, theme: Self.transRegional,
                                                          tlp: .red))

        #expect(Self.tiers(deliveries) == [.gip])
    }

    @Test func route_redDiagnosticAndRedDecision_stayOnTheirKindsFirstTier() {
        #expect(Self.tiers(Router.standard.route(Self.input(.diagnostic, tlp: .red))) == [.crps])
        #expect(Self.tiers(Router.standard.route(Self.input(.decision, tlp: .red))) == [.gip])
        #expect(Self.tiers(Router.standard.route(Self.input(.decision, tlp: .amber))) == [.capteur, .gip])
    }

    @Test func route_greenAlertAtTheNationalThresholdOnATransRegionalTheme_isOfferedNationallyWithAReason() {
        let deliveries = Router.standard.route(Self.input(.alert, severity: .severe, theme: Self.transRegional,
                                                          tlp: .green))

        #expect(Self.tiers(deliveries) == [.gip, .crps, .national])
        #expect(deliveries.last?.reason?.contains("trans-regional") == true)
    }

    @Test func route_greenAlertJustBelowTheNationalThreshold_staysInTheRegion() {
        let deliveries = Router.standard.route(Self.input(.alert, severity: .moderate, theme: Self.transRegional,
                                                          tlp: .green))

        #expect(Self.tiers(deliveries) == [.gip])
    }

    @Test func route_amberStrict_neverReachesTheNationalLevel_evenWhereAmberMay() {
        var permissive = Self.transRegional
        permissive.nationalAmber = true

        let strict = Router.standard.route(Self.input(.alert, severity: .extreme, theme: permissive,
                                                      tlp: .amberStrict))
        let amber = Router.standard.route(Self.input(.alert, severity: .extreme, theme: permissive, tlp: .amber))
        let amberWithoutRule = Router.standard.route(Self.input(.alert, severity: .extreme,
                                                                theme: Self.transRegional, tlp: .amber))

        #expect(Self.tiers(strict) == [.gip, .crps])
        #expect(Self.tiers(amber) == [.gip, .crps, .national])
        #expect(Self.tiers(amberWithoutRule) == [.gip, .crps])
    }

    @Test func route_greenExtremeAlertOnARegionalTheme_isNotOfferedNationally() {
        let deliveries = Router.standard.route(Self.input(.alert, severity: .extreme, tlp: .clear))

        #expect(Self.tiers(deliveries) == [.gip, .crps])
    }

    // MARK: - Urgency and certainty thresholds

    private static func escalating(urgency: Urgency?, certainty: Certainty?) -> ThemeConfiguration {
        var theme = Self.theme
        theme.crpsUrgency = urgency
        theme.crpsCertainty = certainty
        return theme
    }

    @Test func route_urgencyAtTheThreshold_escalates_justBelowDoesNot() {
        let theme = Self.escalating(urgency: .expected, certainty: nil)
        var at = Self.input(.alert, severity: .severe, theme: theme)
        at.header.urgency = .expected
        var below = at
        below.header.urgency = .future

        #expect(Self.tiers(Router.standard.route(at)) == [.gip, .crps])
        #expect(Router.standard.route(at).last?.reason?.contains("urgency Expected at or above Expected") == true)
        #expect(Self.tiers(Router.standard.route(below)) == [.gip])
    }

    @Test func route_certaintyAtTheThreshold_escalates_justBelowDoesNot() {
        let theme = Self.escalating(urgency: nil, certainty: .likely)
        var at = Self.input(.alert, severity: .extreme, theme: theme)
        at.header.certainty = .likely
        var below = at
        below.header.certainty = .possible

        #expect(Self.tiers(Router.standard.route(at)) == [.gip, .crps])
        #expect(Self.tiers(Router.standard.route(below)) == [.gip])
    }

    // MARK: - CAP semantics

    @Test func route_cancelOfAnEscalatedAlert_goesWhereTheOriginalWent() {
        var cancel = Self.input(.alert, severity: .minor)
        cancel.header.messageType = .cancel
        cancel.header.references = ["original-1"]
        cancel.originals = [OriginalRoute(theme: "machine-speciale", tier: .gip),
                            OriginalRoute(theme: "machine-speciale", tier: .crps)]

        let deliveries = Router.standard.route(cancel)

        #expect(Self.tiers(deliveries) == [.gip, .crps])
        #expect(deliveries.last?.reason == "cancel of original-1: delivered where the original went")
        #expect(deliveries.allSatisfy { $0.theme == nil })
    }

    @Test func route_updateOfAnItemOfAnotherTheme_isDeliveredInThatThemeToo() {
        var update = Self.input(.alert, severity: .minor)
        update.header.messageType = .update
        update.header.references = ["original-1"]
        update.originals = [OriginalRoute(theme: "risques", tier: .gip), OriginalRoute(theme: "risques", tier: .crps)]

        let deliveries = Router.standard.route(update)

        #expect(deliveries.map { "\($0.theme ?? "own")/\($0.tier.word)" } == ["own/gip", "risques/gip", "risques/crps"])
    }

    @Test func route_anAlertThatMerelyReferencesAnother_doesNotFollowIt() {
        var alert = Self.input(.alert, severity: .minor)
        alert.header.references = ["original-1"]
        alert.originals = [OriginalRoute(theme: "machine-speciale", tier: .crps)]

        #expect(Self.tiers(Router.standard.route(alert)) == [.gip])
    }

    @Test(arguments: [ItemStatus.test, .exercise, .system, .draft])
    func route_nonActualStatus_goesToTheTestTierOnly(_ status: ItemStatus) {
        var input = Self.input(.alert, severity: .extreme, theme: Self.transRegional, tlp: .green)
        input.header.status = status

        let deliveries = Router.standard.route(input)

        #expect(Self.tiers(deliveries) == [.test])
        #expect(deliveries.first?.reason == "status \(status.word): kept apart from live items")
    }

    @Test func route_expiredWhenReceived_goesToTheArchiveOnly_notYetExpiredGoesLive() {
        var expired = Self.input(.alert, severity: .extreme)
        expired.header.received = Timestamp(rfc3339: "2026-12-04T10:00:00Z")
        expired.header.expires = "2026-12-04T10:00:00Z"
        var live = expired
        live.header.expires = "2026-12-04T10:00:00.001Z"

        #expect(Self.tiers(Router.standard.route(expired)) == [.archive])
        #expect(Self.tiers(Router.standard.route(live)) == [.gip, .crps])
    }
}

