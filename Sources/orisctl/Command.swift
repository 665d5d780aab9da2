// SPDX-License-Identifier: Apache-2.0
import ORISBus

#if canImport(Glibc)
import Glibc
#endif

/// One `orisctl` subcommand.
protocol Command: Sendable {
    /// The word that selects it.
    static var name: String { get }
    /// One line: what it does (shown in the command list).
    static var summary: String { get }
    /// The rest of its `--help`: usage line and options.
    static var usage: String { get }
    /// Runs it with its own arguments; returns the exit code.
    static func run(_ arguments: inout ArgumentReader) throws -> Int32
}

/// A subcommand that talks to a daemon, and so also takes the common options (--api, --as, …).
protocol DaemonCommand: Command {
    /// Runs it with its own arguments and the common options; returns the exit code.
    static func run(_ arguments: inout ArgumentReader, common: CommonOptions) throws -> Int32
}

extension DaemonCommand {
    /// Takes the common options, then runs the command.
    static func run(_ arguments: inout ArgumentReader) throws -> Int32 {
        let common = try CommonOptions.read(&arguments)
        return try self.run(&arguments, common: common)
    }
}

/// The options every subcommand that talks to a daemon takes.
struct CommonOptions {
    var api: String
    var member: String?
    var timeoutMilliseconds: Int
    /// Under security `curve`: the member's secret certificate and the daemon's public key.
    var keyFile: String?
    var serverKey: String?
    /// The daemon's local control socket: whoever can open it acts as an operator.
    var control: String?

    static let help = """
      --api ENDPOINT     the daemon's api endpoint, tcp://HOST:PORT or ipc://PATH (env ORIS_API;
                         default tcp://127.0.0.1:7400)
      --as MEMBER        the member to connect as, under security none (env ORIS_MEMBER)
      --key PATH         your secret certificate (from keygen), under security curve (env ORIS_KEY)
      --server-key KEY   the daemon's public key, Z85 or a certificate file (env ORIS_SERVER_KEY)
      --control PATH     use the daemon's local control socket instead, as the operator
                         (env ORIS_CONTROL; the file is STATE/control/orisd.sock, mode 0600)
      --timeout MS       how long to wait for the daemon (default 5000)
    """

    /// Takes the common options, falling back on the environment.
    static func read(_ arguments: inout ArgumentReader) throws(UsageError) -> CommonOptions {
        let api: String
        if let given = try arguments.option("--api") {
            api = try ClientEndpoint.check(given, from: "--api")
        } else if let given = environment("ORIS_API") {
            api = try ClientEndpoint.check(given, from: "ORIS_API")
        } else {
            api = "tcp://127.0.0.1:7400"
        }
        let member = try arguments.option("--as") ?? environment("ORIS_MEMBER")
        if member?.isEmpty == true {
            throw UsageError("--as needs a member name")
        }
        let timeout = try arguments.integer("--timeout", in: 1...3_600_000) ?? 5000
        let keyFile = try arguments.option("--key") ?? environment("ORIS_KEY")
        let serverKey = try arguments.option("--server-key") ?? environment("ORIS_SERVER_KEY")
        if (keyFile == nil) != (serverKey == nil) {
            throw UsageError("CURVE needs both --key (yours) and --server-key (the daemon's)")
        }
        var control = try arguments.option("--control") ?? environment("ORIS_CONTROL")
        if let path = control, !path.hasPrefix("ipc://") {
            control = "ipc://" + ConfigurationLoader.absolute(path)
        }
        if control != nil && (keyFile != nil || member != nil) {
            throw UsageError("--control acts as the operator: leave out --as, --key and --server-key")
        }
        return CommonOptions(api: control ?? api, member: member, timeoutMilliseconds: timeout, keyFile: keyFile,
                             serverKey: serverKey, control: control)
    }

    /// The CURVE keys from --key and --server-key, when given.
    func curveKeys() throws -> CurveClientKeys? {
        guard let keyFile, let serverKey else { return nil }
        let mine: CurveCertificate
        do {
            mine = try CurveCertificate.read(path: keyFile)
        } catch {
            throw CommandFailure.noInput(error.description)
        }
        guard let secret = mine.secretKey else {
            throw CommandFailure.noInput("--key '\(keyFile)' holds no secret key: give the _secret file")
        }
        var server = serverKey
        if Z85.decode(serverKey)?.count != 32 {
            do {
                server = try CurveCertificate.read(path: serverKey).publicKey
            } catch {
                throw CommandFailure.noInput("--server-key is neither a 40-character Z85 key nor a certificate: "
                                             + "\(error)")
            }
        }
        return CurveClientKeys(keys: CurveKeyPair(publicKey: mine.publicKey, secretKey: secret), serverKey: server)
    }

    /// Refuses a request that needs a tenant when none is named and the control socket, which
    /// acts for no tenant, is in use; a member's own tenant is the daemon's default otherwise.
    ///
    /// - Throws: ``UsageError`` asking for --tenant.
    func requireTenant(_ tenant: String?) throws(UsageError) {
        if tenant == nil && self.control != nil {
            throw UsageError("the control socket acts for no tenant: name one with --tenant")
        }
    }

    /// The member, or a usage error saying how to name one.
    func requireMember() throws(UsageError) -> String {
        guard let member, !member.isEmpty else {
            throw UsageError("say which member you are: --as MEMBER or ORIS_MEMBER=MEMBER "
                             + "(the embedded default knows cci-belfort, gip-machine, crps-bfc, operator, …)")
        }
        return member
    }

    /// Connects to the daemon's api endpoint as the member: a context and a client, closed
    /// together by ``Connection/close()``.
    func connect() throws -> Connection {
        let curve = try self.curveKeys()
        // Under CURVE the key names the member; --as is then only a label. The control socket
        // takes no mechanism at all.
        let member = self.control != nil ? "(control)"
            : curve == nil ? try self.requireMember() : (self.member ?? "(key)")
        let context = try Context()
        do {
            let connection = Connection(context: context, client: nil, member: member, curve: curve, options: self)
            return Connection(context: context, client: try connection.newClient(), member: member, curve: curve,
                              options: self)
        } catch {
            context.terminate()
            throw error
        }
    }

    /// Asks the daemon who we are; the first call of most commands, so that an absent daemon is
    /// reported in one sentence instead of a hang.
    func hello(_ client: APIClient) throws -> JSONObject {
        let reply = try client.request(.hello)
        guard reply.word == "WELCOME" else {
            throw CommandFailure.refused(reply)
        }
        return reply.body
    }
}

/// A command's link to the daemon.
struct Connection {
    let context: Context
    private let first: APIClient?
    let member: String
    let curve: CurveClientKeys?
    private let options: CommonOptions

    init(context: Context, client: APIClient?, member: String, curve: CurveClientKeys?, options: CommonOptions) {
        self.context = context
        self.first = client
        self.member = member
        self.curve = curve
        self.options = options
    }

    /// The client made by ``CommonOptions/connect()``.
    var client: APIClient { self.first! }

    /// Another client on the same endpoint, as the same member: after a timeout a socket may
    /// still hold a request whose late reply would be taken for the next one's.
    func newClient() throws(ClientError) -> APIClient {
        try APIClient(context: self.context, endpoint: self.options.api,
                      member: self.options.control == nil ? self.member : nil, curve: self.curve,
                      timeoutMilliseconds: self.options.timeoutMilliseconds)
    }

    func close() {
        self.first?.close()
        self.context.terminate()
    }
}

func environment(_ name: String) -> String? {
    guard let value = getenv(name) else { return nil }
    let text = String(cString: value)
    return text.isEmpty ? nil : text
}

/// A failure a command reports with its own exit code.
enum CommandFailure: Error {
    /// The daemon answered NAK.
    case refused(Reply)
    /// An input file cannot be read.
    case noInput(String)
    /// An output file cannot be created.
    case cannotCreate(String)
    /// The member may not do this (checked before asking the daemon to).
    case notPermitted(String)
}
