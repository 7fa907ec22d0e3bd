import Foundation

/// A small, fast, seeded random number generator (xoshiro256**), so every run can be repeated bit
/// for bit.
///
/// Swift's `SystemRandomNumberGenerator` is different every run, which is right for security and
/// wrong for teaching: a learner who changes one line wants to know that the difference in accuracy
/// came from that line, not from a new draw of initial weights. xoshiro256** (Blackman and Vigna,
/// 2018) keeps 256 bits of state, passes the standard statistical test batteries and costs a few
/// shifts and xors per number. Its four state words are filled from the seed by SplitMix64, the
/// recommended way to expand one 64-bit seed into a well-mixed state.
///
/// ```swift
/// var rng = SeededGenerator(seed: 42)
/// let u = rng.nextFloat()          // uniform in [0, 1)
/// let z = rng.nextNormal()         // standard normal
/// ```
public struct SeededGenerator: RandomNumberGenerator, Sendable, Equatable {
    /// The four 64-bit words of xoshiro256** state. Saving and restoring them resumes the stream
    /// exactly where it was (checkpoints do this).
    public var state: (UInt64, UInt64, UInt64, UInt64) {
        get { (s0, s1, s2, s3) }
        set {
            (s0, s1, s2, s3) = newValue
            // The all-zero state is a fixed point of xoshiro: it would return 0 forever.
            if s0 | s1 | s2 | s3 == 0 { s0 = 0x9E37_79B9_7F4A_7C15 }
        }
    }

    // Visible to other modules' inlined code (`next()` is inlinable: a call per number, with the
    // state loaded from and stored to memory each time, took twice as long as the arithmetic).
    @usableFromInline var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// Creates a generator whose stream depends only on `seed`.
    public init(seed: UInt64) {
        var splitMix = seed
        func nextSplitMix() -> UInt64 {
            splitMix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitMix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = nextSplitMix()
        s1 = nextSplitMix()
        s2 = nextSplitMix()
        s3 = nextSplitMix()
    }

    public static func == (lhs: SeededGenerator, rhs: SeededGenerator) -> Bool {
        lhs.state == rhs.state
    }

    /// The next 64 random bits.
    @inlinable public mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, by: 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotateLeft(s3, by: 45)
        return result
    }

    /// A uniform `Float` in [0, 1): the top 24 bits of the next number, so every value is an exact
    /// multiple of 2^-24 and 1.0 itself can never come out.
    public mutating func nextFloat() -> Float {
        Float(next() >> 40) * 0x1p-24
    }

    /// A uniform `Double` in [0, 1), from the top 53 bits.
    public mutating func nextDouble() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// A standard normal sample (mean 0, standard deviation 1) by the Box-Muller transform:
    /// for independent uniforms u1 in (0, 1] and u2, sqrt(-2 ln u1) * cos(2 pi u2) is N(0, 1).
    public mutating func nextNormal() -> Float {
        let u1 = 1 - nextDouble()  // in (0, 1], so the logarithm is finite
        let u2 = nextDouble()
        return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }

    @inlinable func rotateLeft(_ x: UInt64, by k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }
}
