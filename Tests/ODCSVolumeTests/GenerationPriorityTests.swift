import Glibc
import Testing

@testable import ODCSVolume

/// Generation work runs below the node's control plane: the bulk lane's threads at
/// `generation_nice`, the lookup lane's (which answer requests and duties) as the node does.
@Suite struct GenerationPriorityTests {
    static func niceOfThisThread() -> Int32 { getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) }

    @Test func bulkWorkRunsAtTheGenerationNiceValueAndLookupsAsTheNodeDoes() async throws {
        let own = Self.niceOfThisThread()
        let bulk = try await BlockingIO.bulk.run { Self.niceOfThisThread() }
        let lookup = try await BlockingIO.lookup.run { Self.niceOfThisThread() }
        #expect(bulk == max(own, GenerationPriority.nice))
        #expect(lookup == own)
        #expect(Self.niceOfThisThread() == own, "the caller's own thread is left as it was")
    }

    @Test func workPreferringTheGenerationExecutorRunsOnItsLoweredThreads() async throws {
        let own = Self.niceOfThisThread()
        let nice = await withTaskGroup(of: Int32.self) { group in
            group.addTask(executorPreference: GenerationExecutor.shared) {
                await Task.yield()
                return Self.niceOfThisThread()
            }
            return await group.next() ?? -1
        }
        #expect(nice == max(own, GenerationPriority.nice))
    }
}
