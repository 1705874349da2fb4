import Foundation
import LLMTraceModel

// MARK: - The detail pane's lines

extension AppState {
    /// The cached detail lines, when they were built for the selection as it is now at `width`.
    private func cachedDetailLines(width: Int) -> [StyledLine]? {
        guard let c = detailCache, c.id == selectedID, c.tab == tab, c.width == width, c.revision == detailRevision else { return nil }
        return c.lines
    }

    /// Builds the detail lines for this frame size once, not every frame, and keeps the scroll in range.
    mutating func refreshDetailCache(_ layout: Layout) {
        guard screen == .requests, !layout.detail.isEmpty, let id = selectedID else {
            detailCache = nil
            return
        }
        let width = layout.detailTextWidth
        let lines =
            cachedDetailLines(width: width)
            ?? DetailContent.lines(for: self, id: id, tab: tab, width: width)
        detailCache = DetailCache(id: id, tab: tab, width: width, revision: detailRevision, lines: lines)
        detailScroll = min(detailScroll, max(0, lines.count - layout.detail.height))
    }

    /// Lines of the detail pane at `width` (cached when possible).
    func detailLineCount(width: Int) -> Int {
        detailLines(width: width).count
    }

    /// The detail lines for the selection at `width`, from the cache when it matches.
    func detailLines(width: Int) -> [StyledLine] {
        guard let id = selectedID else { return [] }
        return cachedDetailLines(width: width) ?? DetailContent.lines(for: self, id: id, tab: tab, width: width)
    }
}
