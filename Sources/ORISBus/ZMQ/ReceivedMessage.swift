// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif

/// A multipart message as it came off a socket, with the connection properties asked for.
package struct ReceivedMessage: Sendable {
    /// A connection property asked for, and its value in the last message (nil when absent).
    private struct Property: Sendable {
        let name: String
        var value: String?
        /// Whether a frame of the message being received has carried it yet.
        var isRead = false
    }

    /// The frames in order.
    package var frames: [[UInt8]]
    /// How many frames the message had, those dropped past a receive's `maximumFrames`
    /// included (then more than `frames` holds): what an error about the frame count tells.
    package var receivedFrameCount: Int
    /// The properties, in the order asked for: a message carries one or two, found by comparing
    /// names rather than by hashing them, and a value that did not change since the last message
    /// received into this one is kept rather than made again.
    private var slots: [Property]

    package init(frames: [[UInt8]], properties: [String: String] = [:]) {
        self.frames = frames
        self.receivedFrameCount = frames.count
        self.slots = properties.map { Property(name: $0.key, value: $0.value) }
    }

    /// Properties of the connection the message came on (`zmq_msg_gets` on its first frame), for
    /// instance `User-Id` (what the ZAP handler said) or `Peer-Address`. Absent ones are left out.
    package var properties: [String: String] {
        get {
            var properties = [String: String]()
            for slot in self.slots {
                if let value = slot.value, properties[slot.name] == nil {
                    properties[slot.name] = value
                }
            }
            return properties
        }
        set {
            self.slots = newValue.map { Property(name: $0.key, value: $0.value) }
        }
    }

    /// The value of the connection property `name`, if the message has it.
    package func property(_ name: String) -> String? {
        self.slots.first { $0.name == name }?.value
    }

    /// The `User-Id` the ZAP handler gave this connection, if any.
    package var userID: String? {
        self.property(ReceivedMessage.userIDProperty)
    }

    /// The name libzmq gives the ZAP user id among a message's properties.
    package static let userIDProperty = "User-Id"
    /// ``userIDProperty`` as the C string `zmq_msg_gets` takes, from constant memory: a `String`
    /// passed there is copied into a new C string at each call.
    static var userIDPropertyName: UnsafePointer<CChar> {
        let name: StaticString = "User-Id"
        return UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)
    }
    /// The name libzmq gives the peer's address among a message's properties.
    package static let peerAddressProperty = "Peer-Address"

    // MARK: - Filling in place, for Socket.receive(into:)

    /// Starts a new message that will ask for `names`: none is read yet.
    mutating func beginProperties(_ names: [String]) {
        if self.slots.count != names.count || !zip(self.slots, names).allSatisfy({ $0.name == $1 }) {
            self.slots = names.map { Property(name: $0) }
        }
        for index in self.slots.indices {
            self.slots[index].isRead = false
        }
    }

    /// Reads, through `read` (`zmq_msg_gets` on a frame), each property no earlier frame of the
    /// message carried.
    mutating func readProperties(_ read: (UnsafePointer<CChar>) -> UnsafePointer<CChar>?) {
        for index in self.slots.indices where !self.slots[index].isRead {
            guard let value = self.slots[index].name.withCString(read) else { continue }
            self.slots[index].isRead = true
            if !Self.equal(self.slots[index].value, value) {
                self.slots[index].value = String(cString: value)
            }
        }
    }

    /// Ends the message: a property none of its frames carried is absent.
    mutating func endProperties() {
        for index in self.slots.indices where !self.slots[index].isRead {
            self.slots[index].value = nil
        }
    }

    /// Whether `value` has the bytes of the C string `text`.
    static func equal(_ value: String?, _ text: UnsafePointer<CChar>) -> Bool {
        guard let value else { return false }
        let length = strlen(text)
        guard value.utf8.count == length else { return false }
        let same = value.utf8.withContiguousStorageIfAvailable { utf8 -> Bool in
            guard let base = utf8.baseAddress else { return length == 0 }
            return memcmp(base, text, length) == 0
        }
        return same ?? value.utf8.elementsEqual(UnsafeRawBufferPointer(start: text, count: length))
    }
}
