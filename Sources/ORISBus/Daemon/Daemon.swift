// SPDX-License-Identifier: Apache-2.0

/// The daemon: one loop owning every socket, serving the api, ingest and feed endpoints and the
/// ZAP handler until a stop signal.
///
/// Sockets are confined to the thread that calls ``run(signals:)``; nothing else touches them.
package final class Daemon {
    private let configuration: Configuration
    private let logger: Logger
    private var bus: Bus
    private var stats = Stats()
    private var sockets: Sockets?

    /// The sockets of a running daemon.
    private struct Sockets {
        let zap: ZAPHandler
        let api: Socket
        let feed: Socket
        let ingest: Socket?

        func closeAll() {
            self.api.close()
            self.feed.close()
            self.ingest?.close()
            self.zap.close()
        }
    }

    /// The version this build reports.
    package static let version = "0.1.0"

    /// How many messages one socket may hand the loop before the others get a turn.
    private static let batch = 256

    package init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.bus = Bus(registry: Registry(configuration: configuration), limits: configuration.limits)
    }

    // MARK: - Running

    /// Binds every endpoint, logs `ready`, and serves until SIGTERM or SIGINT arrives.
    ///
    /// - Parameter signals: the watcher whose descriptor the loop polls; nil serves for ever.
    /// - Throws: ``DaemonError`` when the daemon cannot start (nothing is left bound then).
    package func run(signals: SignalWatcher?) throws(DaemonError) {
        if let problem = FileBytes.makeDirectory(self.configuration.stateDirectory) {
            throw .state("cannot use state folder '\(self.configuration.stateDirectory)': \(problem)")
        }
        let lock: StateLock
        do {
            lock = try StateLock(directory: self.configuration.stateDirectory)
        } catch {
            throw .state(error.description)
        }
        defer { lock.release() }

        let context: Context
        do {
            context = try Context()
        } catch {
            throw .zmq(error)
        }
        defer { context.terminate() }

        let sockets = try self.open(context)
        self.sockets = sockets
        defer {
            sockets.closeAll()
            self.sockets = nil
        }
        let bound = try self.bindAll(sockets)
        self.logger.info("ready", [
            ("version", Daemon.version), ("libzmq", Context.libraryVersion),
            ("api", bound.api.joined(separator: " ")), ("feed", bound.feed.joined(separator: " ")),
            ("ingest", bound.ingest.joined(separator: " ")), ("state", self.configuration.stateDirectory),
            ("security", self.configuration.security.word),
            ("tenants", self.bus.registry.tenantIDs.joined(separator: ",")),
        ])
        self.feedEndpoints = bound.feed

        do {
            try self.loop(sockets, signals: signals)
        } catch {
            self.logger.error("loop failed", [("err", error.description)])
            throw .zmq(error)
        }
        self.logger.info("stopped", [])
    }

    private var feedEndpoints: [String] = []

    private func open(_ context: Context) throws(DaemonError) -> Sockets {
        do {
            // The ZAP handler is bound before any endpoint, so no handshake goes unchecked.
            let zap = try ZAPHandler(context: context)
            let limits = self.configuration.limits
            // Frames a little over the limits still arrive and get a NAK; libzmq drops a peer
            // that sends a frame larger than this, without a reply.
            let frameCeiling = Int64(2 * max(limits.maximumBodyBytes, limits.maximumHeaderBytes) + 65536)

            let api = try Socket(context: context, type: .router)
            try api.set(.linger(milliseconds: 200))
            try api.set(.routerMandatory(true))
            try api.set(.maxMessageSize(bytes: frameCeiling))
            try self.secure(api, domain: "api")

            let feed = try Socket(context: context, type: .xpub)
            try feed.set(.linger(milliseconds: 200))
            try feed.set(.sendHighWaterMark(self.configuration.feedHighWaterMark))
            try feed.set(.xpubVerbose(true))
            try self.secure(feed, domain: "feed")

            var ingest: Socket?
            if !self.configuration.endpoints.ingest.isEmpty {
                let socket = try Socket(context: context, type: .sub)
                try socket.set(.linger(milliseconds: 0))
                try socket.set(.maxMessageSize(bytes: frameCeiling))
                try socket.set(.subscribe([]))
                try self.secure(socket, domain: "ingest")
                ingest = socket
            }
            return Sockets(zap: zap, api: api, feed: feed, ingest: ingest)
        } catch {
            throw .zmq(error)
        }
    }

    private func secure(_ socket: Socket, domain: String) throws(ZMQError) {
        switch self.configuration.security {
        case .none:
            // Development: the client names its member as a PLAIN user name; see SECURITY in README.
            try socket.set(.plainServer(true))
            try socket.set(.zapDomain(domain))
        }
    }

    private func bindAll(_ sockets: Sockets) throws(DaemonError) -> (api: [String], feed: [String], ingest: [String]) {
        func bind(_ socket: Socket, _ endpoints: [String], _ name: String) throws(DaemonError) -> [String] {
            var out = [String]()
            for endpoint in endpoints {
                do {
                    try socket.bind(endpoint)
                    let actual = try socket.lastEndpoint()
                    out.append(actual)
                    self.logger.info("listening", [("endpoint", name), ("address", actual)])
                } catch {
                    throw .bind(endpoint: endpoint, name: name, cause: error)
                }
            }
            return out
        }
        let api = try bind(sockets.api, self.configuration.endpoints.api, "api")
        let feed = try bind(sockets.feed, self.configuration.endpoints.feed, "feed")
        var ingest = [String]()
        if let socket = sockets.ingest {
            ingest = try bind(socket, self.configuration.endpoints.ingest, "ingest")
        }
        return (api, feed, ingest)
    }

    private func loop(_ sockets: Sockets, signals: SignalWatcher?) throws(ZMQError) {
        var poller = Poller()
        let zapIndex = poller.add(sockets.zap.socket)
        let apiIndex = poller.add(sockets.api)
        let feedIndex = poller.add(sockets.feed)
        let ingestIndex = sockets.ingest.map { poller.add($0) }
        let signalIndex = signals.map { poller.add(fileDescriptor: $0.fileDescriptor) }

        while true {
            let ready: [Bool]
            do {
                ready = try poller.poll(timeoutMilliseconds: -1)
            } catch where error.isInterrupted {
                continue
            }
            if let signalIndex, ready[signalIndex], let signals {
                var stop = false
                for signal in signals.drain() {
                    if SignalWatcher.isReload(signal) {
                        self.logger.notice("configuration reload is not supported; restart to apply changes",
                                           [("signal", SignalWatcher.name(of: signal))])
                    } else {
                        self.logger.info("stopping", [("signal", SignalWatcher.name(of: signal))])
                        stop = true
                    }
                }
                if stop { return }
            }
            if ready[zapIndex] {
                try sockets.zap.serve(self.authenticate)
            }
            if ready[apiIndex] {
                try self.serveAPI(sockets)
            }
            if let ingestIndex, ready[ingestIndex], let ingest = sockets.ingest {
                try self.serveIngest(ingest, feed: sockets.feed)
            }
            if ready[feedIndex] {
                try self.serveSubscriptions(sockets.feed)
            }
        }
    }

    // MARK: - Authentication

    private func authenticate(_ request: ZAPRequest) -> ZAPDecision {
        switch self.configuration.security {
        case .none:
            guard request.mechanism == "PLAIN", let name = request.credentials.first else {
                self.stats.refusedConnections += 1
                self.logger.debug("connection refused", [("endpoint", request.domain), ("mechanism", request.mechanism),
                                                         ("err", "a PLAIN user name naming a member is required")])
                return .refuse(reason: "security none requires a PLAIN user name naming a member")
            }
            let member = String(decoding: name, as: UTF8.self)
            guard self.bus.registry.member(member) != nil else {
                self.stats.refusedConnections += 1
                self.logger.debug("connection refused", [("endpoint", request.domain), ("member", member),
                                                         ("err", "unknown member")])
                return .refuse(reason: "unknown member")
            }
            return .accept(userID: member)
        }
    }

    // MARK: - Endpoints

    private func serveAPI(_ sockets: Sockets) throws(ZMQError) {
        for _ in 0..<Daemon.batch {
            let properties = [ReceivedMessage.userIDProperty]
            guard let message = try sockets.api.receive(wait: false, properties: properties) else {
                return
            }
            var frames = message.frames
            guard frames.count >= 1 else { continue }
            // The envelope: the routing id, then an empty delimiter when the client is REQ (or a
            // DEALER speaking like one). The reply carries the same envelope back.
            var envelope = [frames.removeFirst()]
            if frames.first?.isEmpty == true {
                envelope.append(frames.removeFirst())
            }
            let reply = self.handle(frames[...], member: message.userID, sockets: sockets)
            do {
                _ = try sockets.api.send(envelope + reply.frames, wait: false)
            } catch where error.isUnroutable {
                self.logger.debug("reply dropped, client gone", [("member", message.userID ?? "")])
            }
        }
    }

    private func handle(_ frames: ArraySlice<[UInt8]>, member: String?, sockets: Sockets) -> Reply {
        let request: Request
        do {
            request = try Request.parse(frames)
        } catch {
            self.reject(error, endpoint: "api", member: member)
            return .nak(error)
        }
        switch request {
        case .hello:
            return self.welcome(member: member)
        case .stats:
            guard let member, self.bus.registry.member(member)?.stratum == .operator else {
                let rejection = Rejection(.forbidden, "only an operator may read the daemon's counters")
                self.reject(rejection, endpoint: "api", member: member)
                return .nak(rejection)
            }
            return Reply(word: "STATS", body: self.stats.jsonObject)
        case .publish(let header, let body):
            do {
                let accepted = try self.publish(header: header, body: body, member: member, feed: sockets.feed,
                                                endpoint: "api")
                return Reply(word: "ACK", body: accepted.ack)
            } catch {
                return .nak(error)
            }
        }
    }

    private func welcome(member id: String?) -> Reply {
        var o = JSONObject()
        o["protocol"] = .string("ORIS01")
        o["version"] = .string(Daemon.version)
        if let id, let member = self.bus.registry.member(id) {
            o["member"] = .string(member.id)
            o["tenant"] = .string(member.tenant)
            o["stratum"] = .string(member.stratum.word)
            let themes = member.themes.isEmpty
                ? (self.bus.registry.tenant(member.tenant)?.themes.map(\.id) ?? [])
                : member.themes
            o["themes"] = .array(themes.map { .string($0) })
        }
        o["feed"] = .array(self.feedEndpoints.map { .string($0) })
        let limits = self.configuration.limits
        o["limits"] = .object(JSONObject([
            ("max_header_bytes", .int(Int64(limits.maximumHeaderBytes))),
            ("max_body_bytes", .int(Int64(limits.maximumBodyBytes))),
            ("max_title_length", .int(Int64(limits.maximumTitleLength))),
        ]))
        return Reply(word: "WELCOME", body: o)
    }

    private func publish(
        header: [UInt8],
        body: [UInt8],
        member: String?,
        feed: Socket,
        endpoint: String
    ) throws(Rejection) -> Accepted {
        let accepted: Accepted
        do {
            accepted = try self.bus.publish(senderID: member, header: header, body: body)
        } catch {
            self.reject(error, endpoint: endpoint, member: member)
            throw error
        }
        for delivery in accepted.deliveries {
            do {
                // XPUB never blocks: past a subscriber's high-water mark libzmq drops for it.
                _ = try feed.send([delivery.topic.bytes, delivery.header.encoded, body], wait: false)
            } catch {
                self.logger.error("feed send failed", [("topic", delivery.topic.description),
                                                       ("err", error.description)])
                continue
            }
            self.stats.delivered[delivery.topic.tier, default: 0] += 1
        }
        self.stats.accepted[endpoint, default: 0] += 1
        if self.logger.isEnabled(.debug) {
            let tiers = accepted.deliveries.map(\.topic.tier.word).joined(separator: ",")
            self.logger.debug("published", [("id", accepted.id), ("member", member ?? ""), ("endpoint", endpoint),
                                            ("tiers", tiers)])
        }
        return accepted
    }

    private func reject(_ rejection: Rejection, endpoint: String, member: String?) {
        let first = self.stats.countRejection(rejection.code, endpoint: endpoint)
        // A client's mistake is its own business: debug, plus a counter. Ingest has no reply, so
        // the first refusal of each cause there is worth an operator's notice.
        let level: LogLevel = (endpoint == "ingest" && first) ? .notice : .debug
        self.logger.log(level, "publish refused", [("endpoint", endpoint), ("member", member ?? ""),
                                                   ("code", rejection.code.word), ("err", rejection.message)])
    }

    private func serveIngest(_ ingest: Socket, feed: Socket) throws(ZMQError) {
        for _ in 0..<Daemon.batch {
            guard let message = try ingest.receive(wait: false, properties: [ReceivedMessage.userIDProperty]) else {
                return
            }
            let request: Request
            do {
                request = try Request.parse(message.frames[...])
            } catch {
                self.reject(error, endpoint: "ingest", member: message.userID)
                continue
            }
            guard case .publish(let header, let body) = request else {
                let rejection = Rejection(.badCommand, "the ingest endpoint takes PUBLISH only")
                self.reject(rejection, endpoint: "ingest", member: message.userID)
                continue
            }
            _ = try? self.publish(header: header, body: body, member: message.userID, feed: feed, endpoint: "ingest")
        }
    }

    private func serveSubscriptions(_ feed: Socket) throws(ZMQError) {
        for _ in 0..<Daemon.batch {
            guard let message = try feed.receive(wait: false, properties: [ReceivedMessage.userIDProperty]) else {
                return
            }
            guard let frame = message.frames.first, let flag = frame.first else { continue }
            let prefix = String(decoding: frame.dropFirst(), as: UTF8.self)
            if flag == 1 {
                self.stats.subscriptions += 1
                self.logger.debug("subscribed", [("member", message.userID ?? ""), ("prefix", prefix)])
            } else if flag == 0 {
                self.stats.unsubscriptions += 1
                self.logger.debug("unsubscribed", [("member", message.userID ?? ""), ("prefix", prefix)])
            }
        }
    }
}
