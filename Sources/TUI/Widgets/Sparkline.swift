/// Tiny charts in one row of text.
public enum Sparkline {
    /// The eight block heights, lowest first.
    public static let blocks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// One block character per value (the last `width` values when there are more), scaled so the
    /// largest is `█`. Zero (and a missing value) is a space, any value above zero at least `▁`.
    public static func blocks(_ values: [Double?], width: Int? = nil, maximum: Double? = nil) -> String {
        let shown = width.map { Array(values.suffix($0)) } ?? values
        let top = maximum ?? shown.compactMap { $0 }.max() ?? 0
        var out = ""
        for v in shown {
            guard let v, v > 0, top > 0 else {
                out.append(" ")
                continue
            }
            let level = Int((v / top * 8).rounded(.up)) - 1
            out.append(blocks[min(7, max(0, level))])
        }
        if let width, shown.count < width { out = String(repeating: " ", count: width - shown.count) + out }
        return out
    }

    /// Two values per character, each a column of braille dots 0–4 high (the last `2 * width` values).
    public static func braille(_ values: [Double?], width: Int, maximum: Double? = nil) -> String {
        guard width > 0 else { return "" }
        var shown = Array(values.suffix(width * 2))
        if shown.count < width * 2 { shown = Array(repeating: nil, count: width * 2 - shown.count) + shown }
        let top = maximum ?? shown.compactMap { $0 }.max() ?? 0
        func level(_ v: Double?) -> Int {
            guard let v, v > 0, top > 0 else { return 0 }
            return min(4, max(1, Int((v / top * 4).rounded(.up))))
        }
        // Dot bits, bottom row first: left column 7,3,2,1 (0x40,0x04,0x02,0x01), right 8,6,5,4 (0x80,0x20,0x10,0x08).
        let left: [UInt32] = [0x40, 0x04, 0x02, 0x01]
        let right: [UInt32] = [0x80, 0x20, 0x10, 0x08]
        var out = ""
        for i in 0..<width {
            var bits: UInt32 = 0
            for k in 0..<level(shown[2 * i]) { bits |= left[k] }
            for k in 0..<level(shown[2 * i + 1]) { bits |= right[k] }
            out.unicodeScalars.append(Unicode.Scalar(0x2800 + bits)!)
        }
        return out
    }
}
