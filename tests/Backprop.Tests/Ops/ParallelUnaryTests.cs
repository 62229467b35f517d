using Backprop.Kernels.Elementwise;

namespace Backprop.Tests.Ops;

/// <summary>
/// A unary op or a dropout large enough to split (64 Ki elements a thread) runs its forward and backward in slices
/// on the kernel threads; both must equal a plain loop over the whole tensor, at every thread count.
/// </summary>
[Collection("Threading")]
public class ParallelUnaryTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void LargeUnaryOpsMatchAPlainLoop(int threads)
    {
        var saved = Threads.Count;
        Threads.Count = threads;
        try
        {
            // 2^21 + 7 elements: two or more slices, and a tail that is not a multiple of any vector width.
            var x = Tensor.Uniform([(1 << 21) + 7], -3f, 3f, new Generator(5)).SetRequiresGrad();
            var relu = x.Relu();
            var sigmoid = x.Sigmoid();
            (relu.Sum() + sigmoid.Sum()).Backward();

            var xs = x.ToArray();
            var sig = xs.Select(v => 1f / (1f + MathF.Exp(-v))).ToArray();
            Assert.Equal(xs.Select(v => MathF.Max(v, 0f)), relu.ToArray());
            Assert.All(sigmoid.ToArray().Zip(sig), p => Assert.Equal(p.Second, p.First, 1e-6f));
            var grad = x.Grad!.ToArray();
            for (var i = 0; i < xs.Length; i++)
            {
                var expected = (xs[i] > 0 ? 1f : 0f) + (sig[i] * (1f - sig[i]));
                Assert.True(Math.Abs(grad[i] - expected) <= 1e-6f, $"element {i}: gradient {grad[i]}, expected {expected}");
            }
        }
        finally
        {
            Threads.Count = saved;
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void LargeDropoutIsTheSameMaskAtEveryThreadCount(int threads)
    {
        var saved = Threads.Count;
        Threads.Count = threads;
        try
        {
            // 2^18 + 5 elements: up to three slices, each cut into blocks, and a ragged tail.
            const float P = 0.3f;
            var x = Tensor.Uniform([(1 << 18) + 5], -3f, 3f, new Generator(6)).SetRequiresGrad();
            var y = Tensor.Dropout(x, P, generator: new Generator(11));
            y.Sum().Backward();

            // The mask is the counter-based stream of the one key that the generator gave.
            var draws = new float[x.Numel];
            CounterUniform.Fill(new Generator(11).NextUInt64(), 0, draws);
            var mask = draws.Select(u => u >= P ? 1f / (1f - P) : 0f).ToArray();
            var xs = x.ToArray();
            Assert.Equal(xs.Select((v, i) => v * mask[i]), y.ToArray());
            Assert.Equal(mask, x.Grad!.ToArray());
            Assert.InRange(mask.Count(m => m == 0f) / (double)mask.Length, 0.29, 0.31);
        }
        finally
        {
            Threads.Count = saved;
        }
    }
}
