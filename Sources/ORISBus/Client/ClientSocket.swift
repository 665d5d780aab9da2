// SPDX-License-Identifier: Apache-2.0

extension Socket {
    /// A client socket connected to a daemon as a member: no linger, the member's CURVE keys
    /// when given (security `curve`), else its name as PLAIN user name (security `none`),
    /// subscribed to `prefixes` when it is a SUB.
    ///
    /// - Parameter beforeConnect: runs on the socket once it is set up, just before it connects
    ///   (where a monitor starts, so that it sees the first connection).
    /// - Throws: ``ClientError/zmq(_:)``; the socket is closed on failure.
    package static func client(
        context: Context,
        type: SocketType,
        endpoint: String,
        member: String?,
        curve: CurveClientKeys? = nil,
        prefixes: [String] = [],
        beforeConnect: (Socket) throws(ZMQError) -> Void = { _ in }
    ) throws(ClientError) -> Socket {
        let socket: Socket
        do {
            socket = try Socket(context: context, type: type)
        } catch {
            throw .zmq(error)
        }
        do {
            try socket.set(.linger(milliseconds: 0))
            if let curve {
                try socket.set(.curveServerKey(curve.serverKey))
                try socket.set(.curvePublicKey(curve.keys.publicKey))
                try socket.set(.curveSecretKey(curve.keys.secretKey))
            } else if let member {
                try socket.set(.plainUsername(member))
            }
            for prefix in prefixes {
                try socket.set(.subscribe(Array(prefix.utf8)))
            }
            try beforeConnect(socket)
            try socket.connect(endpoint)
        } catch {
            socket.close()
            throw .zmq(error)
        }
        return socket
    }
}

/// What a client needs for CurveZMQ: its own key pair and the daemon's public key.
package struct CurveClientKeys: Sendable, Equatable {
    package var keys: CurveKeyPair
    /// The daemon's public key, Z85.
    package var serverKey: String

    package init(keys: CurveKeyPair, serverKey: String) {
        self.keys = keys
        self.serverKey = serverKey
    }
}
