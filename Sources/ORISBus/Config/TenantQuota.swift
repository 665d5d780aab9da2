// SPDX-License-Identifier: Apache-2.0

/// What one tenant may use of a shared daemon. A limit left nil is not applied.
///
/// A publish over a limit is answered `over-quota` and stores nothing; the other tenants are
/// not slowed, since a refusal costs the loop less than an accepted item.
package struct TenantQuota: Sendable, Equatable {
    /// Items per second accepted on average (api and ingest together).
    package var ratePerSecond: Double?
    /// Items accepted at once above the rate before refusals start; defaults to one second's rate.
    package var burst: Int?
    /// The largest body, under the daemon-wide limit.
    package var maximumBodyBytes: Int?
    /// How many distinct topics the tenant's journal may hold.
    package var maximumTopics: Int?
    /// How many members the tenant may have.
    package var maximumMembers: Int?
    /// How many bytes the tenant's journal may hold; publishes wait for retention past it.
    package var maximumStorageBytes: Int?

    package init() {}
}
