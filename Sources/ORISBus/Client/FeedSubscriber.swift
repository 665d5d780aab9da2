// SPDX-License-Identifier: Apache-2.0

/// An item as a subscriber receives it from the feed.
package struct ReceivedItem: Sendable {
    package var topic: String
    /// The header, parsed; nil when the frame was not a JSON object.
    package var header: JSONObject?
    package var rawHeader: [UInt8]
    package var body: [UInt8]

    /// The topic sequence number the daemon stamped.
    package var seq: Int64? { self.header?["seq"]?.intValue }
}

/// Receives items from a daemon's feed endpoint for some topic prefixes.
package final class FeedSubscriber {
    private let socket: Socket

    /// Connects and subscribes.
    ///
    /// - Parameters:
    ///   - context: the context to make the socket in.
    ///   - endpoint: the daemon's feed endpoint.
    ///   - member: the member to connect as.
    ///   - prefixes: topic prefixes, such as `bfc/` or `bfc/auto-rang3/gip/`.
    /// - Throws: ``ClientError/zmq(_:)``.
    package init(
        context: Context,
        endpoint: String,
        member: String?,
        curve: CurveClientKeys? = nil,
        prefixes: [String]
    ) throws(ClientError) {
        self.socket = try Socket.client(context: context, type: .sub, endpoint: endpoint, member: member,
                                        curve: curve, prefixes: prefixes)
    }

    /// The next item, or nil when none came within the timeout (-1 waits for ever).
    ///
    /// - Throws: ``ClientError/zmq(_:)``.
    package func next(timeoutMilliseconds: Int) throws(ClientError) -> ReceivedItem? {
        var poller = Poller()
        poller.add(self.socket)
        do {
            while true {
                let ready = try poller.poll(timeoutMilliseconds: timeoutMilliseconds)
                guard ready[0] else { return nil }
                guard let message = try self.socket.receive(wait: false) else { continue }
                let frames = message.frames
                guard frames.count == 3 else { continue }
                let header = (try? JSONParser.parse(frames[1]))?.objectValue
                return ReceivedItem(topic: String(decoding: frames[0], as: UTF8.self), header: header,
                                    rawHeader: frames[1], body: frames[2])
            }
        } catch where error.isInterrupted {
            return nil
        } catch {
            throw .zmq(error)
        }
    }

    /// Stops receiving what `prefix` matches.
    ///
    /// - Throws: ``ClientError/zmq(_:)``.
    package func unsubscribe(_ prefix: String) throws(ClientError) {
        do {
            try self.socket.set(.unsubscribe(Array(prefix.utf8)))
        } catch {
            throw .zmq(error)
        }
    }

    /// Closes the socket.
    package func close() {
        self.socket.close()
    }
}
