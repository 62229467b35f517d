using Backprop.Kernels;

namespace Backprop.Tests.Kernels;

/// <summary>
/// The eight side-by-side xoshiro256** streams behind dropout's masks, against a plain loop of the published
/// algorithm, on lengths around the 16-float block; CI runs them on every kernel path, and the values must be
/// the same on all of them.
/// </summary>
public class UniformStreamsTests
{
    /// <summary>Eight states from SplitMix64, word-major as the kernel takes them.</summary>
    private static ulong[] States(ulong seed)
    {
        var state = new ulong[4 * UniformStreams.Streams];
        for (var i = 0; i < state.Length; i++)
        {
            seed += 0x9E3779B97F4A7C15UL;
            var z = seed;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            state[i] = z ^ (z >> 31);
        }

        return state;
    }

    /// <summary>The reference: stream j stepped in turn, xoshiro256** as published; output bits 8–31 and 40–63 as two floats.</summary>
    private static float[] Reference(ulong[] state, int n)
    {
        var s = (ulong[])state.Clone();
        var result = new List<float>();
        while (result.Count < n)
        {
            var block = new float[16];
            for (var j = 0; j < 8; j++)
            {
                var output = ulong.RotateLeft(s[8 + j] * 5, 7) * 9;
                var t = s[8 + j] << 17;
                s[16 + j] ^= s[j];
                s[24 + j] ^= s[8 + j];
                s[8 + j] ^= s[16 + j];
                s[j] ^= s[24 + j];
                s[16 + j] ^= t;
                s[24 + j] = ulong.RotateLeft(s[24 + j], 45);
                block[2 * j] = ((output >> 8) & 0xFFFFFF) / 16777216f;
                block[(2 * j) + 1] = ((output >> 40) & 0xFFFFFF) / 16777216f;
            }

            result.AddRange(block);
        }

        return [.. result.Take(n)];
    }

    [Theory]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(100)]
    [InlineData(4099)]
    public void StreamsMatchThePublishedAlgorithm(int n)
    {
        var state = States(42);
        var values = new float[n];
        UniformStreams.Fill(values, state);
        Assert.Equal(Reference(States(42), n), values);

        // The state moved on: the next fill continues the streams rather than repeating them.
        var next = new float[16];
        UniformStreams.Fill(next, state);
        Assert.Equal(Reference(States(42), ((n + 15) / 16 * 16) + 16).Skip((n + 15) / 16 * 16), next);
    }

    [Fact]
    public void DrawsAreUniformInTheUnitInterval()
    {
        var values = new float[1 << 16];
        UniformStreams.Fill(values, States(7));
        Assert.All(values, v => Assert.InRange(v, 0f, 0.99999995f));
        Assert.InRange(values.Average(), 0.49, 0.51);
        var deciles = values.GroupBy(v => (int)(v * 10)).Select(g => g.Count()).ToArray();
        Assert.Equal(10, deciles.Length);
        Assert.All(deciles, c => Assert.InRange(c, 6200, 6900));
    }

    [Fact]
    public void TheGeneratorSeedsTheStreamsAndMovesOn()
    {
        var (a, b) = (new float[40], new float[40]);
        new Generator(3).NextFloatsWide(a);
        new Generator(3).NextFloatsWide(b);
        Assert.Equal(a, b);
        var g = new Generator(3);
        g.NextFloatsWide(b);
        g.NextFloatsWide(b);
        Assert.NotEqual(a, b);
        Assert.Throws<ArgumentException>(() => UniformStreams.Fill(a, new ulong[31]));
    }
}
