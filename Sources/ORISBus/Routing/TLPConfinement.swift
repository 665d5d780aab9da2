// SPDX-License-Identifier: Apache-2.0

/// The Traffic Light Protocol 2.0, as the bus enforces it on deliveries.
///
/// - `red`: only the tier the item was published for, its kind's first tier (gip for signals,
///   alerts and decisions, crps for diagnostics, capteur for taskings): never escalated, never
///   offered to the national level;
/// - `amber+strict`: never leaves the tenant, so never offered to the national level;
/// - `amber`: offered to the national level only on a theme whose rule allows it
///   (`national_amber`);
/// - `green`, `clear`: as the routing rules say.
///
/// The bus never changes a label: what it relays carries the label it was given, so a label can
/// only be tightened by whoever republishes, never loosened by the bus.
package enum TLPConfinement {
    /// The deliveries `label` allows, in their order.
    ///
    /// - Parameters:
    ///   - deliveries: what the routing rules chose.
    ///   - label: the item's TLP label.
    ///   - theme: the item's theme (its national rule).
    ///   - home: the tier the item was published for.
    package static func confine(
        _ deliveries: [Delivery],
        label: TLP,
        theme: ThemeConfiguration,
        home: Tier?
    ) -> [Delivery] {
        deliveries.filter { self.allows(label, tier: $0.tier, theme: theme, home: home) }
    }

    /// Whether an item labelled `label` may be delivered on `tier`.
    package static func allows(_ label: TLP, tier: Tier, theme: ThemeConfiguration, home: Tier?) -> Bool {
        switch label {
        case .red: return tier == home
        case .amberStrict: return tier != .national
        case .amber: return tier != .national || theme.nationalAmber
        case .green, .clear: return true
        }
    }
}
