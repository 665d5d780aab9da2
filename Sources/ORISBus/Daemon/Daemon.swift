// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif

/// The daemon: one loop owning every socket, serving the api, ingest and feed endpoints and the
/// ZAP handler until a stop signal, with each tenant's journal behind it.
///
/// Sockets are confined to the thread that calls ``run(signals:)``; nothing else touches them.
/// The only other threads are the signal watcher and the ``Syncer``, which wake the loop
/// through pipes.
package final class Daemon {
    let configuration: Configuration
    let logger: Logger
    /// Replaced by the control commands that add and remove members.
    var registry: Registry {
        didSet {
            self.ingestSender = nil
            self.apiSender = nil
            self.ticksEverySecond = nil
        }
    }
    /// Whether the loop must wake once a second (for retention, or for a theme's back-planning
    /// reminders), worked out again after the registry changes (``pollTimeout()``).
    var ticksEverySecond: Bool?
    /// The member the last ingest message's connection named, and its tenant's place in
    /// ``tenantIndex``: a run of messages from one connection finds them once, until the
    /// registry changes.
    var ingestSender: (userID: String, member: Member?, tenantNumber: Int?)?
    /// The same for the api endpoint's plain path.
    var apiSender: (userID: String, member: Member?, tenantNumber: Int?)?
    /// The member changes made at run time, as kept in `enrolment.json`.
    var enrolment = Enrolment()
    var bus: Bus?
    var stats = Stats()
    var feedEndpoints: [String] = []
    /// Per tenant (by index): what is durable, what a sync was asked for, what waits for it.
    var durability: [TenantDurability] = []
    var tenantIndex: [String: Int] = [:]
    var lastRetention = Timestamp(milliseconds: 0)
    /// Member and prefix pairs already logged as refused, so each is logged once.
    var refusedSubscriptionKeys = Set<String>()
    /// Refused subscriptions by member since the feed was last reset.
    var refusedSinceReset: [String: Int] = [:]
    /// Members refused on the feed until a time (milliseconds), for breaking its protocol.
    var feedQuarantine: [String: Int64] = [:]
    /// Set when the feed socket must be replaced (``resetFeed(_:)``).
    var feedResetPending = false
    /// Set when the feed socket was replaced while serving requests: the poller must take the
    /// new one.
    var feedReplaced = false
    /// The themes created or changed at run time, as kept in `themes.json`.
    var themeStore = ThemeStore()
    /// The back-planning reminders raised so far (``ReminderPlanner``), as kept in
    /// `reminders.json`.
    var raisedReminders = Set<String>()
    var lastReminderCheck = Timestamp(milliseconds: 0)
    /// Reminders that could not be stored, each logged once.
    var failedReminders = Set<String>()

    /// The version this build reports.
    package static let version = "0.3.0"

    /// How many messages one socket may hand the loop before the others get a turn.
    static let batch = 256

    /// Deliveries and replies held until their journal records are written (``serveIngest``,
    /// ``serveAPI(_:local:sockets:)``): the records of the items behind them are written in one
    /// call, and the feed's I/O thread wakes once for all of them.
    let held = MessageRun()

    /// The ingest loop's received frames, kept from message to message (``readIngest``).
    let ingestFrames = ReceivedFrames(capacity: Daemon.maximumFrames)
    /// The api endpoint's, likewise.
    let apiFrames = ReceivedFrames(capacity: Daemon.maximumFrames)

    /// How many deliveries and replies are held at most before their records are written and
    /// they go out.
    static let heldDeliveries = 64

    /// The last warning logged for each cause of refusal that warns (a full disk, a failed
    /// journal), and how many refusals of that cause were logged at debug level since.
    var lastWarnings: [NAKCode: (at: Int64, quiet: Int)] = [:]

    /// The shortest time between two warnings of one cause of refusal.
    static let warningIntervalMilliseconds: Int64 = 60_000


    /// Replies queued per api client before further ones are dropped. libzmq's count is
    /// approximate (messages in flight between its threads count late), so clients are asked to
    /// keep well under it in flight (PROTOCOL.md section 4).
    package static let maximumQueuedReplies: Int32 = 1000

    /// The largest subscription frame the feed accepts; a peer sending a larger one is dropped.
    package static let maximumSubscriptionBytes = 1024

    /// The most frames the loop copies from one request; the rest are dropped unread (the
    /// request then fails its frame count).
    static let maximumFrames = 8

    /// Where the configuration came from, for the audit trail.
    let configurationSource: String
    var registryStore: RegistryStore?

    package init(configuration: Configuration, logger: Logger, source: String = ConfigurationLoader.embeddedName) {
        self.configuration = configuration
        self.logger = logger
        self.configurationSource = source
        self.registry = Registry(configuration: configuration)
    }

    /// The sockets of a running daemon.
    final class Sockets {
        let context: Context
        let zap: ZAPHandler
        let api: Socket
        /// Replaced when a peer breaks the subscription protocol (``Daemon/resetFeed(_:)``).
        var feed: Socket
        let ingest: Socket?
        /// The local control socket (ipc, 0600): whoever reaches it acts as an operator.
        let control: Socket
        let syncer: Syncer

        init(context: Context, zap: ZAPHandler, api: Socket, feed: Socket, ingest: Socket?, control: Socket,
             syncer: Syncer) {
            self.context = context
            self.zap = zap
            self.api = api
            self.feed = feed
            self.ingest = ingest
            self.control = control
            self.syncer = syncer
        }

        func closeAll() {
            self.syncer.stop()
            self.api.close()
            self.control.close()
            self.feed.close()
            self.ingest?.close()
            self.zap.close()
        }
    }

    // MARK: - Running

    /// Opens the journals, binds every endpoint, logs `ready`, and serves until SIGTERM or
    /// SIGINT arrives; then makes every journal durable, answers what waited, and closes.
    ///
    /// - Parameter signals: the watcher whose descriptor the loop polls; nil serves for ever.
    /// - Throws: ``DaemonError`` when the daemon cannot start (nothing is left bound then).
    package func run(signals: SignalWatcher?) throws(DaemonError) {
        let state = self.configuration.stateDirectory
        if let problem = FileBytes.makeDirectory(state) {
            throw .state("cannot use state folder '\(state)': \(problem)")
        }
        // The state folder holds the journal, the enrolment and the control socket: whoever may
        // write in it may become an operator.
        if let problem = Self.privateFolderProblem(state) {
            throw .state("refusing state folder '\(state)': \(problem)")
        }
        let lock: StateLock
        do {
            lock = try StateLock(directory: state)
        } catch {
            throw .state(error.description)
        }
        defer { lock.release() }

        // Themes first: members added at run time may work on themes created at run time.
        do {
            self.themeStore = try ThemeStore.load(path: self.themeStorePath)
        } catch {
            throw .state("cannot read the themes changed at run time: \(error)")
        }
        do {
            self.raisedReminders = try Self.loadReminders(path: self.remindersPath)
        } catch {
            throw .state("cannot read the reminders already raised: \(error)")
        }
        for (tenant, theme) in self.themeStore.overriding(self.registry) {
            self.logger.notice("theme from themes.json used instead of the configuration's", [
                ("theme", theme), ("tenant", tenant), ("file", self.themeStorePath),
            ])
        }
        for problem in self.themeStore.apply(to: &self.registry) {
            self.logger.warning("theme entry left out", [("err", problem)])
        }
        do {
            self.enrolment = try Enrolment.load(path: self.enrolmentPath)
        } catch {
            throw .state("cannot read the members added at run time: \(error)")
        }
        for problem in self.enrolment.apply(to: &self.registry, security: self.configuration.security) {
            self.logger.warning("enrolment entry left out", [("err", problem)])
        }
        for problem in Self.dashboardProblems(self.registry) {
            self.logger.warning("theme dashboard names an unfit member", [("err", problem)])
        }
        for id in self.enrolment.listedAxes {
            self.logger.warning("member axes ignored", [
                ("member", id), ("err", "axes now live in the themes' dashboards: add the member to an axis's "
                                 + "collectors with 'orisctl theme collector add'"),
            ])
        }
        do {
            let store = try RegistryStore(stateDirectory: state)
            // A member change found in enrolment.json but not yet in registry.json was made at run
            // time (a crash came between the two writes): it is recorded as such, not as the file's.
            var runTime: [String: String] = [:]
            for id in Array(self.enrolment.added.keys) + Array(self.enrolment.removed) {
                runTime[id] = "enrolment:\(self.enrolmentPath)"
            }
            let changes = try store.record(self.registry, actor: "config:\(self.configurationSource)",
                                           memberActors: runTime)
            if changes > 0 {
                self.logger.info("registry changes recorded", [("changes", String(changes)),
                                                              ("audit", store.audit.path)])
            }
            self.registryStore = store
        } catch {
            throw .state("cannot record the registry: \(error)")
        }
        let bus = try self.openJournals()
        self.bus = bus
        defer {
            bus.close()
            self.bus = nil
        }

        let context: Context
        do {
            context = try Context()
        } catch {
            throw .zmq(error)
        }
        defer { context.terminate() }

        let sockets = try self.open(context)
        defer {
            sockets.closeAll()
            self.removeSocketFiles()
        }
        let bound = try self.bindAll(sockets)
        self.feedEndpoints = bound.feed
        self.logger.info("ready", [
            ("version", Daemon.version), ("libzmq", Context.libraryVersion),
            ("api", bound.api.joined(separator: " ")), ("feed", bound.feed.joined(separator: " ")),
            ("ingest", bound.ingest.joined(separator: " ")), ("control", "ipc://" + self.controlPath),
            ("state", state),
            ("security", self.configuration.security.word),
            ("tenants", self.registry.tenantIDs.joined(separator: ",")),
        ])

        do {
            try self.loop(sockets, signals: signals)
            try self.drain(sockets)
        } catch {
            sockets.syncer.stop()
            self.logger.error("loop failed", [("err", error.description)])
            throw .zmq(error)
        }
        self.logger.info("stopped", [])
    }

    private func openJournals() throws(DaemonError) -> Bus {
        let root = self.configuration.stateDirectory + "/journal"
        var policies: [String: DurabilityPolicy] = [:]
        for tenant in self.configuration.tenants {
            policies[tenant.id] = tenant.durability
        }
        let bus: Bus
        do {
            bus = try Bus(registry: self.registry, limits: self.configuration.limits, journalRoot: root,
                          policies: policies)
        } catch {
            throw .state("cannot open the journal: \(error)")
        }
        for (n, tenant) in self.registry.tenantIDs.enumerated() {
            self.tenantIndex[tenant] = n
            guard let journal = bus.journal(of: tenant) else { continue }
            for event in journal.recoveryEvents {
                switch event.kind {
                case .missingRecords:
                    self.logger.warning("journal records missing: a segment was deleted or lost", [
                        ("tenant", tenant), ("kind", event.kind.rawValue), ("before_segment", event.segment),
                        ("first_missing_position", String(event.offset)), ("missing", String(event.bytes)),
                    ])
                case .implausibleNumbers:
                    self.logger.warning("journal numbers not believed: impossible, or too far past its records", [
                        ("tenant", tenant), ("kind", event.kind.rawValue), ("file", event.segment),
                    ])
                case .skippedNumbers:
                    self.logger.warning("sequence numbers skipped on every topic: records lost since they were saved", [
                        ("tenant", tenant), ("kind", event.kind.rawValue), ("saved_at_position", String(event.offset)),
                        ("lost_records", String(event.bytes)),
                    ])
                default:
                    self.logger.warning("journal damage repaired", [
                        ("tenant", tenant), ("kind", event.kind.rawValue), ("segment", event.segment),
                        ("offset", String(event.offset)), ("bytes", String(event.bytes)),
                    ])
                }
            }
            for topic in journal.lostTails {
                self.logger.warning("journal ends before numbers it had given; its newest records are missing", [
                    ("tenant", tenant), ("topic", topic), ("last_given", String(journal.lastSequence(of: topic))),
                ])
            }
            self.logger.info("journal opened", [
                ("tenant", tenant), ("fsync", bus.policy(of: tenant).fsync.word),
                ("history_start", String(journal.firstPosition)), ("next_position", String(journal.nextPosition)),
            ])
            self.durability.append(TenantDurability(policy: bus.policy(of: tenant).fsync,
                                                    durableBefore: journal.nextPosition, journal: journal))
        }
        return bus
    }

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
            // Replies queued for one client that does not read: past this, its replies are
            // dropped (a REPLAY page is up to 256 KiB, so this bounds what one client can hold).
            try api.set(.sendHighWaterMark(Daemon.maximumQueuedReplies))
            try api.set(.maxMessageSize(bytes: frameCeiling))
            try self.secure(api, domain: "api")

            let feed = try self.makeFeed(context)

            var ingest: Socket?
            if !self.configuration.endpoints.ingest.isEmpty {
                let socket = try Socket(context: context, type: .sub)
                try socket.set(.linger(milliseconds: 0))
                try socket.set(.maxMessageSize(bytes: frameCeiling))
                try socket.set(.subscribe([]))
                try self.secure(socket, domain: "ingest")
                ingest = socket
            }
            // No mechanism and no ZAP domain: the file's permissions are the check.
            let control = try Socket(context: context, type: .router)
            try control.set(.linger(milliseconds: 200))
            try control.set(.routerMandatory(true))
            try control.set(.sendHighWaterMark(Daemon.maximumQueuedReplies))
            try control.set(.maxMessageSize(bytes: frameCeiling))
            let syncer = try Syncer()
            return Sockets(context: context, zap: zap, api: api, feed: feed, ingest: ingest, control: control,
                           syncer: syncer)
        } catch {
            throw .zmq(error)
        }
    }

    /// The feed's XPUB, with its options (not bound).
    func makeFeed(_ context: Context) throws(ZMQError) -> Socket {
        let feed = try Socket(context: context, type: .xpub)
        try feed.set(.linger(milliseconds: 200))
        try feed.set(.sendHighWaterMark(self.configuration.feedHighWaterMark))
        try feed.set(.xpubVerbose(true))
        // Each subscription is checked against its member before it takes effect.
        try feed.set(.xpubManual(true))
        // A subscription frame is a flag and a topic prefix; topics are short. Without this a
        // member could send megabyte prefixes that libzmq keeps in its subscription tree.
        try feed.set(.maxMessageSize(bytes: Int64(Daemon.maximumSubscriptionBytes)))
        try self.secure(feed, domain: "feed")
        return feed
    }

    private func secure(_ socket: Socket, domain: String) throws(ZMQError) {
        switch self.configuration.security {
        case .none:
            // Development: the client names its member as a PLAIN user name (README, PROTOCOL §3).
            try socket.set(.plainServer(true))
            try socket.set(.zapDomain(domain))
        case .curve:
            // The loader refuses security 'curve' without the daemon's keys.
            guard let keys = self.configuration.serverKeys else {
                preconditionFailure("security curve without server keys passed the configuration check")
            }
            try socket.set(.curveServer(true))
            try socket.set(.curveSecretKey(keys.secretKey))
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
                    sockets.syncer.stop()
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
        do {
            try self.bindControl(sockets.control)
        } catch {
            sockets.syncer.stop()
            throw error
        }
        return (api, feed, ingest)
    }

    private func loop(_ sockets: Sockets, signals: SignalWatcher?) throws(ZMQError) {
        var poller = Poller()
        let zapIndex = poller.add(sockets.zap.socket)
        let apiIndex = poller.add(sockets.api)
        let controlIndex = poller.add(sockets.control)
        let syncIndex = poller.add(fileDescriptor: sockets.syncer.fileDescriptor)
        let ingestIndex = sockets.ingest.map { poller.add($0) }
        let signalIndex = signals.map { poller.add(fileDescriptor: $0.fileDescriptor) }
        // The feed comes last, so that a new feed socket replaces it in a copy of the poller.
        let withoutFeed = poller
        let feedIndex = poller.add(sockets.feed)

        while true {
            let ready: Poller.Ready
            do {
                ready = try poller.wait(timeoutMilliseconds: self.pollTimeout())
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
            if ready[syncIndex] {
                try self.completeSyncs(sockets)
            }
            if ready[apiIndex] {
                try self.serveAPI(sockets.api, local: false, sockets: sockets)
            }
            if ready[controlIndex] {
                try self.serveAPI(sockets.control, local: true, sockets: sockets)
            }
            if let ingestIndex, ready[ingestIndex], let ingest = sockets.ingest {
                try self.serveIngest(ingest, sockets: sockets)
            }
            if ready[feedIndex] {
                try self.serveSubscriptions(sockets.feed)
            }
            try self.resetFeedIfNarrowed(sockets)
            if self.feedReplaced {
                self.feedReplaced = false
                poller = withoutFeed
                _ = poller.add(sockets.feed)
            }
            try self.raiseRemindersWhenDue(sockets)
            self.requestSyncs(sockets)
            self.applyRetentionWhenDue()
        }
    }

    /// Once a second at most, removes the segments that retention no longer keeps.
    private func applyRetentionWhenDue() {
        let now = Timestamp.now()
        guard now.milliseconds - self.lastRetention.milliseconds >= 1000, let bus = self.bus else { return }
        self.lastRetention = now
        do {
            for (tenant, count) in try bus.applyRetention(now: now) {
                self.logger.info("journal segments removed", [
                    ("tenant", tenant), ("segments", String(count)),
                    ("history_start", String(bus.journal(of: tenant)?.firstPosition ?? 0)),
                ])
            }
        } catch {
            self.logger.error("journal retention failed", [("err", error.description)])
        }
    }

    /// Removes the ipc socket files this daemon bound (libzmq leaves them behind).
    private func removeSocketFiles() {
        let endpoints = self.configuration.endpoints
        for endpoint in endpoints.api + endpoints.feed + endpoints.ingest where endpoint.hasPrefix("ipc:///") {
            _ = unlink(String(endpoint.dropFirst("ipc://".count)))
        }
        _ = unlink(self.controlPath)
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
            if request.domain == "feed", self.isQuarantined(member) {
                self.stats.refusedConnections += 1
                return .refuse(reason: "in quarantine on the feed")
            }
            guard self.registry.member(member) != nil else {
                self.stats.refusedConnections += 1
                self.logger.debug("connection refused", [("endpoint", request.domain), ("member", member),
                                                         ("err", "unknown member")])
                return .refuse(reason: "unknown member")
            }
            return .accept(userID: member)
        case .curve:
            guard request.mechanism == "CURVE", let key = request.credentials.first, key.count == 32,
                  let text = Z85.encode(key), let member = self.registry.member(publicKey: text)
            else {
                self.stats.refusedConnections += 1
                self.logger.debug("connection refused", [("endpoint", request.domain), ("mechanism", request.mechanism),
                                                         ("err", "key not enrolled")])
                return .refuse(reason: "key not enrolled")
            }
            if request.domain == "feed", self.isQuarantined(member.id) {
                self.stats.refusedConnections += 1
                return .refuse(reason: "in quarantine on the feed")
            }
            // The key itself is the connection's identity (see ``member(forUserID:)``).
            return .accept(userID: text)
        }
    }
}
