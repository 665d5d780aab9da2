// SPDX-License-Identifier: Apache-2.0

/// Why a client call to the daemon did not get an answer it could use.
package enum ClientError: Error, Sendable, CustomStringConvertible {
    /// Nothing came back in time.
    case timeout(endpoint: String, milliseconds: Int, member: String?)
    /// The daemon answered with something that is not this protocol.
    case badReply(String)
    /// libzmq refused a call (a malformed endpoint, for instance).
    case zmq(ZMQError)

    package var description: String {
        switch self {
        case .timeout(let endpoint, let ms, let member):
            let who = member.map { " or refused member '\($0)'" } ?? ""
            return "no answer from the daemon at '\(endpoint)' within \(ms) ms: is orisd running there\(who)?"
        case .badReply(let what):
            return "the daemon's reply is not ORIS01: \(what)"
        case .zmq(let error):
            return error.description
        }
    }
}
