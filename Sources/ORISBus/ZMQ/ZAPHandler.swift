// SPDX-License-Identifier: Apache-2.0

/// One authentication request from libzmq (ZeroMQ RFC 27, ZAP 1.0).
package struct ZAPRequest: Sendable, Equatable {
    /// The ZAP domain the server socket set (`ZMQ_ZAP_DOMAIN`); the daemon names its endpoint.
    package var domain: String
    /// The peer's address as libzmq gives it (an IP address, or empty for ipc).
    package var address: String
    /// `NULL`, `PLAIN` or `CURVE`.
    package var mechanism: String
    /// The mechanism's credentials: a PLAIN user name and password, a CURVE public key.
    package var credentials: [[UInt8]]
}

/// What the handler answers: accept with a user id, or refuse with a reason.
package enum ZAPDecision: Sendable, Equatable {
    /// Accept; libzmq attaches `userID` to every message of the connection as `User-Id`.
    case accept(userID: String)
    /// Refuse with status 400 and a short text (which libzmq reports to the peer's monitor).
    case refuse(reason: String)
}

/// The ZAP handler: a REP socket bound at `inproc://zeromq.zap.01` that answers libzmq's
/// authentication requests for every server socket of the same context.
///
/// It must be bound before any endpoint that needs authentication binds. It is served by the
/// thread that owns it, usually by polling ``socket`` in the daemon's loop.
package final class ZAPHandler {
    /// The REP socket to poll.
    package let socket: Socket

    /// The fixed endpoint libzmq sends ZAP requests to.
    package static let endpoint = "inproc://zeromq.zap.01"

    /// Binds the handler.
    ///
    /// - Throws: ``ZMQError``, `EADDRINUSE` when a handler already serves this context.
    package init(context: Context) throws(ZMQError) {
        self.socket = try Socket(context: context, type: .rep)
        do {
            try self.socket.set(.linger(milliseconds: 0))
            try self.socket.bind(ZAPHandler.endpoint)
        } catch {
            self.socket.close()
            throw error
        }
    }

    /// Answers every queued request without blocking.
    ///
    /// - Parameter decide: the policy; it sees each request and returns the decision.
    /// - Returns: how many requests were answered.
    @discardableResult
    package func serve(_ decide: (ZAPRequest) -> ZAPDecision) throws(ZMQError) -> Int {
        var answered = 0
        while let message = try self.socket.receive(wait: false) {
            let frames = message.frames
            // RFC 27: version, request id, domain, address, identity, mechanism, credentials.
            guard frames.count >= 6 else {
                try self.socket.send([Array("1.0".utf8), [], Array("500".utf8),
                                      Array("malformed ZAP request".utf8), [], []])
                answered += 1
                continue
            }
            let request = ZAPRequest(
                domain: String(decoding: frames[2], as: UTF8.self),
                address: String(decoding: frames[3], as: UTF8.self),
                mechanism: String(decoding: frames[5], as: UTF8.self),
                credentials: Array(frames.dropFirst(6))
            )
            let reply: [[UInt8]]
            switch decide(request) {
            case .accept(let userID):
                reply = [frames[0], frames[1], Array("200".utf8), Array("OK".utf8), Array(userID.utf8), []]
            case .refuse(let reason):
                reply = [frames[0], frames[1], Array("400".utf8), Array(reason.utf8), [], []]
            }
            try self.socket.send(reply)
            answered += 1
        }
        return answered
    }

    /// Closes the handler's socket.
    package func close() {
        self.socket.close()
    }
}
