import Foundation
import LLMTraceModel

// MARK: - Pause and follow

extension AppState {
    /// A live event: applied now, or queued while paused (past ``maxPendingEvents`` the queue is dropped and
    /// resuming reloads instead).
    mutating func receive(_ payload: LiveEvent.Payload, _ effects: inout [Effect]) {
        if paused {
            if pendingEvents.count >= maxPendingEvents {
                pendingEvents = []
                pendingOverflow = true
            } else if !pendingOverflow {
                pendingEvents.append(payload)
            }
        } else {
            apply(payload, &effects)
        }
    }

    /// `Z`: pause live updates, or resume and apply what was queued.
    mutating func togglePause(_ effects: inout [Effect]) {
        if paused {
            paused = false
            let queued = pendingEvents
            let overflow = pendingOverflow
            pendingEvents = []
            pendingOverflow = false
            if overflow {
                effects.append(.reload)
                setStatus("Resumed: too many updates while paused, reloading")
            } else {
                for p in queued { apply(p, &effects) }
                setStatus("Resumed: \(queued.count) update\(queued.count == 1 ? "" : "s") applied")
            }
        } else {
            paused = true
            setStatus("Paused: live updates are queued (Z resumes)")
        }
    }

    /// `F`: keep the newest request selected, or stop.
    mutating func toggleFollow() {
        follow.toggle()
        if follow {
            if !visible.isEmpty { selectedID = visible[0] }
            setStatus("Following the newest request (F stops)")
        } else {
            setStatus("Follow off")
        }
    }
}
