// SPDX-License-Identifier: Apache-2.0
import CZMQ

// Every libzmq constant this package uses is mapped here, once. Nothing outside the ZMQ
// folder names a ZMQ_ constant.

/// The socket types the bus uses.
package enum SocketType: Sendable {
    case pub, sub, xpub, xsub, req, rep, dealer, router, pair, stream

    var rawValue: Int32 {
        switch self {
        case .pub: return ZMQ_PUB
        case .sub: return ZMQ_SUB
        case .xpub: return ZMQ_XPUB
        case .xsub: return ZMQ_XSUB
        case .req: return ZMQ_REQ
        case .rep: return ZMQ_REP
        case .dealer: return ZMQ_DEALER
        case .router: return ZMQ_ROUTER
        case .pair: return ZMQ_PAIR
        case .stream: return ZMQ_STREAM
        }
    }
}

/// A socket option with its value, as `zmq_setsockopt` takes it.
package enum SocketOption: Sendable {
    /// `ZMQ_LINGER`: how long `close` keeps unsent messages, in milliseconds (-1 for ever).
    case linger(milliseconds: Int32)
    /// `ZMQ_SNDHWM`: the queue limit per peer on the sending side, in messages (0: none).
    case sendHighWaterMark(Int32)
    /// `ZMQ_RCVHWM`: the queue limit per peer on the receiving side, in messages (0: none).
    case receiveHighWaterMark(Int32)
    /// `ZMQ_MAXMSGSIZE`: a peer sending a larger frame is disconnected (-1: no limit).
    case maxMessageSize(bytes: Int64)
    /// `ZMQ_SUBSCRIBE` on a SUB socket.
    case subscribe([UInt8])
    /// `ZMQ_UNSUBSCRIBE` on a SUB socket.
    case unsubscribe([UInt8])
    /// `ZMQ_ROUTING_ID`: the identity a DEALER or REQ announces to a ROUTER.
    case routingID([UInt8])
    /// `ZMQ_RCVTIMEO`, in milliseconds (-1: wait for ever).
    case receiveTimeout(milliseconds: Int32)
    /// `ZMQ_SNDTIMEO`, in milliseconds (-1: wait for ever).
    case sendTimeout(milliseconds: Int32)
    /// `ZMQ_IMMEDIATE`: queue only to completed connections.
    case immediate(Bool)
    /// `ZMQ_ROUTER_MANDATORY`: a reply to a vanished peer fails with `EHOSTUNREACH`.
    case routerMandatory(Bool)
    /// `ZMQ_XPUB_VERBOSE`: pass every subscription up, duplicates included.
    case xpubVerbose(Bool)
    /// `ZMQ_XPUB_MANUAL`: subscriptions are passed up and take effect only when the owner sets
    /// `subscribe` (or `unsubscribe`) right after reading them, for the peer that sent them.
    case xpubManual(Bool)
    /// `ZMQ_PLAIN_SERVER`: accept PLAIN handshakes, checked by the ZAP handler.
    case plainServer(Bool)
    /// `ZMQ_PLAIN_USERNAME` on a client.
    case plainUsername(String)
    /// `ZMQ_PLAIN_PASSWORD` on a client.
    case plainPassword(String)
    /// `ZMQ_ZAP_DOMAIN`: the domain a server socket names in its ZAP requests.
    case zapDomain(String)
    /// `ZMQ_HANDSHAKE_IVL`, in milliseconds.
    case handshakeInterval(milliseconds: Int32)
    /// `ZMQ_RECONNECT_IVL`, in milliseconds.
    case reconnectInterval(milliseconds: Int32)
    /// `ZMQ_CURVE_SERVER`: accept CurveZMQ handshakes, checked by the ZAP handler.
    case curveServer(Bool)
    /// `ZMQ_CURVE_PUBLICKEY`: this socket's public key, Z85.
    case curvePublicKey(String)
    /// `ZMQ_CURVE_SECRETKEY`: this socket's secret key, Z85.
    case curveSecretKey(String)
    /// `ZMQ_CURVE_SERVERKEY`: on a client, the server's public key, Z85.
    case curveServerKey(String)

    var name: String {
        switch self {
        case .linger: return "ZMQ_LINGER"
        case .sendHighWaterMark: return "ZMQ_SNDHWM"
        case .receiveHighWaterMark: return "ZMQ_RCVHWM"
        case .maxMessageSize: return "ZMQ_MAXMSGSIZE"
        case .subscribe: return "ZMQ_SUBSCRIBE"
        case .unsubscribe: return "ZMQ_UNSUBSCRIBE"
        case .routingID: return "ZMQ_ROUTING_ID"
        case .receiveTimeout: return "ZMQ_RCVTIMEO"
        case .sendTimeout: return "ZMQ_SNDTIMEO"
        case .immediate: return "ZMQ_IMMEDIATE"
        case .routerMandatory: return "ZMQ_ROUTER_MANDATORY"
        case .xpubVerbose: return "ZMQ_XPUB_VERBOSE"
        case .xpubManual: return "ZMQ_XPUB_MANUAL"
        case .plainServer: return "ZMQ_PLAIN_SERVER"
        case .plainUsername: return "ZMQ_PLAIN_USERNAME"
        case .plainPassword: return "ZMQ_PLAIN_PASSWORD"
        case .zapDomain: return "ZMQ_ZAP_DOMAIN"
        case .handshakeInterval: return "ZMQ_HANDSHAKE_IVL"
        case .reconnectInterval: return "ZMQ_RECONNECT_IVL"
        case .curveServer: return "ZMQ_CURVE_SERVER"
        case .curvePublicKey: return "ZMQ_CURVE_PUBLICKEY"
        case .curveSecretKey: return "ZMQ_CURVE_SECRETKEY"
        case .curveServerKey: return "ZMQ_CURVE_SERVERKEY"
        }
    }

    /// The option's number and its value as bytes, ready for `zmq_setsockopt`.
    var encoded: (option: Int32, bytes: [UInt8]) {
        switch self {
        case .linger(let ms): return (ZMQ_LINGER, Self.bytes(of: ms))
        case .sendHighWaterMark(let n): return (ZMQ_SNDHWM, Self.bytes(of: n))
        case .receiveHighWaterMark(let n): return (ZMQ_RCVHWM, Self.bytes(of: n))
        case .maxMessageSize(let n): return (ZMQ_MAXMSGSIZE, Self.bytes(of: n))
        case .subscribe(let prefix): return (ZMQ_SUBSCRIBE, prefix)
        case .unsubscribe(let prefix): return (ZMQ_UNSUBSCRIBE, prefix)
        case .routingID(let id): return (ZMQ_ROUTING_ID, id)
        case .receiveTimeout(let ms): return (ZMQ_RCVTIMEO, Self.bytes(of: ms))
        case .sendTimeout(let ms): return (ZMQ_SNDTIMEO, Self.bytes(of: ms))
        case .immediate(let on): return (ZMQ_IMMEDIATE, Self.bytes(of: on))
        case .routerMandatory(let on): return (ZMQ_ROUTER_MANDATORY, Self.bytes(of: on))
        case .xpubVerbose(let on): return (ZMQ_XPUB_VERBOSE, Self.bytes(of: on))
        case .xpubManual(let on): return (ZMQ_XPUB_MANUAL, Self.bytes(of: on))
        case .plainServer(let on): return (ZMQ_PLAIN_SERVER, Self.bytes(of: on))
        case .plainUsername(let s): return (ZMQ_PLAIN_USERNAME, Array(s.utf8))
        case .plainPassword(let s): return (ZMQ_PLAIN_PASSWORD, Array(s.utf8))
        case .zapDomain(let s): return (ZMQ_ZAP_DOMAIN, Array(s.utf8))
        case .handshakeInterval(let ms): return (ZMQ_HANDSHAKE_IVL, Self.bytes(of: ms))
        case .reconnectInterval(let ms): return (ZMQ_RECONNECT_IVL, Self.bytes(of: ms))
        case .curveServer(let on): return (ZMQ_CURVE_SERVER, Self.bytes(of: on))
        // Z85 keys are passed as their 40 characters and a terminating NUL, as libzmq asks.
        case .curvePublicKey(let key): return (ZMQ_CURVE_PUBLICKEY, Array(key.utf8) + [0])
        case .curveSecretKey(let key): return (ZMQ_CURVE_SECRETKEY, Array(key.utf8) + [0])
        case .curveServerKey(let key): return (ZMQ_CURVE_SERVERKEY, Array(key.utf8) + [0])
        }
    }

    private static func bytes(of value: Int32) -> [UInt8] {
        withUnsafeBytes(of: value) { Array($0) }
    }

    private static func bytes(of value: Int64) -> [UInt8] {
        withUnsafeBytes(of: value) { Array($0) }
    }

    private static func bytes(of flag: Bool) -> [UInt8] {
        bytes(of: Int32(flag ? 1 : 0))
    }
}

/// Events a socket monitor reports (`zmq_socket_monitor`), as a set to ask for and, one at a
/// time, as what came.
package struct SocketEvents: OptionSet, Sendable, Hashable {
    package let rawValue: Int32

    package init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// `ZMQ_EVENT_CONNECTED`: a connection to the peer is established (transport level).
    package static let connected = SocketEvents(rawValue: ZMQ_EVENT_CONNECTED)
    /// `ZMQ_EVENT_CONNECT_DELAYED`: a connect call could not complete at once and goes on.
    package static let connectDelayed = SocketEvents(rawValue: ZMQ_EVENT_CONNECT_DELAYED)
    /// `ZMQ_EVENT_CONNECT_RETRIED`: a connection failed and will be retried; the value is the
    /// reconnect interval in milliseconds.
    package static let connectRetried = SocketEvents(rawValue: ZMQ_EVENT_CONNECT_RETRIED)
    /// `ZMQ_EVENT_CLOSED`: a connection's descriptor was closed.
    package static let closed = SocketEvents(rawValue: ZMQ_EVENT_CLOSED)
    /// `ZMQ_EVENT_DISCONNECTED`: an established connection was lost.
    package static let disconnected = SocketEvents(rawValue: ZMQ_EVENT_DISCONNECTED)
    /// `ZMQ_EVENT_MONITOR_STOPPED`: the monitor was stopped; nothing follows.
    package static let monitorStopped = SocketEvents(rawValue: ZMQ_EVENT_MONITOR_STOPPED)
    /// `ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL`: the connection closed during the ZMTP handshake;
    /// the value is an errno.
    package static let handshakeFailedNoDetail = SocketEvents(rawValue: ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL)
    /// `ZMQ_EVENT_HANDSHAKE_SUCCEEDED`: the ZMTP handshake, security mechanism included, is done.
    package static let handshakeSucceeded = SocketEvents(rawValue: ZMQ_EVENT_HANDSHAKE_SUCCEEDED)
    /// `ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL`: the peers disagree on the protocol (a mechanism
    /// mismatch, a malformed command); the value is a `ZMQ_PROTOCOL_ERROR_*` code, which
    /// ``protocolErrorText(_:)`` puts in words.
    package static let handshakeFailedProtocol = SocketEvents(rawValue: ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL)
    /// `ZMQ_EVENT_HANDSHAKE_FAILED_AUTH`: the peer's authentication (ZAP) refused us; the value
    /// is the ZAP status code (400 for a refusal).
    package static let handshakeFailedAuth = SocketEvents(rawValue: ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)

    /// Every way a handshake can end.
    package static let handshake: SocketEvents = [
        .handshakeSucceeded, .handshakeFailedNoDetail, .handshakeFailedProtocol, .handshakeFailedAuth,
    ]

    /// The value of a ``handshakeFailedProtocol`` event in words (`ZMQ_PROTOCOL_ERROR_*`).
    package static func protocolErrorText(_ code: UInt32) -> String {
        switch Int32(bitPattern: code) {
        case ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH:
            return "the security mechanisms differ (CURVE on one side and not the other, or PLAIN against NULL)"
        case ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC:
            return "a CURVE message could not be decrypted (a wrong server key?)"
        case ZMQ_PROTOCOL_ERROR_ZMTP_KEY_EXCHANGE:
            return "the CURVE key exchange failed"
        case ZMQ_PROTOCOL_ERROR_ZAP_UNSPECIFIED...ZMQ_PROTOCOL_ERROR_ZAP_INVALID_METADATA:
            return "the peer's authentication handler answered something invalid"
        default:
            return "a ZMTP protocol error (code 0x\(String(code, radix: 16)))"
        }
    }
}

/// Flags and numbers the wrappers pass to libzmq.
enum ZMQConstant {
    static let dontWait: Int32 = ZMQ_DONTWAIT
    static let sendMore: Int32 = ZMQ_SNDMORE
    static let pollIn: Int16 = Int16(ZMQ_POLLIN)
    static let lastEndpoint: Int32 = ZMQ_LAST_ENDPOINT
    static let events: Int32 = ZMQ_EVENTS
    static let blocky: Int32 = ZMQ_BLOCKY
}
