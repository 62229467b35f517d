using Backprop.Kernels.Elementwise;

namespace Backprop.Tests.Kernels;

/// <summary>
/// The counter-based draws behind dropout's masks: every vector width against a scalar reference of the hash on
/// awkward offsets and lengths, independence from how a stream is cut, and the distribution's first moments.
/// </summary>
public class CounterUniformTests
{
    /// <summary>Wellons' lowbias32, written out again as the reference.</summary>
    private static uint Mix(uint x)
    {
        x ^= x >> 16;
        x *= 0x7feb352d;
        x ^= x >> 15;
        x *= 0x846ca68b;
        return x ^ (x >> 16);
    }

    private static float Reference(ulong key, int index) =>
        (Mix(Mix((uint)index ^ (uint)key) ^ (uint)(key >> 32)) >> 8) / (float)(1 << 24);

    [Theory]
    [InlineData(0, 1)]
    [InlineData(5, 3)]
    [InlineData(17, 4)]
    [InlineData(0, 31)]
    [InlineData(3, 33)]
    [InlineData(1_000_003, 257)]
    [InlineData(int.MaxValue - 100, 100)]
    public void EveryWidthMatchesTheScalarHash(int offset, int length)
    {
        const ulong Key = 0x0123_4567_89AB_CDEF;
        var draws = new float[length];
        CounterUniform.Fill(Key, offset, draws);
        for (var i = 0; i < length; i++)
        {
            Assert.Equal(Reference(Key, offset + i), draws[i]);
        }
    }

    [Fact]
    public void AStreamCutAnywhereIsTheSameStream()
    {
        var whole = new float[1000];
        CounterUniform.Fill(42, 0, whole);
        var pieces = new float[1000];
        CounterUniform.Fill(42, 0, pieces.AsSpan(0, 333));
        CounterUniform.Fill(42, 333, pieces.AsSpan(333, 1));
        CounterUniform.Fill(42, 334, pieces.AsSpan(334));
        Assert.Equal(whole, pieces);

        var other = new float[1000];
        CounterUniform.Fill(43, 0, other);
        Assert.True(whole.Zip(other).Count(p => p.First == p.Second) < 5, "another key must give another stream");
    }

    [Fact]
    public void DrawsAreUniformInTheUnitInterval()
    {
        var draws = new float[1 << 20];
        CounterUniform.Fill(7, 0, draws);
        Assert.All(draws, u => Assert.True(u >= 0f && u < 1f, $"{u} is outside [0, 1)"));
        var mean = draws.Average(u => (double)u);
        var variance = draws.Average(u => (u - mean) * (u - mean));
        Assert.InRange(mean, 0.499, 0.501);
        Assert.InRange(variance, (1.0 / 12) - 0.001, (1.0 / 12) + 0.001);

        // Neighbours are uncorrelated, and a tenth of the draws fall under 0.1.
        var lag = Enumerable.Range(0, draws.Length - 1).Average(i => (draws[i] - mean) * (draws[i + 1] - mean)) / variance;
        Assert.InRange(lag, -0.005, 0.005);
        Assert.InRange(draws.Count(u => u < 0.1f) / (double)draws.Length, 0.099, 0.101);
    }
}
