// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif
// The ZMQ layer's tests may name libzmq's own constants (ETERM is defined by zmq.h).
import CZMQ
import Testing
@testable import ORISBus

/// The one helper every libzmq call goes through: results, EINTR, EAGAIN and real failures.
@Suite struct ZMQCallTests {
    @Test func zmqCall_whenBodySucceeds_returnsDoneWithItsValue() throws {
        let outcome = try zmqCall("zmq_test") { 42 }

        #expect(outcome == .done(42))
    }

    @Test func zmqCall_whenBodyIsInterruptedOnce_retriesAndReturnsDone() throws {
        var calls = 0

        let outcome = try zmqCall("zmq_test") { () -> Int32 in
            calls += 1
            if calls == 1 {
                errno = EINTR
                return -1
            }
            return 0
        }

        #expect(outcome == .done(0))
        #expect(calls == 2)
    }

    @Test func zmqCall_whenInterruptedWithoutRetry_throwsEINTR() {
        var calls = 0

        #expect(throws: ZMQError(call: "zmq_poll", errno: EINTR)) {
            try zmqCall("zmq_poll", retryOnInterrupt: false) { () -> Int32 in
                calls += 1
                errno = EINTR
                return -1
            }
        }
        #expect(calls == 1)
    }

    @Test func zmqCall_whenBodyFailsWithEAGAIN_returnsWouldBlock() throws {
        var calls = 0

        let outcome = try zmqCall("zmq_send") { () -> Int32 in
            calls += 1
            errno = EAGAIN
            return -1
        }

        #expect(outcome == .wouldBlock)
        #expect(calls == 1)
    }

    @Test func zmqCall_whenBodyFailsWithOtherErrno_throwsThatErrnoAndCallName() {
        do {
            _ = try zmqCall("zmq_bind", subject: "tcp://127.0.0.1:1") { () -> Int32 in
                errno = EADDRINUSE
                return -1
            }
            Issue.record("zmqCall returned instead of throwing")
        } catch {
            #expect(error.errno == EADDRINUSE)
            #expect(error.call == "zmq_bind")
            #expect(error.subject == "tcp://127.0.0.1:1")
        }
    }

    @Test func zmqCall_whenBodyFailsWithETERM_throwsTerminatedError() {
        do {
            _ = try zmqCall("zmq_msg_recv") { () -> Int32 in
                errno = ETERM
                return -1
            }
            Issue.record("zmqCall returned instead of throwing")
        } catch {
            #expect(error.errno == ETERM)
            #expect(error.isTerminated)
        }
    }

    @Test func zmqCall_whenBodyReturnsOtherNegativeValue_returnsDoneWithoutReadingErrno() throws {
        errno = EINVAL

        let outcome = try zmqCall("zmq_test") { -2 }

        #expect(outcome == .done(-2))
    }
}
