// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif
import CZMQ

/// What a libzmq call that did not fail came to.
package enum ZMQOutcome: Equatable, Sendable {
    /// The call succeeded and returned this value (a byte count, zero, a ready count).
    case done(Int32)
    /// A non-blocking call found nothing to do (`EAGAIN`): an ordinary result, not an error.
    case wouldBlock
}

/// The one way this module calls libzmq.
///
/// Runs `body`, which must return libzmq's usual `-1` on failure. On failure it reads `zmq_errno`
/// at once, retries `EINTR` when `retryOnInterrupt` says the call may simply be made again,
/// answers `EAGAIN` as ``ZMQOutcome/wouldBlock`` and throws every other errno as a ``ZMQError``
/// naming the call.
///
/// Tests reach the hard branches by passing a `body` that sets `errno` and returns `-1`.
///
/// - Parameters:
///   - name: the libzmq function, for error messages.
///   - subject: what the call concerns (an endpoint, an option), for error messages.
///   - retryOnInterrupt: whether an `EINTR` failure is retried (true for sends, receives, polls
///     and binds; a caller that wants to see signals passes false).
///   - body: the call itself.
/// - Throws: ``ZMQError`` for any failure other than `EINTR` (when retried) and `EAGAIN`.
@inline(__always)
package func zmqCall(
    _ name: String,
    subject: String? = nil,
    retryOnInterrupt: Bool = true,
    _ body: () -> Int32
) throws(ZMQError) -> ZMQOutcome {
    while true {
        let rc = body()
        if rc != -1 {
            return .done(rc)
        }
        let number = zmq_errno()
        if number == EINTR && retryOnInterrupt {
            continue
        }
        if number == EAGAIN {
            return .wouldBlock
        }
        throw ZMQError(call: name, errno: number, subject: subject)
    }
}
