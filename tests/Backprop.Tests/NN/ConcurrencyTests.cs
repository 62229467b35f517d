using Backprop.NN;

namespace Backprop.Tests.NN;

/// <summary>Inference on one model from several threads at once gives each thread the result one thread gets.</summary>
[Collection("Threading")]
public class ConcurrencyTests
{
    [Fact]
    public void EvalForwardFromEightThreadsMatchesOneThread()
    {
        var g = new Generator(11);
        var model = new Sequential(new Linear(64, 256, generator: g), new ReLU(), new Linear(256, 128, generator: g), new GELU(), new Linear(128, 10, generator: g)).Eval();
        var inputs = Enumerable.Range(0, 8).Select(i => Tensor.Randn([96, 64], new Generator((ulong)(100 + i)))).ToArray();
        float[][] expected;
        using (Tensor.NoGrad())
        {
            expected = [.. inputs.Select(x => model.Forward(x).Softmax(-1).ToArray())];
        }

        var results = new float[8][][];
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, t =>
        {
            using var noGrad = Tensor.NoGrad();
            results[t] = new float[20][];
            for (var round = 0; round < 20; round++)
            {
                using var scope = Tensor.NewScope();
                results[t][round] = model.Forward(inputs[(t + round) % 8]).Softmax(-1).ToArray();
            }
        });

        for (var t = 0; t < 8; t++)
        {
            for (var round = 0; round < 20; round++)
            {
                Assert.Equal(expected[(t + round) % 8], results[t][round]);
            }
        }
    }
}
