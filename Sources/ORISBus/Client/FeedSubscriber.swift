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
    private let endpoint: String
    private let member: String?
    /// Reports how the first connection's handshake ends, until
    /// ``waitUntilConnected(timeoutMilliseconds:)`` has seen it; nil afterwards.
    private var monitor: SocketMonitor?

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
        self.endpoint = endpoint
        self.member = member
        var monitor: SocketMonitor?
        do {
            // The monitor starts before the socket connects, or the first events could be lost.
            self.socket = try Socket.client(context: context, type: .sub, endpoint: endpoint, member: member,
                                            curve: curve, prefixes: prefixes) { (socket) throws(ZMQError) in
                monitor = try SocketMonitor(watching: socket, context: context,
                                            events: SocketEvents.handshake.union([.connected]))
            }
        } catch {
            monitor?.close()
            throw error
        }
        self.monitor = monitor
    }

    /// Waits until the connection to the feed has finished its handshake, so that a feed
    /// endpoint where nothing listens, or whose daemon refuses the member, is reported instead
    /// of waited on in silence (libzmq connects in the background and retries for ever).
    ///
    /// A connection that closes during its handshake is retried within the time left; one whose
    /// authentication or protocol the daemon refuses is not. Once this returned, later events
    /// are no longer watched.
    ///
    /// - Parameter timeoutMilliseconds: how long to wait for the handshake.
    /// - Throws: ``ClientError/feedUnreachable(endpoint:milliseconds:connected:detail:)`` when no
    ///   handshake finished in time, ``ClientError/handshakeRefused(endpoint:member:reason:)``
    ///   when the daemon refused it, ``ClientError/zmq(_:)``.
    package func waitUntilConnected(timeoutMilliseconds: Int) throws(ClientError) {
        guard let monitor = self.monitor else { return }
        defer {
            monitor.close()
            self.monitor = nil
        }
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .milliseconds(timeoutMilliseconds))
        var connected = false
        var detail: String?
        while true {
            let left = clock.now.duration(to: deadline)
            let milliseconds = Int(left.components.seconds) * 1000
                + Int(left.components.attoseconds / 1_000_000_000_000_000)
            let event: SocketEvent?
            do {
                event = milliseconds > 0 ? try monitor.next(timeoutMilliseconds: milliseconds) : nil
            } catch where error.isInterrupted {
                continue
            } catch {
                throw .zmq(error)
            }
            guard let event else {
                throw .feedUnreachable(endpoint: self.endpoint, milliseconds: timeoutMilliseconds,
                                       connected: connected, detail: detail)
            }
            switch event.kind {
            case .handshakeSucceeded:
                return
            case .connected:
                connected = true
            case .handshakeFailedAuth:
                let who = self.member.map { "member '\($0)'" } ?? "this key"
                throw .handshakeRefused(endpoint: self.endpoint, member: self.member,
                                        reason: "its authentication refused \(who) (ZAP status \(event.value))")
            case .handshakeFailedProtocol:
                throw .handshakeRefused(endpoint: self.endpoint, member: self.member,
                                        reason: SocketEvents.protocolErrorText(event.value))
            case .handshakeFailedNoDetail:
                detail = "the connection closed during the handshake (\(event.errnoText))"
            default:
                continue
            }
        }
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

    /// Closes the socket (and the handshake's monitor, when still open).
    package func close() {
        self.monitor?.close()
        self.monitor = nil
        self.socket.close()
    }
}
