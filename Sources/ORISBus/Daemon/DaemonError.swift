// SPDX-License-Identifier: Apache-2.0

/// Why the daemon could not start or had to stop.
package enum DaemonError: Error, Sendable, CustomStringConvertible {
    /// The state folder cannot be made or locked.
    case state(String)
    /// An endpoint cannot be bound.
    case bind(endpoint: String, name: String, cause: ZMQError)
    /// libzmq failed in a way the daemon cannot absorb.
    case zmq(ZMQError)

    package var description: String {
        switch self {
        case .state(let text):
            return text
        case .bind(let endpoint, let name, let cause):
            return "cannot bind \(name) endpoint '\(endpoint)': \(cause.text) (errno \(cause.errno))"
        case .zmq(let cause):
            return cause.description
        }
    }
}
