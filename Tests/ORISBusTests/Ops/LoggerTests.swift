// SPDX-License-Identifier: Apache-2.0
import Testing
@testable import ORISBus

/// logfmt lines (DESIGN.md §9): their shape, quoting, and level filtering.
@Suite struct LoggerTests {
    /// Collects what a logger writes.
    private final class Capture: @unchecked Sendable {
        // Sound because `lines` is only touched under `lock`.
        private let lock = Lock()
        private var stored = [String]()

        var lines: [String] { self.lock.withLock { self.stored } }

        func logger(level: LogLevel = .trace) -> Logger {
            Logger(level: level) { line in
                self.lock.withLock { self.stored.append(line) }
            }
        }
    }

    /// `ts=` then an RFC 3339 UTC time with milliseconds.
    private static var timestampField: Regex<(Substring, Substring)> {
        #/^ts=(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z) /#
    }

    // MARK: - Shape

    @Test func log_writesTimestampLevelMessageThenFieldsInOrder() throws {
        let capture = Capture()

        capture.logger().info("tenant loaded", [("tenant", "bfc"), ("themes", "3"), ("member", "cci-doubs")])

        let line = try #require(capture.lines.first)
        let match = try #require(line.prefixMatch(of: Self.timestampField))
        #expect(Timestamp(rfc3339: String(match.1)) != nil)
        let rest = line.dropFirst(match.0.count)
        #expect(rest == "level=info msg=\"tenant loaded\" tenant=bfc themes=3 member=cci-doubs\n")
    }

    @Test func log_writesExactlyOneLinePerEvent() {
        let capture = Capture()
        let logger = capture.logger()

        logger.warning("first")
        logger.error("second", [("err", "multi\nline\nvalue")])

        #expect(capture.lines.count == 2)
        for line in capture.lines {
            #expect(line.hasSuffix("\n"))
            #expect(line.dropLast().contains("\n") == false)
        }
    }

    @Test func log_whenMessageIsOneWord_leavesItBare() throws {
        let capture = Capture()

        capture.logger().notice("started")

        let line = try #require(capture.lines.first)
        #expect(line.hasSuffix(" level=notice msg=started\n"))
    }

    @Test func log_timestampIsNearNow() throws {
        let capture = Capture()
        let before = Timestamp.now()

        capture.logger().info("tick")
        let after = Timestamp.now()

        let line = try #require(capture.lines.first)
        let match = try #require(line.prefixMatch(of: Self.timestampField))
        let stamp = try #require(Timestamp(rfc3339: String(match.1)))
        #expect(stamp >= before)
        #expect(stamp <= after)
    }

    // MARK: - Quoting

    @Test func quote_whenValueIsAPlainWord_leavesItBare() {
        #expect(Logger.quote("bfc") == "bfc")
        #expect(Logger.quote("bfc/auto-rang3/gip/alert") == "bfc/auto-rang3/gip/alert")
        #expect(Logger.quote("42") == "42")
    }

    @Test func quote_whenValueHasASpace_quotesIt() {
        #expect(Logger.quote("two words") == #""two words""#)
    }

    @Test func quote_whenValueHasAQuote_escapesItInsideQuotes() {
        #expect(Logger.quote(#"say "hi""#) == #""say \"hi\"""#)
    }

    @Test func quote_whenValueHasABackslash_escapesIt() {
        #expect(Logger.quote(#"a\b"#) == #""a\\b""#)
    }

    @Test func quote_whenValueHasNewlinesOrTabs_escapesThem() {
        #expect(Logger.quote("one\ntwo") == #""one\ntwo""#)
        #expect(Logger.quote("a\tb\rc") == #""a\tb\rc""#)
    }

    @Test func quote_whenValueHasAnEqualsSign_quotesIt() {
        #expect(Logger.quote("k=v") == #""k=v""#)
    }

    @Test func quote_whenValueIsEmpty_writesEmptyQuotes() {
        #expect(Logger.quote("") == #""""#)
    }

    @Test func quote_whenValueHasOtherControlCharacters_neverWritesThemRaw() {
        let quoted = Logger.quote("bell\u{7}nul\u{0}del\u{7F}")

        #expect(quoted.hasPrefix("\""))
        #expect(quoted.hasSuffix("\""))
        #expect(quoted.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F })
    }

    @Test func log_whenAFieldValueTriesToForgeAField_keepsItInsideOneValue() throws {
        let capture = Capture()

        capture.logger().info("refused", [("member", "eve level=error msg=forged")])

        let line = try #require(capture.lines.first)
        #expect(line.hasSuffix(#" member="eve level=error msg=forged""# + "\n"))
    }

    // MARK: - Levels

    @Test func log_belowTheLoggersLevel_writesNothing() {
        let capture = Capture()
        let logger = capture.logger(level: .warning)

        logger.trace("t")
        logger.debug("d")
        logger.info("i")
        logger.notice("n")
        logger.warning("w")
        logger.error("e")

        #expect(capture.lines.count == 2)
        #expect(capture.lines.first?.contains(" level=warning msg=w") == true)
        #expect(capture.lines.last?.contains(" level=error msg=e") == true)
    }

    @Test func isEnabled_isTrueFromTheLoggersLevelUp() {
        let logger = Logger(level: .info) { _ in }

        #expect(logger.isEnabled(.debug) == false)
        #expect(logger.isEnabled(.info))
        #expect(logger.isEnabled(.error))
    }

    @Test func levels_orderFromTraceToError() {
        #expect(LogLevel.allCases.sorted() == [.trace, .debug, .info, .notice, .warning, .error])
        #expect(LogLevel.allCases.map(\.word) == ["trace", "debug", "info", "notice", "warning", "error"])
    }

    @Test func levelInit_readsWordsWithoutRegardToCase() {
        #expect(LogLevel(word: "WARNING") == .warning)
        #expect(LogLevel(word: "debug") == .debug)
        #expect(LogLevel(word: "warn") == nil)
        #expect(LogLevel(word: "") == nil)
    }
}
