// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif
// The ZMQ layer's tests may name libzmq's own constants (ETERM is defined by zmq.h).
import CZMQ
import Testing
@testable import ORISBus

/// A failed libzmq call: its number, its name, and a one-line message.
@Suite struct ZMQErrorTests {
    @Test func description_namesTheCallTheSubjectTheTextAndTheNumber() {
        let error = ZMQError(call: "zmq_bind", errno: EADDRINUSE, subject: "tcp://127.0.0.1:5555")

        // Linux numbers EADDRINUSE 98; libzmq passes system numbers to strerror.
        #expect(error.description == "zmq_bind 'tcp://127.0.0.1:5555' failed: Address already in use (errno 98)")
    }

    @Test func description_withoutASubject_leavesItOut() {
        let error = ZMQError(call: "zmq_msg_recv", errno: ETERM)

        #expect(error.description.hasPrefix("zmq_msg_recv failed: "))
        #expect(error.description.hasSuffix("(errno \(ETERM))"))
        #expect(error.description.contains("''") == false)
    }

    @Test func text_forALibzmqNumber_usesLibzmqsOwnWording() {
        #expect(ZMQError(call: "zmq_poll", errno: ETERM).text == "Context was terminated")
    }

    @Test func predicates_recogniseTheirNumbersOnly() {
        #expect(ZMQError(call: "x", errno: ETERM).isTerminated)
        #expect(ZMQError(call: "x", errno: EINTR).isInterrupted)
        #expect(ZMQError(call: "x", errno: EHOSTUNREACH).isUnroutable)
        let other = ZMQError(call: "x", errno: EINVAL)
        #expect(other.isTerminated == false)
        #expect(other.isInterrupted == false)
        #expect(other.isUnroutable == false)
    }
}
