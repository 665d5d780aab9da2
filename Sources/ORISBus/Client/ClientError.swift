// SPDX-License-Identifier: Apache-2.0

/// Why a client call to the daemon did not get an answer it could use.
package enum ClientError: Error, Sendable, CustomStringConvertible {
    /// Nothing came back in time.
    case timeout(endpoint: String, milliseconds: Int, member: String?)
    /// The daemon answered with something that is not this protocol.
    case badReply(String)
    /// libzmq refused a call (a malformed endpoint, for instance).
    case zmq(ZMQError)
    /// No handshake with the feed endpoint finished in time: nothing listens there (`connected`
    /// false), or what listens does not complete a ZMTP handshake; `detail` says how the last
    /// attempt ended, when libzmq said.
    case feedUnreachable(endpoint: String, milliseconds: Int, connected: Bool, detail: String?)
    /// The feed endpoint refused the handshake: its authentication refused the member or key,
    /// or the two sides disagree on the security mechanism.
    case handshakeRefused(endpoint: String, member: String?, reason: String)

    package var description: String {
        switch self {
        case .timeout(let endpoint, let ms, let member):
            let who = member.map { " or refused member '\($0)'" } ?? ""
            return "no answer from the daemon at '\(endpoint)' within \(ms) ms: is orisd running there\(who)?"
        case .badReply(let what):
            return "the daemon's reply is not ORIS01: \(what)"
        case .zmq(let error):
            return error.description
        case .feedUnreachable(let endpoint, let ms, let connected, let detail):
            let start = "no answer from the feed at '\(endpoint)' within \(ms) ms: "
            guard connected else {
                return start + "nothing takes connections there (orisctl hello lists the daemon's feed endpoints)"
            }
            return start + (detail ?? "the connection was taken but no handshake finished")
                + "; is it orisd's feed endpoint? (orisctl hello lists them)"
        case .handshakeRefused(let endpoint, _, let reason):
            return "the feed at '\(endpoint)' refused the handshake: \(reason)"
        }
    }
}
