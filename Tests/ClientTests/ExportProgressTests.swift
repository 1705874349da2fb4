import NIOCore
import Testing

@testable import Client

/// The export's progress counts rows however the stream is cut into chunks.
@Suite struct ExportProgressTests {
    static func count(_ text: String, format: String, pieces: Int) -> Int {
        var progress = ExportProgress(format: format, total: nil)
        let bytes = Array(text.utf8)
        var start = 0
        let size = max(1, bytes.count / pieces)
        while start < bytes.count {
            let end = min(bytes.count, start + size)
            progress.add(ByteBuffer(bytes: bytes[start..<end]))
            start = end
        }
        return progress.records
    }

    @Test(arguments: [1, 3, 1000])
    func rowsAreCountedPerFormat(pieces: Int) {
        #expect(Self.count("id,text\r\n1,a\r\n2,\"b\nc\"\r\n", format: "csv", pieces: pieces) == 2)
        #expect(Self.count("{\"a\":1}\n{\"a\":\"x\\ny\"}\n", format: "jsonl", pieces: pieces) == 2)
        #expect(Self.count("[\n{\"a\":1},\n{\"a\":2},\n{\"a\":3}\n]\n", format: "json", pieces: pieces) == 3)
        #expect(Self.count("[]\n", format: "json", pieces: pieces) == 0)
    }
}
