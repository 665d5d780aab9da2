// SPDX-License-Identifier: Apache-2.0
#if ORIS_BENCH_PARTS
#if canImport(Glibc)
import Glibc
#endif

/// Measurement only, and compiled only into the build that `bench/parts.sh` makes (with
/// `-DORIS_BENCH_PARTS`; no other build has any of this): parts of the ingest path left out,
/// to measure what each costs the whole workload. The environment variable
/// `ORISD_BENCH_LEAVE_OUT` of that build says which:
///
/// - `journal`: items of the plain path are numbered, remembered and delivered, and never
///   journaled (nothing is written or indexed for them);
/// - `work`: items are published until one's delivery is held; every later one is held as a
///   copy of that delivery's topic and stamped header with its own body, so that the daemon
///   receives, looks up the sender and sends the same frames with none of its work between
///   (a few bytes shorter than real deliveries: the copied header's sequence number is small).
///
/// A daemon started this way loses what it receives: it is never to run anywhere else.
enum BenchParts {
    enum LeftOut {
        case nothing, journal, work
    }

    static let leftOut: LeftOut = {
        switch getenv("ORISD_BENCH_LEAVE_OUT").map({ String(cString: $0) }) {
        case "journal": .journal
        case "work": .work
        default: .nothing
        }
    }()

    /// The first delivery's topic and stamped header, for ``LeftOut/work``.
    nonisolated(unsafe) static var template: (topic: [UInt8], header: [UInt8], tier: Tier)?

    /// Under ``LeftOut/work``: holds `body` as a delivery of the template and returns true,
    /// once a delivery waiting in `run` has been kept as the template; until then, false (the
    /// item is published).
    static func holdAsTemplate(body: UnsafeRawBufferPointer, into run: MessageRun, tenant: Int) -> Bool {
        guard Self.leftOut == .work else { return false }
        if Self.template == nil, let first = run.pending.first(where: { $0.tier != nil }), let tier = first.tier {
            Self.template = (Array(run.frame(0, of: first)), Array(run.frame(1, of: first)), tier)
        }
        guard let template = Self.template else { return false }
        let topic = run.append(template.topic)
        let header = run.append(template.header)
        run.hold(topic: topic, header: header, body: run.append(body), tier: template.tier, tenant: tenant)
        return true
    }
}
#endif
