/// An incremental Server-Sent Events decoder following the WHATWG HTML "event stream" interpretation rules.
///
/// Feed it bytes in pieces of any size: a piece may end inside a `\r\n` pair, inside a field name or
/// inside a multi-byte UTF-8 character, and the result is the same as feeding the whole stream at once.
/// Lines end with CR, LF or CRLF; a leading byte-order mark is ignored; comment lines (starting with `:`)
/// are skipped; one space after the colon is dropped; several `data:` lines are joined with `\n`;
/// an `id:` containing NUL is ignored; `retry:` takes ASCII digits only; a blank line dispatches.
/// At end of input, ``finish()`` returns the unfinished trailing message, if there was one, instead of
/// dropping it or reporting it as complete.
///
/// The decoder works on bytes and builds a `String` only once per dispatched message.
public struct SSEDecoder: Sendable {
    /// A dispatched message with its type and data still as bytes (the fast form the capture path reads).
    public struct RawEvent {
        /// The `event:` value; empty when none was given.
        public var type: [UInt8]
        /// The joined `data:` values.
        public var data: [UInt8]
        /// The `id:` value, when one was given.
        public var id: String?
        /// The `retry:` value, when a valid one was given.
        public var retry: Int?

        var publicEvent: SSEEvent {
            SSEEvent(
                event: type.isEmpty ? nil : String(decoding: type, as: UTF8.self),
                data: String(decoding: data, as: UTF8.self),
                id: id,
                retry: retry
            )
        }
    }

    private static let lf: UInt8 = 0x0A
    private static let cr: UInt8 = 0x0D
    private static let colon: UInt8 = 0x3A
    private static let space: UInt8 = 0x20
    private static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// Bytes of a line whose end has not arrived yet.
    private var partialLine: [UInt8] = []
    /// The previous piece ended with CR: a LF starting the next piece belongs to that line end.
    private var skipLeadingLF = false
    /// How many bytes of a leading BOM have been matched; `nil` once past the start of the stream.
    private var bomMatched: Int? = 0
    private var data: [UInt8] = []
    /// Whether a `data` field was seen since the last dispatch (the spec's "data buffer is not empty").
    private var hasData = false
    private var eventType: [UInt8] = []
    private var lastEventID = ""
    private var pendingRetry: Int?

    /// The reconnection time (milliseconds) most recently set by a valid `retry:` field.
    public private(set) var reconnectionTime: Int?

    /// Creates a decoder at the start of a stream.
    public init() {}

    /// Decodes the next piece of the stream and returns the messages it completed, in order.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [SSEEvent] {
        var out: [SSEEvent] = []
        decode(bytes) { out.append($0.publicEvent) }
        return out
    }

    /// Ends the stream. Returns the trailing message that was never terminated by a blank line
    /// (including a last line that had no line end), or `nil` when the stream ended cleanly.
    /// The decoder is then reset to the start of a new stream.
    public mutating func finish() -> SSEEvent? {
        finishRaw()?.publicEvent
    }

    // MARK: - Fast path

    /// Decodes a piece, calling `emit` for each dispatched message. The event's buffers are reused
    /// after `emit` returns, so `emit` should not keep them.
    public mutating func decode(_ bytes: some Sequence<UInt8>, _ emit: (RawEvent) -> Void) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            scan(buffer, emit)
        }
        if done == nil {
            let array = Array(bytes)
            array.withUnsafeBufferPointer { scan($0, emit) }
        }
    }

    /// Ends the stream (see ``finish()``), returning the unfinished message in its raw form.
    public mutating func finishRaw() -> RawEvent? {
        if let matched = bomMatched, matched > 0 {
            // The stream was only a prefix of a BOM: those bytes are content.
            partialLine.append(contentsOf: Self.bom[0..<matched])
        }
        var result: RawEvent?
        if !partialLine.isEmpty {
            let line = partialLine
            partialLine = []
            line.withUnsafeBufferPointer { processField($0) }
        }
        if hasData {
            result = RawEvent(type: eventType, data: data, id: lastEventID.isEmpty ? nil : lastEventID, retry: pendingRetry)
        }
        self = SSEDecoder()
        return result
    }

    private mutating func scan(_ input: UnsafeBufferPointer<UInt8>, _ emit: (RawEvent) -> Void) {
        let n = input.count
        var i = 0
        if let matched = bomMatched {
            var m = matched
            while i < n, m < 3, input[i] == Self.bom[m] {
                m += 1
                i += 1
            }
            if m == 3 {
                bomMatched = nil
            } else if i == n {
                bomMatched = m
                return
            } else {
                bomMatched = nil
                // A partial BOM followed by something else: the matched bytes are ordinary content.
                partialLine.append(contentsOf: Self.bom[0..<m])
            }
        }
        if skipLeadingLF, i < n {
            if input[i] == Self.lf { i += 1 }
            skipLeadingLF = false
        }
        while i < n {
            var j = i
            while j < n {
                let b = input[j]
                if b <= Self.cr, b == Self.lf || b == Self.cr { break }
                j += 1
            }
            if j == n {
                partialLine.append(contentsOf: UnsafeBufferPointer(rebasing: input[i..<n]))
                return
            }
            if partialLine.isEmpty {
                processLine(UnsafeBufferPointer(rebasing: input[i..<j]), emit)
            } else {
                partialLine.append(contentsOf: UnsafeBufferPointer(rebasing: input[i..<j]))
                var line = partialLine
                partialLine = []
                line.withUnsafeBufferPointer { processLine($0, emit) }
                line.removeAll(keepingCapacity: true)
                partialLine = line
            }
            if input[j] == Self.cr {
                if j + 1 < n {
                    if input[j + 1] == Self.lf { j += 1 }
                } else {
                    skipLeadingLF = true
                }
            }
            i = j + 1
        }
    }

    private mutating func processLine(_ line: UnsafeBufferPointer<UInt8>, _ emit: (RawEvent) -> Void) {
        if line.isEmpty {
            dispatch(emit)
        } else {
            processField(line)
        }
    }

    private mutating func processField(_ line: UnsafeBufferPointer<UInt8>) {
        guard let first = line.first, first != Self.colon else { return }  // comment
        var nameEnd = 0
        while nameEnd < line.count, line[nameEnd] != Self.colon { nameEnd += 1 }
        var valueStart = nameEnd
        if nameEnd < line.count {
            valueStart += 1
            if valueStart < line.count, line[valueStart] == Self.space { valueStart += 1 }
        }
        let name = UnsafeBufferPointer(rebasing: line[0..<nameEnd])
        let value = UnsafeBufferPointer(rebasing: line[valueStart..<line.count])
        switch nameEnd {
        case 4 where name[0] == 0x64 && name[1] == 0x61 && name[2] == 0x74 && name[3] == 0x61:  // data
            if hasData { data.append(Self.lf) }
            data.append(contentsOf: value)
            hasData = true
        case 5 where name[0] == 0x65 && name[1] == 0x76 && name[2] == 0x65 && name[3] == 0x6E && name[4] == 0x74:  // event
            eventType.removeAll(keepingCapacity: true)
            eventType.append(contentsOf: value)
        case 2 where name[0] == 0x69 && name[1] == 0x64:  // id
            if !value.contains(0) { lastEventID = String(decoding: value, as: UTF8.self) }
        case 5 where name[0] == 0x72 && name[1] == 0x65 && name[2] == 0x74 && name[3] == 0x72 && name[4] == 0x79:  // retry
            if !value.isEmpty, value.count <= 18, value.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
                var ms = 0
                for digit in value { ms = ms * 10 + Int(digit - 0x30) }
                reconnectionTime = ms
                pendingRetry = ms
            }
        default:
            break  // unknown fields are ignored
        }
    }

    private mutating func dispatch(_ emit: (RawEvent) -> Void) {
        guard hasData else {
            eventType.removeAll(keepingCapacity: true)
            return
        }
        var event = RawEvent(type: eventType, data: data, id: lastEventID.isEmpty ? nil : lastEventID, retry: pendingRetry)
        // Give the buffers away for the call so that, unless `emit` keeps them, they are reused without copying.
        eventType = []
        data = []
        emit(event)
        event.type.removeAll(keepingCapacity: true)
        event.data.removeAll(keepingCapacity: true)
        eventType = event.type
        data = event.data
        hasData = false
        pendingRetry = nil
    }
}
