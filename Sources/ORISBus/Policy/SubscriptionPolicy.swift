// SPDX-License-Identifier: Apache-2.0

/// Which topic prefixes a member may subscribe to on the feed.
///
/// Today the rule is the tenant's wall: a prefix must lie inside the member's own tenant
/// (`<tenant>/…`; an operator may name any tenant), so subscribing to "", to another tenant,
/// or to a prefix that merely starts like one (`bf` against `bfc/`) takes nothing. Narrower
/// rules by stratum, theme and TLP are not applied yet (README, known limits).
package enum SubscriptionPolicy {
    /// Whether `member` may subscribe to `prefix`.
    package static func allows(_ member: Member?, _ prefix: String) -> Bool {
        guard let member, let slash = prefix.firstIndex(of: "/") else { return false }
        let tenant = String(prefix[..<slash])
        if member.stratum == .operator {
            return Identifier.isValid(tenant)
        }
        return tenant == member.tenant
    }
}
