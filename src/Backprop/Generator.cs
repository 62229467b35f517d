using System.Globalization;

namespace Backprop;

/// <summary>
/// A seedable source of random numbers (xoshiro256** seeded through SplitMix64). Every random
/// choice in Backprop flows from a <see cref="Generator"/>, so the same seed gives the same run.
/// </summary>
public sealed class Generator
{
    private ulong _s0, _s1, _s2, _s3;
    private float _spareNormal;
    private bool _hasSpare;

    /// <summary>The generator used when an operation is given none; reseed it with <see cref="ManualSeed"/>.</summary>
    public static Generator Default { get; } = new(0x5EED);

    /// <summary>Creates a generator from a seed.</summary>
    /// <param name="seed">Any 64-bit value; equal seeds give equal sequences.</param>
    public Generator(ulong seed) => ManualSeed(seed);

    /// <summary>The seed this generator was last seeded with.</summary>
    public ulong Seed { get; private set; }

    /// <summary>Resets the generator to the start of the sequence for <paramref name="seed"/>.</summary>
    /// <param name="seed">The new seed.</param>
    /// <returns>This generator, for chaining.</returns>
    public Generator ManualSeed(ulong seed)
    {
        Seed = seed;
        var x = seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
        _hasSpare = false;
        return this;
    }

    /// <summary>The generator's full state as text, to be restored by <see cref="RestoreState"/> (for exact resumption).</summary>
    /// <returns>The state.</returns>
    public string SaveState() => string.Join(
        ',',
        _s0.ToString(CultureInfo.InvariantCulture),
        _s1.ToString(CultureInfo.InvariantCulture),
        _s2.ToString(CultureInfo.InvariantCulture),
        _s3.ToString(CultureInfo.InvariantCulture),
        BitConverter.SingleToInt32Bits(_spareNormal).ToString(CultureInfo.InvariantCulture),
        _hasSpare ? "1" : "0",
        Seed.ToString(CultureInfo.InvariantCulture));

    /// <summary>Restores a state saved by <see cref="SaveState"/>.</summary>
    /// <param name="state">The saved state.</param>
    public void RestoreState(string state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var parts = state.Split(',');
        if (parts.Length != 7
            || !ulong.TryParse(parts[0], CultureInfo.InvariantCulture, out var s0) || !ulong.TryParse(parts[1], CultureInfo.InvariantCulture, out var s1)
            || !ulong.TryParse(parts[2], CultureInfo.InvariantCulture, out var s2) || !ulong.TryParse(parts[3], CultureInfo.InvariantCulture, out var s3)
            || !int.TryParse(parts[4], CultureInfo.InvariantCulture, out var spare) || parts[5] is not ("0" or "1")
            || !ulong.TryParse(parts[6], CultureInfo.InvariantCulture, out var seed))
        {
            throw new ArgumentException($"Generator.RestoreState: '{state}' is not a saved generator state.", nameof(state));
        }

        (_s0, _s1, _s2, _s3) = (s0, s1, s2, s3);
        _spareNormal = BitConverter.Int32BitsToSingle(spare);
        _hasSpare = parts[5] == "1";
        Seed = seed;
    }

    /// <summary>The next 64 random bits.</summary>
    /// <returns>A uniformly distributed 64-bit value.</returns>
    public ulong NextUInt64() => Step(ref _s0, ref _s1, ref _s2, ref _s3);

    /// <summary>A uniform float in [0, 1).</summary>
    /// <returns>The sample.</returns>
    public float NextFloat() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <summary>
    /// Fills <paramref name="destination"/> with the next uniform floats in [0, 1): the same values, in the same
    /// order, as calls to <see cref="NextFloat"/>, with the state kept in registers for the whole span.
    /// </summary>
    /// <param name="destination">The span to fill.</param>
    public void NextFloats(Span<float> destination)
    {
        var (s0, s1, s2, s3) = (_s0, _s1, _s2, _s3);
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = (Step(ref s0, ref s1, ref s2, ref s3) >> 40) * (1.0f / (1 << 24));
        }

        (_s0, _s1, _s2, _s3) = (s0, s1, s2, s3);
    }

    /// <summary>A uniform double in [0, 1).</summary>
    /// <returns>The sample.</returns>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform integer in [0, <paramref name="maxExclusive"/>).</summary>
    /// <param name="maxExclusive">The exclusive upper bound; must be positive.</param>
    /// <returns>The sample.</returns>
    public int NextInt(int maxExclusive)
    {
        if (maxExclusive <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxExclusive), maxExclusive, "Generator.NextInt: the bound must be positive.");
        }

        return (int)(((NextUInt64() >> 32) * (ulong)maxExclusive) >> 32);
    }

    /// <summary>A sample of the standard normal distribution (Box–Muller).</summary>
    /// <returns>The sample.</returns>
    public float NextNormal()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spareNormal;
        }

        double u1;
        do
        {
            u1 = NextDouble();
        }
        while (u1 <= double.Epsilon);
        var u2 = NextDouble();
        var radius = Math.Sqrt(-2.0 * Math.Log(u1));
        var angle = 2.0 * Math.PI * u2;
        _spareNormal = (float)(radius * Math.Sin(angle));
        _hasSpare = true;
        return (float)(radius * Math.Cos(angle));
    }

    /// <summary>A random permutation of 0..n-1 (Fisher–Yates).</summary>
    /// <param name="n">The number of elements.</param>
    /// <returns>The permutation.</returns>
    public int[] Permutation(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        var result = new int[n];
        for (var i = 0; i < n; i++)
        {
            result[i] = i;
        }

        for (var i = n - 1; i > 0; i--)
        {
            var j = NextInt(i + 1);
            (result[i], result[j]) = (result[j], result[i]);
        }

        return result;
    }

    private static ulong SplitMix(ref ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        var z = x;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>One step of xoshiro256**: the next 64 bits, and the state advanced.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static ulong Step(ref ulong s0, ref ulong s1, ref ulong s2, ref ulong s3)
    {
        var result = ulong.RotateLeft(s1 * 5, 7) * 9;
        var t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = ulong.RotateLeft(s3, 45);
        return result;
    }
}
