/// Terminal display width of Unicode text, in columns: East Asian Wide and Fullwidth characters and
/// emoji shown as emoji take 2, combining marks, zero-width joiners, variation selectors and other
/// format characters take 0, everything else 1 (East Asian Ambiguous counts as narrow, as in most
/// Western locales). Close to `wcwidth(3)` on a UTF-8 locale, without needing one.
public enum DisplayWidth {
    /// Columns one scalar takes on its own: 0, 1 or 2. Control characters are 0.
    public static func of(_ scalar: Unicode.Scalar) -> Int {
        let v = scalar.value
        if v >= 0x20 && v < 0x7F { return 1 }
        if v < 0x20 || (v >= 0x7F && v < 0xA0) { return 0 }
        if v < 0x300 { return 1 }
        if v >= 0x1160 && v <= 0x11FF { return 0 }  // Hangul medial vowels and final consonants join the syllable
        if v >= 0xD7B0 && v <= 0xD7FF { return 0 }
        if v == 0x200B || v == 0x2060 { return 0 }  // zero-width space, word joiner
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark: return 0
        case .format: return v == 0xAD ? 1 : 0
        default: break
        }
        if v >= 0x1100, isWide(v) || scalar.properties.isEmojiPresentation { return 2 }
        return 1
    }

    /// Columns one grapheme cluster takes: 0, 1 or 2.
    public static func of(_ character: Character) -> Int {
        let scalars = character.unicodeScalars
        guard let first = scalars.first else { return 0 }
        var iterator = scalars.makeIterator()
        _ = iterator.next()
        guard let second = iterator.next() else { return of(first) }
        if first == "\r" && second == "\n" { return 0 }
        // Emoji presentation requested by VS16 (❤️, #️⃣) or a flag (two regional indicators).
        var hasVS16 = false
        var hasVS15 = false
        for s in scalars {
            if s.value == 0xFE0F { hasVS16 = true } else if s.value == 0xFE0E { hasVS15 = true }
        }
        if hasVS16, first.properties.isEmoji { return 2 }
        if hasVS15, first.properties.isEmoji { return 1 }
        if (0x1F1E6...0x1F1FF).contains(first.value) { return 2 }
        // Otherwise the base decides (ZWJ sequences, modifiers, combining marks all ride on it).
        for s in scalars {
            let w = of(s)
            if w > 0 { return w }
        }
        return 0
    }

    /// Columns a string takes.
    public static func of(_ text: some StringProtocol) -> Int {
        var total = 0
        for ch in text {
            if ch.isASCII, let a = ch.asciiValue, a >= 0x20, a < 0x7F { total += 1 } else { total += of(ch) }
        }
        return total
    }

    /// East Asian Width W or F, outside the emoji (which `isEmojiPresentation` covers).
    static func isWide(_ v: UInt32) -> Bool {
        var lo = 0
        var hi = wideRanges.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            let r = wideRanges[mid]
            if v < r.lowerBound { hi = mid - 1 } else if v > r.upperBound { lo = mid + 1 } else { return true }
        }
        return false
    }

    /// Sorted, non-overlapping ranges (from Unicode's EastAsianWidth.txt, W and F, merged where the gaps are unassigned).
    static let wideRanges: [ClosedRange<UInt32>] = [
        0x1100...0x115F, 0x2329...0x232A, 0x2E80...0x2FFF, 0x3000...0x303E, 0x3041...0x33FF,
        0x3400...0x4DBF, 0x4E00...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF,
        0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
        0x16FE0...0x16FE4, 0x16FF0...0x16FF1, 0x17000...0x18CFF, 0x18D00...0x18D08, 0x1AFF0...0x1B2FF,
        0x1F200...0x1F202, 0x1F210...0x1F23B, 0x1F240...0x1F248, 0x1F250...0x1F251, 0x1F260...0x1F265,
        0x20000...0x2FFFD, 0x30000...0x3FFFD,
    ]
}
