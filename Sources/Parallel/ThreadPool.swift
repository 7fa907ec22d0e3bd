import Dispatch
import Foundation
import Synchronization

/// Runs `body(0) ... body(iterations - 1)` on up to `threads` cores at once and returns when all
/// have run: the kernels' parallel loop, as `DispatchQueue.concurrentPerform` is, but on threads
/// that stay awake between loops.
///
/// A training step runs dozens of parallel loops, a few to a few hundred microseconds apart.
/// Dispatch's worker threads go to sleep as soon as a loop ends, and on the 2-core development
/// machine (a virtual machine) a sleeping one took 25-50 microseconds to start its share of the
/// next loop, longer when the host was busy. The pool's threads instead keep checking for new work
/// for `ThreadPool.spinTime` after each loop, as OpenMP's and OpenBLAS's threads do, and only then
/// sleep. Measured side by side on that machine, one 60,000-image epoch on two cores: `convnet`
/// 3.29-3.34 s instead of 3.72-3.78, `pytorch-example` 17.2-17.3 s instead of 17.9-19.9; and
/// `benchmarks gemm` on two cores, 128^3 from 175 to 201 GFLOP/s, 512^3 from 203 to 213.
///
/// Iterations are handed out one at a time to whichever thread is free, so a loop still finishes
/// when a core is slow or busy elsewhere (the calling thread takes every iteration nobody else
/// has); results must not depend on which thread runs an iteration. One loop runs on the pool at a
/// time: a loop started meanwhile, from another thread or from inside an iteration, runs on
/// Dispatch's threads instead, with the same bound of `threads` at once.
///
/// ```swift
/// parallelPerform(iterations: 8, threads: 2) { part in
///     partialSums[part] = sum(of: slice(part))    // each part writes only its own entry
/// }
/// ```
public func parallelPerform(iterations: Int, threads: Int, _ body: (Int) -> Void) {
    guard iterations > 0 else { return }
    let threads = Swift.min(threads, iterations)
    if threads <= 1 {
        for iteration in 0..<iterations { body(iteration) }
        return
    }
    if #available(macOS 15, *), ThreadPool.shared.run(iterations: iterations, threads: threads, body) {
        return
    }
    // `threads` Dispatch iterations, each taking the loop's iterations one at a time. (The body
    // only writes what its iteration owns, as the kernels' loops guarantee.)
    let next = LockedValue(0)
    withoutActuallyEscaping(body) { body in
        let shared = UncheckedSendable(body)
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            while true {
                let iteration = next.withLock { next in
                    defer { next += 1 }
                    return next
                }
                guard iteration < iterations else { return }
                shared.value(iteration)
            }
        }
    }
}

/// The threads behind `parallelPerform`: one fewer than the machine's active cores when the pool is
/// first used (the calling thread is the last), kept for the life of the process. A loop on fewer
/// threads than that has fewer seats: the helpers without one go back to sleep at once.
@available(macOS 15, *)
final class ThreadPool: @unchecked Sendable {
    /// How long a thread keeps checking for a new loop before it sleeps. Long enough to span the
    /// gaps between a training step's loops (a few to a few hundred microseconds), short enough
    /// that an idle program gives its cores back almost at once.
    static let spinTime: UInt64 = 200_000  // nanoseconds

    static let shared = ThreadPool(helpers: ProcessInfo.processInfo.activeProcessorCount - 1)

    /// One parallel loop. The caller and the helpers claim iterations from `next`; the caller waits
    /// for `finished`.
    private final class Job: @unchecked Sendable {
        let iterations: Int
        /// Helpers that may join: `threads - 1`.
        let helperSeats: Int
        let next = Atomic<Int>(0)
        let finished = Atomic<Int>(0)
        /// Helpers inside the loop; the caller waits for it to fall to zero after `closed`.
        let active = Atomic<Int>(0)
        let seatsTaken = Atomic<Int>(0)
        let closed = Atomic<Bool>(false)
        /// The loop's body: set by the caller for the duration of the loop, nil afterwards, and
        /// read by a helper only while it is counted in `active` and the loop is not closed.
        var body: ((Int) -> Void)?

        init(iterations: Int, helperSeats: Int, body: @escaping (Int) -> Void) {
            self.iterations = iterations
            self.helperSeats = helperSeats
            self.body = body
        }

        /// A helper's share of the loop, if the loop is still open and has a seat left; false when
        /// every seat was taken. (A function of its own, so that its reference to the body is gone
        /// when it returns: the helper counts itself out of `active` only after that.)
        @inline(never)
        func help() -> Bool {
            guard !closed.load(ordering: .sequentiallyConsistent) else { return true }
            guard seatsTaken.add(1, ordering: .relaxed).oldValue < helperSeats else { return false }
            if let body { work(body) }
            return true
        }

        /// Runs iterations until none are left.
        func work(_ body: (Int) -> Void) {
            while true {
                let iteration = next.add(1, ordering: .relaxed).oldValue
                guard iteration < iterations else { return }
                body(iteration)
                finished.add(1, ordering: .releasing)
            }
        }
    }

    private let helpers: Int
    /// Whether a loop is running: one at a time.
    private let busy = Atomic<Bool>(false)
    /// Incremented for each loop; helpers wait for it to change.
    private let generation = Atomic<Int>(0)
    /// The current loop and the sleeping helpers, under `condition`'s lock.
    private let condition = NSCondition()
    private var current: Job?
    private var sleepers = 0
    private var started = false

    private init(helpers: Int) { self.helpers = Swift.max(0, helpers) }

    /// Runs the loop on the pool, or returns false when the pool is busy or has no helpers.
    func run(iterations: Int, threads: Int, _ body: (Int) -> Void) -> Bool {
        guard helpers > 0, busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
        else { return false }
        defer { busy.store(false, ordering: .releasing) }
        return withoutActuallyEscaping(body) { body in
            let job = Job(iterations: iterations, helperSeats: threads - 1, body: body)
            condition.lock()
            if !started {
                started = true
                for _ in 0..<helpers { startHelper() }
            }
            current = job
            generation.add(1, ordering: .releasing)
            // Wake as many sleeping helpers as the loop has seats.
            for _ in 0..<Swift.min(sleepers, job.helperSeats) { condition.signal() }
            condition.unlock()

            job.work(body)
            // Every iteration has been claimed; wait for the helpers' last ones to finish.
            var spins = 0
            while job.finished.load(ordering: .acquiring) < iterations { backOff(&spins) }
            // Then close the loop and wait for every helper inside it to leave, before the body
            // goes away. A helper counts itself into `active` before it looks at `closed`, and
            // this thread sets `closed` before it looks at `active` (all sequentially consistent),
            // so a helper either sees the loop closed or is seen here.
            job.closed.store(true, ordering: .sequentiallyConsistent)
            while job.active.load(ordering: .sequentiallyConsistent) > 0 { backOff(&spins) }
            job.body = nil
            condition.lock()
            current = nil
            condition.unlock()
            return true
        }
    }

    /// One step of the caller's wait for its helpers: a plain re-check at first (they are a few
    /// instructions from done), then giving the core away, in case a helper was descheduled in the
    /// middle of an iteration.
    private func backOff(_ spins: inout Int) {
        spins += 1
        if spins > 4096 { sched_yield() }
    }

    private func startHelper() {
        let thread = Thread { [self] in helperLoop() }
        thread.name = "Kindling worker"
        thread.start()
    }

    private func helperLoop() {
        var seen = 0
        var hadSeat = true
        while true {
            seen = waitForNewGeneration(after: seen, spinning: hadSeat)
            condition.lock()
            let job = current
            condition.unlock()
            guard let job else { continue }
            job.active.add(1, ordering: .sequentiallyConsistent)
            hadSeat = job.help()
            job.active.subtract(1, ordering: .sequentiallyConsistent)
        }
    }

    /// Spins for up to `spinTime` (unless `spinning` is false: a helper without a seat in the last
    /// loop), then sleeps, until `generation` differs from `seen`.
    private func waitForNewGeneration(after seen: Int, spinning: Bool) -> Int {
        let start = DispatchTime.now().uptimeNanoseconds
        var checks = 0
        while spinning {
            let value = generation.load(ordering: .acquiring)
            if value != seen { return value }
            checks += 1
            if checks % 256 == 0 && DispatchTime.now().uptimeNanoseconds - start > Self.spinTime { break }
        }
        condition.lock()
        defer { condition.unlock() }
        sleepers += 1
        while generation.load(ordering: .acquiring) == seen { condition.wait() }
        sleepers -= 1
        return generation.load(ordering: .acquiring)
    }
}
