import FuzzSupport
import StreamDecoding

/// Fuzzes `SSEDecoder`: the events (and the unfinished trailing event and reconnection time) must be the
/// same whether the stream is fed whole or in pieces of any size, and must equal a small, slow reference
/// implementation of the WHATWG event-stream rules written straight from the spec.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = inputBytes(data, size)
    let expected = ReferenceSSE.decode(bytes)
    for split in Split.allCases {
        var decoder = SSEDecoder()
        var events: [SSEEvent] = []
        feedPieces(bytes, split) { events += decoder.feed($0) }
        let retry = decoder.reconnectionTime
        let rest = decoder.finish()
        let got = Outcome(events: events, rest: rest, reconnectionTime: retry)
        if got != expected {
            fuzzFailure(
                "SSEDecoder fed as \(split) differs from the reference",
                "input: \(show(bytes))\nexpected: \(expected)\ngot:      \(got)"
            )
        }
        // finish() resets the decoder: it must then behave as a new one.
        if decoder.reconnectionTime != nil || decoder.finish() != nil {
            fuzzFailure("SSEDecoder not reset by finish()", "input: \(show(bytes))")
        }
    }
    return 0
}

struct Outcome: Equatable, CustomStringConvertible {
    var events: [SSEEvent]
    var rest: SSEEvent?
    var reconnectionTime: Int?

    var description: String { "events \(events), rest \(String(describing: rest)), retry \(String(describing: reconnectionTime))" }
}

/// The spec's algorithm, on the whole stream at once, with the decoder's documented extension: at end of
/// input the last unterminated line is still processed and an undispatched message is returned.
enum ReferenceSSE {
    static func decode(_ input: [UInt8]) -> Outcome {
        var bytes = input[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        // Split into lines on CRLF, CR or LF; the text after the last line end is the unterminated line.
        var lines: [[UInt8]] = []
        var current: [UInt8] = []
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let b = bytes[i]
            if b == 0x0D || b == 0x0A {
                lines.append(current)
                current = []
                if b == 0x0D, i + 1 < bytes.endIndex, bytes[i + 1] == 0x0A { i += 1 }
            } else {
                current.append(b)
            }
            i += 1
        }
        var state = State()
        var out = Outcome(events: [], rest: nil, reconnectionTime: nil)
        for line in lines {
            if line.isEmpty {
                if let e = state.dispatch() { out.events.append(e) }
            } else {
                state.field(line)
            }
        }
        // `reconnectionTime` is read before `finish()`, which processes the unterminated line and resets.
        out.reconnectionTime = state.reconnectionTime
        if !current.isEmpty { state.field(current) }
        if state.hasData { out.rest = state.event() }
        return out
    }

    struct State {
        var data: [UInt8] = []
        var hasData = false
        var type: [UInt8] = []
        var lastID: [UInt8] = []
        var retry: Int?
        var reconnectionTime: Int?

        mutating func field(_ line: [UInt8]) {
            if line.first == 0x3A { return }
            let name: [UInt8]
            var value: [UInt8]
            if let colon = line.firstIndex(of: 0x3A) {
                name = Array(line[..<colon])
                value = Array(line[(colon + 1)...])
                if value.first == 0x20 { value.removeFirst() }
            } else {
                name = line
                value = []
            }
            switch name {
            case Array("data".utf8):
                if hasData { data.append(0x0A) }
                data += value
                hasData = true
            case Array("event".utf8):
                type = value
            case Array("id".utf8):
                if !value.contains(0) { lastID = value }
            case Array("retry".utf8):
                if !value.isEmpty, value.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
                    // The decoder caps the value at 18 digits (anything longer is ignored, not overflowed).
                    if value.count <= 18, let ms = Int(String(decoding: value, as: UTF8.self)) {
                        retry = ms
                        reconnectionTime = ms
                    }
                }
            default:
                break
            }
        }

        func event() -> SSEEvent {
            SSEEvent(
                event: type.isEmpty ? nil : String(decoding: type, as: UTF8.self),
                data: String(decoding: data, as: UTF8.self),
                id: lastID.isEmpty ? nil : String(decoding: lastID, as: UTF8.self),
                retry: retry
            )
        }

        mutating func dispatch() -> SSEEvent? {
            defer {
                type = []
                if hasData { retry = nil }
                data = []
                hasData = false
            }
            return hasData ? event() : nil
        }
    }
}

/// The process entry point (see `runLibFuzzer`).
@_cdecl("fuzz_sse_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, size in withInput(data, size, fuzz) }
}
