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
/// - `work`: only the first item of the run is published; every later one is held as a copy
///   of that first delivery's topic and stamped header with its own body, so that the daemon
///   receives, looks up the sender and sends the same frames and bytes with none of its work
///   between.
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

    /// Under ``LeftOut/work``, once the first item went through: holds `body` as a delivery of
    /// the template and returns true.
    static func holdAsTemplate(body: UnsafeRawBufferPointer, into run: MessageRun, tenant: Int) -> Bool {
        guard Self.leftOut == .work else { return false }
        guard let template = Self.template else {
            // The next delivery held is the template: taken from the run at its release.
            return false
        }
        let topic = run.append(template.topic)
        let header = run.append(template.header)
        run.hold(topic: topic, header: header, body: run.append(body), tier: template.tier, tenant: tenant)
        return true
    }

    /// Under ``LeftOut/work``, keeps the first delivery of `run` as the template.
    static func keepTemplate(from run: MessageRun) {
        guard Self.leftOut == .work, Self.template == nil,
              let first = run.pending.first(where: { $0.tier != nil }), let tier = first.tier
        else { return }
        Self.template = (Array(run.frame(0, of: first)), Array(run.frame(1, of: first)), tier)
    }
}
#endif
