import Dispatch
import Foundation
import Testing

@testable import Parallel

@Suite("parallelPerform: the kernels' threads, awake between loops")
struct ThreadPoolTests {
    /// How many times each iteration ran, and the most iterations that ran at once.
    final class Tally: @unchecked Sendable {
        let state: LockedValue<(runs: [Int], now: Int, most: Int)>
        init(_ iterations: Int) { state = LockedValue((runs: [Int](repeating: 0, count: iterations), now: 0, most: 0)) }

        func run(_ iteration: Int, pause: UInt32 = 0) {
            state.withLock {
                $0.runs[iteration] += 1
                $0.now += 1
                $0.most = max($0.most, $0.now)
            }
            if pause > 0 { usleep(pause) }
            state.withLock { $0.now -= 1 }
        }

        var runs: [Int] { state.withLock { $0.runs } }
        var most: Int { state.withLock { $0.most } }
    }

    @Test(
        "parallelPerform runs every iteration exactly once, for 0 to 100 iterations on 1 to 5 threads",
        arguments: [1, 2, 3, 5])
    func everyIterationOnce(threads: Int) {
        for iterations in [0, 1, 2, 3, 7, 64, 100] {
            let tally = Tally(iterations)
            parallelPerform(iterations: iterations, threads: threads) { tally.run($0) }
            #expect(tally.runs == [Int](repeating: 1, count: iterations), "\(iterations) iterations")
        }
    }

    @Test("parallelPerform runs at most `threads` iterations at once, also when two loops start together")
    func atMostThreadsAtOnce() {
        for threads in [1, 2, 3] {
            // Two loops started at the same moment from two threads: while one has the pool, the
            // other runs on Dispatch's threads; each must stay within its own bound.
            let tallies = [Tally(24), Tally(24)]
            DispatchQueue.concurrentPerform(iterations: 2) { loop in
                parallelPerform(iterations: 24, threads: threads) { tallies[loop].run($0, pause: 1000) }
            }
            for tally in tallies {
                #expect(tally.runs == [Int](repeating: 1, count: 24))
                #expect(tally.most >= 1 && tally.most <= threads, "\(tally.most) at once with \(threads) threads")
            }
        }
    }

    @Test("A loop started inside an iteration runs every one of its iterations once")
    func nestedLoops() {
        let inner = (0..<6).map { _ in Tally(10) }
        parallelPerform(iterations: 6, threads: 2) { outer in
            parallelPerform(iterations: 10, threads: 2) { inner[outer].run($0) }
        }
        for tally in inner { #expect(tally.runs == [Int](repeating: 1, count: 10)) }
    }

    @Test(
        "After its helper has gone to sleep, the pool's next loop still runs on two threads at once",
        .enabled(if: ProcessInfo.processInfo.activeProcessorCount >= 2))
    @available(macOS 15, *)
    func helperWakesAfterSleeping() {
        for _ in 0..<3 {
            // Longer than the helper's spin: it is asleep when the loop starts.
            usleep(UInt32(ThreadPool.spinTime / 1000) * 5)
            // Each of the two iterations waits (up to two seconds) for the other to start: only
            // two threads running at once let both see two arrivals.
            let arrivals = Arrivals()
            var ran = false
            while !ran {
                ran = ThreadPool.shared.run(iterations: 2, threads: 2) { _ in
                    arrivals.arrive()
                    let start = DispatchTime.now().uptimeNanoseconds
                    while arrivals.count < 2 && DispatchTime.now().uptimeNanoseconds - start < 2_000_000_000 {}
                    arrivals.record(seen: arrivals.count)
                }
                // (Another test's loop had the pool: try again.)
                if !ran { usleep(1000) }
            }
            #expect(arrivals.seen == [2, 2], "arrivals each iteration saw: \(arrivals.seen)")
        }
    }

    @Test(
        "A loop with one thread's seats runs every iteration on the calling thread, with helpers idle",
        .enabled(if: ProcessInfo.processInfo.activeProcessorCount >= 2))
    @available(macOS 15, *)
    func seatsBoundHelpers() {
        for _ in 0..<20 {
            let caller = pthread_self()
            let others = LockedValue(0)
            // (Straight to the pool, which `parallelPerform` skips for one thread; retried while
            // another test's loop has it.)
            while !ThreadPool.shared.run(
                iterations: 16, threads: 1,
                { _ in
                    if pthread_equal(pthread_self(), caller) == 0 { others.withLock { $0 += 1 } }
                    usleep(100)
                })
            { usleep(1000) }
            #expect(others.withLock { $0 } == 0, "iterations run by a helper with no seat")
        }
    }

    /// A counter of arrivals and what each arrival saw, for `helperWakesAfterSleeping`.
    final class Arrivals: @unchecked Sendable {
        private let state = LockedValue((count: 0, seen: [Int]()))
        func arrive() { state.withLock { $0.count += 1 } }
        var count: Int { state.withLock { $0.count } }
        func record(seen: Int) { state.withLock { $0.seen.append(seen) } }
        var seen: [Int] { state.withLock { $0.seen } }
    }
}
