// SPDX-License-Identifier: Apache-2.0

/// A multipart message as it came off a socket, with the connection properties asked for.
package struct ReceivedMessage: Sendable {
    /// The frames in order.
    package var frames: [[UInt8]]
    /// Properties of the connection the message came on (`zmq_msg_gets` on its first frame), for
    /// instance `User-Id` (what the ZAP handler said) or `Peer-Address`. Absent ones are left out.
    package var properties: [String: String]

    package init(frames: [[UInt8]], properties: [String: String] = [:]) {
        self.frames = frames
        self.properties = properties
    }

    /// The `User-Id` the ZAP handler gave this connection, if any.
    package var userID: String? {
        self.properties[ReceivedMessage.userIDProperty]
    }

    /// The name libzmq gives the ZAP user id among a message's properties.
    package static let userIDProperty = "User-Id"
    /// The name libzmq gives the peer's address among a message's properties.
    package static let peerAddressProperty = "Peer-Address"
}
