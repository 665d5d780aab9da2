// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif
import CZMQ

/// A failed libzmq call: which call, and the errno it left behind.
///
/// The text comes from `zmq_strerror`, read at the moment of the failure so that a later call
/// cannot overwrite the number.
package struct ZMQError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The libzmq function that failed, for example `zmq_bind`.
    package let call: String
    /// The errno value that `zmq_errno` returned right after the call.
    package let errno: Int32
    /// What the call was about (an endpoint, an option name), when that helps a reader.
    package let subject: String?

    package init(call: String, errno: Int32, subject: String? = nil) {
        self.call = call
        self.errno = errno
        self.subject = subject
    }

    /// `zmq_strerror` of the errno.
    package var text: String {
        String(cString: zmq_strerror(self.errno))
    }

    /// True when the context was terminated under the call (`ETERM`).
    package var isTerminated: Bool { self.errno == ETERM }

    /// True when a signal interrupted the call (`EINTR`).
    package var isInterrupted: Bool { self.errno == EINTR }

    /// True when a ROUTER could not route a reply because the peer is gone (`EHOSTUNREACH`).
    package var isUnroutable: Bool { self.errno == EHOSTUNREACH }

    package var description: String {
        if let subject = self.subject {
            return "\(self.call) '\(subject)' failed: \(self.text) (errno \(self.errno))"
        }
        return "\(self.call) failed: \(self.text) (errno \(self.errno))"
    }
}
