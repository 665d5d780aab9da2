// SPDX-License-Identifier: Apache-2.0

/// Talks to a daemon's api endpoint: one request, one reply, with a deadline.
///
/// A DEALER socket speaking like REQ (an empty delimiter frame first), so that a request that
/// timed out does not wedge the socket. Not thread-safe: one owner.
package final class APIClient {
    private let socket: Socket
    package let endpoint: String
    package let member: String?
    package let timeoutMilliseconds: Int

    /// Connects (in the background: libzmq connects when it can).
    ///
    /// - Parameters:
    ///   - context: the context to make the socket in.
    ///   - endpoint: the daemon's api endpoint.
    ///   - member: the member to connect as (a PLAIN user name under security `none`).
    ///   - timeoutMilliseconds: how long ``request(_:)`` waits for a reply.
    /// - Throws: ``ClientError/zmq(_:)`` for a malformed endpoint.
    package init(
        context: Context,
        endpoint: String,
        member: String?,
        curve: CurveClientKeys? = nil,
        timeoutMilliseconds: Int
    ) throws(ClientError) {
        self.endpoint = endpoint
        self.member = member
        self.timeoutMilliseconds = timeoutMilliseconds
        self.socket = try Socket.client(context: context, type: .dealer, endpoint: endpoint, member: member,
                                        curve: curve)
        // A DEALER with no connection (a handshake the daemon refused) blocks in send: bound it.
        do {
            try self.socket.set(.sendTimeout(milliseconds: Int32(clamping: timeoutMilliseconds)))
        } catch {
            self.socket.close()
            throw .zmq(error)
        }
    }

    /// Sends a request and waits for its reply.
    ///
    /// - Throws: ``ClientError``: `timeout` when nothing came back in time.
    package func request(_ request: Request) throws(ClientError) -> Reply {
        try self.send(request)
        return try self.receive()
    }

    /// Sends a request without waiting (for pipelining; replies come back in order).
    package func send(_ request: Request) throws(ClientError) {
        let sent: Bool
        do {
            sent = try self.socket.send([[]] + request.frames)
        } catch {
            throw .zmq(error)
        }
        guard sent else {
            throw ClientError.timeout(endpoint: self.endpoint, milliseconds: self.timeoutMilliseconds,
                                      member: self.member)
        }
    }

    /// Waits for the next reply.
    package func receive() throws(ClientError) -> Reply {
        var poller = Poller()
        poller.add(self.socket)
        do {
            let ready = try poller.poll(timeoutMilliseconds: self.timeoutMilliseconds)
            guard ready[0], let message = try self.socket.receive(wait: false) else {
                throw ClientError.timeout(endpoint: self.endpoint, milliseconds: self.timeoutMilliseconds,
                                          member: self.member)
            }
            var frames = message.frames
            if frames.first?.isEmpty == true {
                frames.removeFirst()
            }
            guard let reply = Reply(frames: frames) else {
                throw ClientError.badReply("\(frames.count) frames")
            }
            return reply
        } catch let error as ClientError {
            throw error
        } catch let error as ZMQError {
            throw .zmq(error)
        } catch {
            throw .badReply("\(error)")
        }
    }

    /// Closes the socket.
    package func close() {
        self.socket.close()
    }
}
