// SPDX-License-Identifier: Apache-2.0

extension Daemon {
    /// Serves queued requests of the api endpoint, or of the local control socket (`local`),
    /// whose requests act as an operator and never publish.
    ///
    /// On the api endpoint the journal's writes are deferred while the requests are read, and
    /// the replies and deliveries held (``held``): every ``heldDeliveries`` messages, and once
    /// the socket has no more, the records are written in one call and then the replies and
    /// deliveries go out, in order (``releaseHeld(_:)``). No ACK leaves before its record is
    /// written.
    func serveAPI(_ socket: Socket, local: Bool, sockets: Daemon.Sockets) throws(ZMQError) {
        if local {
            return try self.readControl(socket, sockets: sockets)
        }
        try self.deferringWrites(release: self.releaseHeld, sockets: sockets) { () throws(ZMQError) in
            try self.readRequests(socket, sockets: sockets)
        }
    }

    /// Runs `read` with the journals' writes deferred, then `release` (which writes them and
    /// sends what was held), also when `read` throws.
    private func deferringWrites(
        release: (Daemon.Sockets) throws(ZMQError) -> Void,
        sockets: Daemon.Sockets,
        _ read: () throws(ZMQError) -> Void
    ) throws(ZMQError) {
        self.bus?.deferJournalWrites()
        do {
            try read()
        } catch {
            try? release(sockets)
            throw error
        }
        try release(sockets)
    }

    /// Serves the control socket's requests, each answered at once.
    private func readControl(_ socket: Socket, sockets: Daemon.Sockets) throws(ZMQError) {
        for _ in 0..<Daemon.batch {
            guard let message = try socket.receive(wait: false, maximumFrames: Daemon.maximumFrames) else {
                return
            }
            var frames = message.frames
            guard frames.count >= 1 else { continue }
            let envelope = Self.takeEnvelope(&frames)
            let outcome = self.handle(frames[...], caller: Daemon.localOperator, name: Daemon.localOperator.id,
                                      dropped: message.receivedFrameCount - message.frames.count)
            try self.sendReply { () throws(ZMQError) in try socket.send(envelope + outcome.reply.frames, wait: false) }
            try self.resetFeedIfNarrowed(sockets)
        }
    }

    /// The envelope at the head of a request's frames, taken off them: the routing id, then an
    /// empty delimiter when the client is REQ (or a DEALER speaking like one). The reply carries
    /// the same envelope back.
    private static func takeEnvelope(_ frames: inout [[UInt8]]) -> [[UInt8]] {
        var envelope = [frames.removeFirst()]
        if frames.first?.isEmpty == true {
            envelope.append(frames.removeFirst())
        }
        return envelope
    }

    private func readRequests(_ socket: Socket, sockets: Daemon.Sockets) throws(ZMQError) {
        // As on ingest: each request is received into the same frames, read in place by the
        // plain path and copied for the general one.
        let received = self.apiFrames
        var message = ReceivedMessage(frames: [])
        let plain = !self.logger.isEnabled(.debug)
        for _ in 0..<Daemon.batch {
            guard try socket.receive(into: received, wait: false) else { return }
            if plain, try self.publishPlain(received, sockets: sockets) { continue }
            received.copy(into: &message)
            var frames = message.frames
            guard frames.count >= 1 else { continue }
            let envelope = Self.takeEnvelope(&frames)
            // A theme's dashboard may name the caller its animateur: a role like `animates`.
            let caller = self.member(forUserID: received.userID).map(self.registry.withThemeRoles)
            let name = caller?.id ?? received.userID.map { _ in "(removed)" }
            let outcome = self.handle(frames[...], caller: caller, name: name,
                                      dropped: message.receivedFrameCount - message.frames.count)
            self.hold(deliveries: outcome.deliveries, reply: envelope + outcome.reply.frames, tenant: caller?.tenant,
                      position: outcome.position, id: outcome.id)
            try self.releaseHeldWhenFull(sockets)
            try self.resetFeedIfNarrowed(sockets)
        }
    }

    /// Publishes an api request through the plain path when it is a `PUBLISH` the path takes
    /// (``Bus/publishPlain(sender:header:body:now:into:tenant:acknowledge:)``): its deliveries
    /// and its ACK are held as the general path's would be, byte for byte.
    ///
    /// - Returns: false when the request is the general path's, nothing changed.
    private func publishPlain(_ received: ReceivedFrames, sockets: Daemon.Sockets) throws(ZMQError) -> Bool {
        // A DEALER's request: routing id, the protocol's four frames; REQ's has a delimiter too.
        let start: Int
        switch received.received {
        case 5: start = 1
        case 6 where received.frame(1).isEmpty: start = 2
        default: return false
        }
        guard received.frame(start, is: Request.signature), received.frame(start + 1, is: Request.publishCommand)
        else { return false }
        let (sender, tenantNumber) = self.sender(received.userID, cache: &self.apiSender)
        guard let bus = self.bus, let sender, let n = tenantNumber, !self.durability[n].hasFailed else { return false }
        let run = self.held
        let reply: [[UInt8]]
        switch bus.publishPlain(sender: sender, header: received.frame(start + 2), body: received.frame(start + 3),
                                now: .now(), into: run, tenant: n, acknowledge: true) {
        case .notTaken:
            return false
        case .acknowledged(let ack, let id, let position):
            self.stats.acceptedOnAPI += 1
            let first = run.frameCount
            for frame in 0..<start { run.addFrame(run.append(received.frame(frame))) }
            run.addFrame(run.append(Request.signature))
            run.addFrame(run.append(Daemon.ackWord))
            run.addFrame(ack)
            run.holdReply(framesFrom: first, tenant: n, position: position, id: id)
            try self.releaseHeldWhenFull(sockets)
            return true
        case .refused(let rejection):
            self.reject(rejection, endpoint: "api", member: sender.id)
            reply = (0..<start).map { Array(received.frame($0)) } + Reply.nak(rejection).frames
        case .published:
            preconditionFailure("publishPlain: the ACK was asked for")
        }
        self.hold(deliveries: [], reply: reply, tenant: sender.tenant, position: nil, id: nil)
        try self.releaseHeldWhenFull(sockets)
        return true
    }

    /// A request's answer: the reply, the deliveries it caused, and the journal position they
    /// must wait for.
    struct Outcome {
        var reply: Reply
        var deliveries: [FeedMessage] = []
        var position: UInt64?
        var id: String?
    }

    /// Answers one request.
    ///
    /// - Parameters:
    ///   - caller: the member the connection proved, nil when it proved none the registry knows
    ///     (a removed member's connection, for one).
    ///   - name: the connection's user id, for the log.
    ///   - dropped: frames the receive dropped past the most it keeps (for the count a NAK tells).
    private func handle(_ frames: ArraySlice<[UInt8]>, caller: Member?, name: String?, dropped: Int = 0) -> Outcome {
        let member = name
        let request: Request
        do {
            request = try Request.parse(frames, count: frames.count + dropped)
        } catch {
            self.reject(error, endpoint: "api", member: member)
            return Outcome(reply: .nak(error))
        }
        if case .hello = request {
            return Outcome(reply: self.welcome(caller))
        }
        if case .publish(let header, let body) = request {
            if caller?.id == Daemon.localOperator.id {
                let rejection = Rejection(.forbidden, "the control socket cannot publish: publish as a member")
                self.reject(rejection, endpoint: "control", member: member)
                return Outcome(reply: .nak(rejection))
            }
            do {
                return try self.publish(header: header, body: body, sender: caller, endpoint: "api")
            } catch {
                return Outcome(reply: .nak(error))
            }
        }
        guard let caller else {
            let rejection = Rejection(.unknownMember, "the connection carries no known member identity")
            self.reject(rejection, endpoint: "api", member: member, what: "request refused")
            return Outcome(reply: .nak(rejection))
        }
        switch request {
        case .hello, .publish:
            preconditionFailure("answered above")
        case .stats:
            do throws(Rejection) {
                try ControlPolicy.check(caller, .readStats, tenant: nil)
            } catch {
                self.reject(error, endpoint: "api", member: member, what: "stats refused")
                return Outcome(reply: .nak(error))
            }
            return Outcome(reply: Reply(word: "STATS", body: self.stats.jsonObject))
        case .audit(let arguments):
            do throws(Rejection) {
                return Outcome(reply: try self.auditPage(arguments, actor: caller))
            } catch {
                self.reject(error, endpoint: "api", member: member, what: "audit refused")
                return Outcome(reply: .nak(error))
            }
        case .escalate(let arguments):
            do throws(Rejection) {
                return try self.escalate(arguments, caller: caller)
            } catch {
                self.reject(error, endpoint: "api", member: member, what: "escalation refused")
                return Outcome(reply: .nak(error))
            }
        case .explain(let arguments), .trace(let arguments):
            do throws(Rejection) {
                if case .explain = request {
                    return Outcome(reply: try self.explainCommand(arguments, actor: caller))
                }
                return Outcome(reply: try self.traceCommand(arguments, actor: caller))
            } catch {
                self.reject(error, endpoint: "api", member: member, what: "request refused")
                return Outcome(reply: .nak(error))
            }
        case .member(let arguments):
            do throws(Rejection) {
                return Outcome(reply: try self.memberCommand(arguments, actor: caller))
            } catch {
                self.reject(error, endpoint: "api", member: member, what: "member command refused")
                return Outcome(reply: .nak(error))
            }
        case .theme(let arguments):
            do throws(Rejection) {
                return Outcome(reply: try self.themeCommand(arguments, actor: caller))
            } catch {
                self.reject(error, endpoint: "api", member: member, what: "theme command refused")
                return Outcome(reply: .nak(error))
            }
        case .replay(let arguments):
            do throws(Rejection) {
                let replay = try ReplayRequest(arguments)
                guard let bus = self.bus else { throw Rejection(.internal, "the daemon is stopping") }
                let reply = try bus.replay(member: caller, request: replay, durableBefore: self.readableBefore)
                let count = UInt64(reply.items.count / 3)
                self.stats.replayed += count
                if replay.isRepair, count > 0 {
                    let before = self.stats.gapRepairs[caller.id, default: 0]
                    self.stats.gapRepairs[caller.id] = before + count
                    // The feed drops silently; the first repair of each member is worth a notice.
                    self.logger.log(before == 0 ? .notice : .debug, "subscriber filled a gap from the journal", [
                        ("member", caller.id), ("prefix", replay.prefix), ("items", String(count)),
                    ])
                }
                return Outcome(reply: reply)
            } catch {
                self.reject(error, endpoint: "api", member: member, what: "replay refused")
                return Outcome(reply: .nak(error))
            }
        }
    }

    /// `ESCALATE {"id": ID, "note": TEXT}`: answered like a PUBLISH (ACK or NAK).
    private func escalate(_ arguments: [UInt8], caller: Member) throws(Rejection) -> Outcome {
        guard case .object(let o)? = try? JSONParser.parse(arguments) else {
            throw Rejection(.badRequest, "the ESCALATE arguments must be a JSON object")
        }
        for key in o.keys where !["id", "note"].contains(key) {
            throw Rejection(.badRequest, "unknown ESCALATE argument '\(key)' (known: id, note)")
        }
        guard let id = o["id"]?.stringValue, Identifier.isValidItemID(id) else {
            throw Rejection(.badRequest, "'id' must name an item")
        }
        guard let note = o["note"]?.stringValue else { throw Rejection(.badRequest, "'note' must say why") }
        guard let bus = self.bus else { throw Rejection(.internal, "the daemon is stopping") }
        let accepted = try bus.escalate(member: caller, id: id, note: note)
        var reply = Reply(word: "ACK", body: accepted.ack.jsonObject)
        if accepted.isDuplicate {
            reply.body["duplicate"] = .bool(true)
            return Outcome(reply: reply, position: accepted.position, id: accepted.id)
        }
        let deliveries = accepted.outbound.map {
            FeedMessage(tier: $0.topic.tier, frames: [$0.topicBytes, $0.encodedHeader, accepted.body])
        }
        self.logger.info("item escalated", [("id", id), ("member", caller.id)])
        return Outcome(reply: reply, deliveries: deliveries, position: accepted.position, id: accepted.id)
    }

    /// A page of the audit trail: `{"tenant": T?, "after": N?, "limit": L?}` → entries after N.
    /// An operator reads every tenant's; a tenant admin its own tenant's (the default for it).
    private func auditPage(_ arguments: [UInt8], actor: Member) throws(Rejection) -> Reply {
        guard case .object(let o)? = try? JSONParser.parse(arguments) else {
            throw Rejection(.badRequest, "the AUDIT arguments must be a JSON object")
        }
        for key in o.keys where !["tenant", "after", "limit"].contains(key) {
            throw Rejection(.badRequest, "unknown AUDIT argument '\(key)' (known: tenant, after, limit)")
        }
        if let value = o["tenant"], value.stringValue == nil {
            throw Rejection(.badRequest, "'tenant' must be a string")
        }
        let tenant = o["tenant"]?.stringValue ?? (actor.stratum == .operator ? nil : actor.tenant)
        try ControlPolicy.check(actor, .readAudit, tenant: tenant)
        func whole(_ key: String, _ range: ClosedRange<Int64>, _ fallback: Int64) throws(Rejection) -> Int64 {
            guard let value = o[key] else { return fallback }
            guard case .int(let n) = value, range.contains(n) else {
                throw Rejection(.badRequest, "'\(key)' must be a whole number from \(range.lowerBound) to "
                                + "\(range.upperBound)")
            }
            return n
        }
        let after = UInt64(try whole("after", 0...Int64.max, 0))
        let limit = Int(try whole("limit", 1...1000, 100))
        let all = self.registryStore?.audit.entries ?? []
        let matching = all.filter { $0.number > after && (tenant == nil || $0.tenant == tenant) }
        let page = matching.prefix(limit)
        var body = JSONObject()
        body["count"] = .int(Int64(page.count))
        body["more"] = .bool(matching.count > page.count)
        body["cursor"] = .int(Int64(page.last?.number ?? after))
        body["entries"] = .array(page.map { .object($0.jsonObject) })
        return Reply(word: "AUDIT", body: body)
    }

    private func welcome(_ caller: Member?) -> Reply {
        var o = JSONObject()
        o["protocol"] = .string("ORIS01")
        o["version"] = .string(Daemon.version)
        if let member = caller {
            o["member"] = .string(member.id)
            o["stratum"] = .string(member.stratum.word)
            if let tenant = self.registry.tenant(member.tenant) {
                o["tenant"] = .string(member.tenant)
                let themes = member.themes.isEmpty ? self.registry.themes(of: member.tenant).map(\.id) : member.themes
                o["themes"] = .array(themes.map { .string($0) })
                o["fsync"] = .string(tenant.durability.fsync.word)
            }
            var roles = [JSONValue]()
            if member.stratum == .operator { roles.append(.string("operator")) }
            if member.isAdmin { roles.append(.string("admin")) }
            if !member.animates.isEmpty { roles.append(.string("animateur")) }
            o["roles"] = .array(roles)
            if !member.animates.isEmpty { o["animates"] = .array(member.animates.map { .string($0) }) }
            o["readable"] = .array(ReadPolicy.readable(by: member, in: self.registry).map { .string($0) })
        }
        o["feed"] = .array(self.feedEndpoints.map { .string($0) })
        let limits = self.configuration.limits
        o["limits"] = .object(JSONObject([
            ("max_header_bytes", .int(Int64(limits.maximumHeaderBytes))),
            ("max_body_bytes", .int(Int64(limits.maximumBodyBytes))),
            ("max_title_length", .int(Int64(limits.maximumTitleLength))),
            ("replay_page", .int(Int64(ReplayRequest.maximumLimit))),
        ]))
        return Reply(word: "WELCOME", body: o)
    }

    private func publish(
        header: [UInt8],
        body: [UInt8],
        sender: Member?,
        endpoint: String
    ) throws(Rejection) -> Outcome {
        let accepted = try self.accept(header: header, body: body, sender: sender, endpoint: endpoint,
                                       tenantNumber: sender.flatMap { self.tenantIndex[$0.tenant] })
        return self.outcome(of: accepted, body: body, endpoint: endpoint)
    }

    /// The reply to an accepted publish, and the feed messages of its deliveries.
    private func outcome(of accepted: Accepted, body: [UInt8], endpoint: String) -> Outcome {
        // Ingest has no one to answer: its ACK is not written out (about a tenth of a publish).
        // A retry gets the first ACK's fields, and a flag so that a client can tell a repeat from
        // news.
        let reply = endpoint == "ingest"
            ? Reply(word: "ACK", body: accepted.isDuplicate ? JSONObject([("duplicate", .bool(true))]) : JSONObject())
            : Reply(word: "ACK", encodedBody: accepted.ack.encoded(duplicate: accepted.isDuplicate))
        if accepted.isDuplicate {
            return Outcome(reply: reply, position: accepted.position, id: accepted.id)
        }
        // The archive tier is stored for the record and never sent live. Alerts the daemon raised
        // because of this item (corroboration) follow it.
        var deliveries = [FeedMessage]()
        deliveries.reserveCapacity(accepted.outbound.count)
        for item in accepted.outbound where item.topic.tier != .archive {
            deliveries.append(FeedMessage(tier: item.topic.tier, frames: [item.topicBytes, item.encodedHeader, body]))
        }
        var position = accepted.position
        for raised in accepted.raised {
            deliveries += raised.outbound.map {
                FeedMessage(tier: $0.topic.tier, frames: [$0.topicBytes, $0.encodedHeader, []])
            }
            position = max(position, raised.position)
        }
        return Outcome(reply: reply, deliveries: deliveries, position: position, id: accepted.id)
    }

    /// Publishes through the bus and counts it; a refusal is logged and counted before it is
    /// thrown. `tenantNumber` is the sender's tenant's place in ``tenantIndex``, found once by
    /// the caller.
    private func accept(
        header: [UInt8],
        body: [UInt8],
        sender: Member?,
        endpoint: String,
        tenantNumber: Int?
    ) throws(Rejection) -> Accepted {
        guard let bus = self.bus else { throw Rejection(.internal, "the daemon is stopping") }
        let member = sender?.id
        if let tenant = sender?.tenant, let n = tenantNumber, self.durability[n].hasFailed {
            // Like every NAK, it names the id the header claims, when it is readable.
            let id = (try? JSONParser.parse(header))?.objectValue?["id"]?.stringValue
            let rejection = Rejection(.internal, "the journal of tenant '\(tenant)' could not be written or synced to "
                                      + "the disk; publishes are refused until orisd restarts", id: id)
            self.reject(rejection, endpoint: endpoint, member: member)
            throw rejection
        }
        let accepted: Accepted
        do {
            accepted = try bus.publish(sender: sender, header: header, body: body)
        } catch {
            self.reject(error, endpoint: endpoint, member: member)
            throw error
        }
        if accepted.isDuplicate {
            self.stats.duplicates += 1
            return accepted
        }
        for raised in accepted.raised {
            self.stats.raised += 1
            self.logger.info("corroboration alert raised", [
                ("id", raised.id), ("tenant", raised.tenant),
                ("tiers", raised.outbound.map(\.topic.tier.word).joined(separator: ",")),
            ])
        }
        if endpoint == "ingest" {
            self.stats.acceptedOnIngest += 1
        } else {
            self.stats.acceptedOnAPI += 1
        }
        if self.logger.isEnabled(.debug) {
            let tiers = accepted.outbound.map(\.topic.tier.word).joined(separator: ",")
            self.logger.debug("published", [("id", accepted.id), ("member", member ?? ""), ("endpoint", endpoint),
                                            ("tiers", tiers)])
        }
        return accepted
    }

    func reject(_ rejection: Rejection, endpoint: String, member: String?, what: StaticString = "publish refused") {
        let first = self.stats.countRejection(rejection.code, endpoint: endpoint)
        // A client's mistake is its own business: debug, plus a counter. Ingest has no reply, so
        // the first refusal of each cause there is worth an operator's notice; a full disk or a
        // failed journal is worth a warning, once a minute at most for each (a burst of ingest
        // items on a full disk wrote one line each), saying how many were refused meanwhile.
        var level: LogLevel = (endpoint == "ingest" && first) ? .notice : .debug
        var fields = [("endpoint", endpoint), ("member", member ?? ""), ("code", rejection.code.word),
                      ("err", rejection.message)]
        if rejection.code == .storageFull || rejection.code == .internal {
            let now = Timestamp.now().milliseconds
            let last = self.lastWarnings[rejection.code]
            if let last, now - last.at < Daemon.warningIntervalMilliseconds {
                self.lastWarnings[rejection.code]?.quiet += 1
            } else {
                level = .warning
                if let last, last.quiet > 0 { fields.append(("refused_since_last_warning", String(last.quiet))) }
                self.lastWarnings[rejection.code] = (now, 0)
            }
        }
        self.logger.log(level, what, fields)
    }

    /// Serves queued ingest messages: publishes without a reply.
    ///
    /// The journal's writes are deferred while the messages are read, and the deliveries held
    /// (``held``): every ``heldDeliveries`` deliveries, and when the socket has no more, the
    /// records are written in one call and then the deliveries go out. Nobody sees an item
    /// before its record is written, as when each was written at once.
    func serveIngest(_ ingest: Socket, sockets: Daemon.Sockets) throws(ZMQError) {
        try self.deferringWrites(release: self.releaseHeld, sockets: sockets) { () throws(ZMQError) in
            try self.readIngest(ingest, sockets: sockets)
        }
    }

    private func readIngest(_ ingest: Socket, sockets: Daemon.Sockets) throws(ZMQError) {
        // Each message is received into the same frames, read in place by the plain path and
        // copied into the same message's storage for the general one.
        let frames = self.ingestFrames
        var message = ReceivedMessage(frames: [])
        // The plain path logs nothing per item: at debug level every item takes the general one.
        let plain = !self.logger.isEnabled(.debug)
        for _ in 0..<Daemon.batch {
            guard try ingest.receive(into: frames, wait: false) else { return }
            let (sender, tenantNumber) = self.sender(frames.userID, cache: &self.ingestSender)
            if let bus = self.bus, let sender, let n = tenantNumber, plain, !self.durability[n].hasFailed,
               frames.received == 4,
               frames.frame(0, is: Request.signature), frames.frame(1, is: Request.publishCommand) {
                #if ORIS_BENCH_PARTS
                if BenchParts.holdAsTemplate(body: frames.frame(3), into: self.held, tenant: n) {
                    try self.releaseHeldWhenFull(sockets)
                    continue
                }
                #endif
                switch bus.publishPlain(sender: sender, header: frames.frame(2), body: frames.frame(3),
                                        now: .now(), into: self.held, tenant: n) {
                case .published, .acknowledged:
                    self.stats.acceptedOnIngest += 1
                    try self.releaseHeldWhenFull(sockets)
                    continue
                case .refused(let rejection):
                    self.reject(rejection, endpoint: "ingest", member: sender.id)
                    continue
                case .notTaken:
                    break
                }
            }
            frames.copy(into: &message)
            let member = sender?.id
            let request: Request
            do {
                request = try Request.parse(message.frames[...], count: message.receivedFrameCount)
            } catch {
                self.reject(error, endpoint: "ingest", member: member)
                continue
            }
            guard case .publish(let header, let body) = request else {
                let rejection = Rejection(.badCommand, "the ingest endpoint takes PUBLISH only")
                self.reject(rejection, endpoint: "ingest", member: member)
                continue
            }
            guard let accepted = try? self.accept(header: header, body: body, sender: sender, endpoint: "ingest",
                                                  tenantNumber: tenantNumber)
            else {
                continue
            }
            // A retry of a known id has nothing to send.
            if accepted.isDuplicate { continue }
            // The item's tenant is its sender's. Alerts raised because of it go out with it.
            if !accepted.raised.isEmpty {
                let outcome = self.outcome(of: accepted, body: body, endpoint: "ingest")
                self.hold(deliveries: outcome.deliveries, reply: nil, tenant: accepted.tenant,
                          position: outcome.position, id: outcome.id)
                try self.releaseHeldWhenFull(sockets)
                continue
            }
            // Otherwise held as the bus's frames, with no message values made for them.
            // The body copied in once, and only for an item that has a delivery to send.
            var bodyRange: Range<Int>?
            for item in accepted.outbound where item.topic.tier != .archive {
                let held = bodyRange ?? self.held.append(body)
                bodyRange = held
                self.held.hold(topic: item.topicBytes, header: item.encodedHeader, body: held,
                               tier: item.topic.tier, tenant: tenantNumber, position: accepted.position)
            }
            try self.releaseHeldWhenFull(sockets)
        }
    }

    /// Lets the held messages go once there are ``heldDeliveries`` of them, and goes on deferring.
    private func releaseHeldWhenFull(_ sockets: Daemon.Sockets) throws(ZMQError) {
        guard self.held.count >= Daemon.heldDeliveries else { return }
        try self.releaseHeld(sockets)
        self.bus?.deferJournalWrites()
    }

    /// The member a connection's user id names, and its tenant's place in ``tenantIndex``;
    /// kept in `cache` for the endpoint's next message (``ingestSender``, ``apiSender``).
    private func sender(
        _ userID: String?,
        cache: inout (userID: String, member: Member?, tenantNumber: Int?)?
    ) -> (Member?, Int?) {
        if let last = cache, last.userID == userID { return (last.member, last.tenantNumber) }
        let member = self.member(forUserID: userID)
        let tenantNumber = member.flatMap { self.tenantIndex[$0.tenant] }
        if let userID { cache = (userID, member, tenantNumber) }
        return (member, tenantNumber)
    }
}
