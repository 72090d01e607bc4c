import ODCSCore
import Testing

@Suite struct ComposeTransitionTests {
    /// Building every transition runs its check against `canTransition` (a violation stops
    /// the process); the pairs are checked again here so that the failure names them.
    @Test func everyTransitionTheServiceMakesIsInTheTable() {
        for transition in ComposeTransition.all {
            for state in transition.from {
                #expect(state.canTransition(to: transition.to), "\(transition)")
            }
        }
        #expect(Set(ComposeTransition.all.map(\.name)).count == ComposeTransition.all.count)
    }

    /// Every legal pair is made by some transition, so the table has no rule nobody uses.
    @Test func everyPairOfTheTableIsUsed() {
        for from in ComposeState.allCases {
            for to in ComposeState.allCases where from.canTransition(to: to) {
                #expect(ComposeTransition.all.contains { $0.from.contains(from) && $0.to == to }, "\(from.name) → \(to.name)")
            }
        }
    }

    @Test func removedIsTerminal() {
        #expect(!ComposeTransition.all.contains { $0.from.contains(.removed) })
    }
}
