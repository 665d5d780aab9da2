// SPDX-License-Identifier: Apache-2.0

extension Socket {
    /// A client socket connected to a daemon as a member: no linger, the member's name as its
    /// PLAIN user name (security `none`), subscribed to `prefixes` when it is a SUB.
    ///
    /// - Throws: ``ClientError/zmq(_:)``; the socket is closed on failure.
    static func client(
        context: Context,
        type: SocketType,
        endpoint: String,
        member: String?,
        prefixes: [String] = []
    ) throws(ClientError) -> Socket {
        let socket: Socket
        do {
            socket = try Socket(context: context, type: type)
        } catch {
            throw .zmq(error)
        }
        do {
            try socket.set(.linger(milliseconds: 0))
            if let member {
                try socket.set(.plainUsername(member))
            }
            for prefix in prefixes {
                try socket.set(.subscribe(Array(prefix.utf8)))
            }
            try socket.connect(endpoint)
        } catch {
            socket.close()
            throw .zmq(error)
        }
        return socket
    }
}
